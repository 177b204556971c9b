"""Review from the command line: `als applications ...`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus
from app.programmes import current_programme
from app.review.queries import find_application
from app.review.service import BulkChange, applications, change_many

CLI_ACTOR = "cli"
# The words people type for each status: "waiting-list", "waiting list", "Waiting_List".
FRIENDLY = {status.value.replace("_", "-"): status for status in ApplicationStatus}


def _status(value: str) -> ApplicationStatus:
    key = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    status = FRIENDLY.get(key)
    if status is None:
        choices = ", ".join(name for name, s in FRIENDLY.items()
                            if s not in (ApplicationStatus.SELECTED, ApplicationStatus.LATE))
        raise click.BadParameter(f"“{value}” is not a status: use one of {choices}", param_hint="STATUS")
    if status is ApplicationStatus.SELECTED:
        raise click.UsageError("A place is offered in a particular set: use `als sets refill` for the waiting "
                               "list, or “Offer a place” on the application's review page")
    return status


def init_app(app: Flask) -> None:
    """Registers the `als applications` commands."""

    applications_group = AppGroup("applications", help="Review applications from the command line.")

    @applications_group.command("mark")
    @click.argument("status")
    @click.argument("references", nargs=-1)
    @click.option("--all-submitted", is_flag=True,
                  help="Every submitted application of the current programme, instead of REFERENCES.")
    @click.option("--reason", help="Why, kept in each application's history.")
    def mark_command(status: str, references: tuple[str, ...], all_submitted: bool, reason: str | None) -> None:
        """Give applications a new STATUS (eligible, ineligible, waiting-list, not-selected, withdrawn,
        submitted, declined).

        Each application goes only where its current status allows, with its set, fee account and
        emails following as on the review page. Those that may move are changed; each one that may not,
        and each unknown reference, is printed and left as it is, and the command then exits with
        status 1. Everything that could be changed is saved together at the end.
        """
        wanted = _status(status)
        if all_submitted and references:
            raise click.UsageError("Give references or --all-submitted, not both")
        if not all_submitted and not references:
            raise click.UsageError("Give at least one reference, or --all-submitted")
        found, unknown = _applications(references, all_submitted)
        outcome = change_many(found, wanted, CLI_ACTOR, utcnow(), reason=(reason or "").strip() or None)
        db.session.commit()
        for line in outcome.refused:
            click.echo(line)
        for reference in unknown:
            click.echo(f"There is no application {reference}")
        click.echo(_summary(outcome, unknown))
        if outcome.refused or unknown:
            click.get_current_context().exit(1)

    app.cli.add_command(applications_group)


def _applications(references: tuple[str, ...], all_submitted: bool) -> tuple[list[Application], list[str]]:
    if all_submitted:
        programme = current_programme()
        if programme is None:
            raise click.ClickException("There is no programme yet")
        found = list(db.session.scalars(
            select(Application).where(Application.programme_id == programme.id,
                                      Application.status == ApplicationStatus.SUBMITTED)
            .order_by(Application.submitted_at, Application.id)))
        click.echo(f"{applications(len(found))} submitted in {programme.name}")
        return found, []
    found, unknown = [], []
    for reference in dict.fromkeys(r.strip().upper() for r in references):
        application = find_application(None, reference)
        if application is None:
            unknown.append(reference)
        else:
            found.append(application)
    return found, unknown


def _summary(outcome: BulkChange, unknown: list[str]) -> str:
    message = outcome.summary()
    if unknown:
        message += f"; {len(unknown):,} reference{'' if len(unknown) == 1 else 's'} not found"
    return message
