"""`als import-payments FILE [--commit]`: the same preview and save as the import page."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.finance import importing
from app.finance.ledger import pounds
from app.programmes import current_programme
from exports import PaymentPreview


def describe(preview: PaymentPreview) -> str:
    """One line per row, grouped as on the page, so finance can fix the sheet from this alone."""
    lines = [f"Matched: {len(preview.matched)} payment(s), {pounds(preview.matched_pence)}"]
    for match in preview.matched:
        row = match.row
        lines.append(f"  row {row.row}: {pounds(row.amount_pence)} on {row.paid_on:%d/%m/%Y} -> {match.account_ref}"
                     + (f" ({row.payment_reference})" if row.payment_reference else ""))
    for title, problems in (("Unmatched", preview.unmatched), ("Duplicates (not saved again)", preview.duplicates),
                            ("Amounts that do not fit", preview.misfit)):
        lines.append(f"{title}: {len(problems)}")
        for problem in problems:
            lines.append(f"  row {problem.row.row}: {pounds(problem.row.amount_pence)}: {problem.reason}")
    lines.append(f"Rows with errors: {len(preview.errors)}")
    for error in preview.errors:
        lines.append(f"  row {error.row}: {error.message}")
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    """Registers the finance commands (`als import-payments`)."""

    @app.cli.command("import-payments")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--commit", is_flag=True, help="Save the matched payments (without it, only a preview).")
    def import_payments_command(path: Path, commit: bool) -> None:
        """Preview a payments spreadsheet (CSV or XLSX); --commit saves the matched rows.

        Exits with status 1 when rows have errors; then --commit saves nothing, so a file is
        never half-imported by a script that did not read the output.
        """
        programme = current_programme()
        if programme is None:
            raise click.ClickException("There is no programme yet, so there are no fee accounts.")
        data = path.read_bytes()
        try:
            preview = importing.preview(programme, data)
        except importing.ImportRefused as error:
            raise click.ClickException(str(error)) from error
        click.echo(describe(preview))
        if preview.errors:
            click.echo("Nothing saved: fix the rows with errors and run this again." if commit
                       else "Fix the rows with errors before saving.", err=True)
            click.get_current_context().exit(1)
        if not commit:
            click.echo("Preview only: nothing saved. Run again with --commit to save the matched payments.")
            return
        result = importing.commit(programme, data, path.name[:100], "cli", utcnow())
        db.session.commit()
        click.echo(f"Saved {len(result.matched)} payment(s), {pounds(result.matched_pence)}.")
