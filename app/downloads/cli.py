from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.downloads.records import WRITERS
from app.programmes import current_programme


def init_app(app: Flask) -> None:
    @app.cli.command("export")
    @click.argument("kind", type=click.Choice(sorted(WRITERS)))
    @click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
    def export_command(kind: str, out_path: str) -> None:
        """Write applications, sets, fees or schedule as an Excel workbook."""
        programme = current_programme()
        if programme is None:
            raise click.ClickException("There is no programme yet: run `als programme` first.")
        with open(Path(out_path), "wb") as out:
            WRITERS[kind](programme, out)
        click.echo(f"Wrote {out_path}")
