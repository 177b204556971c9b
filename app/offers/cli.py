"""`als remind-offers`: remind people who have not answered their offer after a week (for cron)."""
from __future__ import annotations

import click
from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.offers.service import queue_response_reminders
from app.programmes import current_programme


def init_app(app: Flask) -> None:
    """Registers `als remind-offers`."""

    @app.cli.command("remind-offers")
    def remind_offers_command() -> None:
        """Email each person offered a place a week ago or more who has not answered (once each)."""
        programme = current_programme()
        if programme is None:
            raise click.ClickException("There is no programme yet, so there are no offers.")
        queued = queue_response_reminders(programme, utcnow(), "cli")
        db.session.commit()
        click.echo(f"{queued} reminder{'' if queued == 1 else 's'} queued" if queued
                   else "No reminders to send: everyone offered a place a week ago or more has answered or been reminded.")
