"""`als purge`, `als erase`, `als subject-access`, `als backup` and `als restore`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.models import Application
from app.privacy import backup as backups
from app.privacy.access import write_subject_access
from app.privacy.erasure import erase
from app.privacy.retention import plan_purge, purge
from app.review.queries import find_application

CLI_ACTOR = "cli"


def _application(reference: str) -> Application:
    application = find_application(None, reference.strip().upper())
    if application is None:
        raise click.ClickException(f"There is no application {reference.strip().upper()}.")
    return application


def init_app(app: Flask) -> None:
    """Registers the personal-data commands."""

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Say what would be deleted; change nothing.")
    def purge_command(dry_run: bool) -> None:
        """Delete personal data that is past the retention the privacy notice promises."""
        plan = plan_purge(utcnow())
        report = plan.describe(dry_run)
        if not dry_run:
            purge(plan, CLI_ACTOR)
            db.session.commit()
        click.echo(report)

    @app.cli.command("erase")
    @click.argument("reference")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def erase_command(reference: str, yes: bool) -> None:
        """Erase one person's personal data on their request (their fee ledger stays, under a pseudonym)."""
        application = _application(reference)
        if not yes:
            click.confirm(f"Erase the personal data of {application.reference}? This cannot be undone", abort=True)
        result = erase(application, CLI_ACTOR, utcnow())
        db.session.commit()
        click.echo(result.message)

    @app.cli.command("subject-access")
    @click.argument("reference")
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
                  help="the zip file to write")
    def subject_access_command(reference: str, out_path: Path) -> None:
        """Write everything held about one person to a zip: REFERENCE.json and their uploaded note."""
        names = write_subject_access(_application(reference), out_path)
        click.echo(f"Wrote {out_path}: {', '.join(names)}")

    @app.cli.command("backup")
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
    def backup_command(out_path: Path) -> None:
        """Copy the whole database to one file (SQLite: online backup; PostgreSQL: pg_dump custom format)."""
        try:
            backups.backup(app.config["SQLALCHEMY_DATABASE_URI"], out_path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backed up the database to {out_path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Overwrite a database that already holds applications or users.")
    def restore_command(path: Path, force: bool) -> None:
        """Restore a file written by `als backup` into the configured database (empty unless --force)."""
        held = backups.held_rows(db.engine)
        if any(held.values()) and not force:
            raise click.ClickException(
                f"The database is not empty ({held['application']} application(s), {held['user']} user(s)); "
                "restoring would replace them. Run again with --force to overwrite it.")
        db.session.remove()
        db.engine.dispose()  # no pooled connection may keep the old contents open
        try:
            backups.restore(app.config["SQLALCHEMY_DATABASE_URI"], path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from error
        held = backups.held_rows(db.engine)
        click.echo(f"Restored {path}: {held['application']} application(s), {held['user']} user(s).")
