"""The `als` command: Flask's commands (run, db, shell) plus ours, registered in init_app."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext
from flask import Flask
from flask.cli import FlaskGroup, NoAppException
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app import audit
from app.clock import LONDON, format_london, utcnow
from app.extensions import db
from app.models import Application, Programme, Slot
from app.programmes import (
    RESPOND_DAYS_RANGE,
    SESSIONS_RANGE,
    SET_SIZE_RANGE,
    WORD_LIMIT_RANGE,
    SettingRefused,
    check_programme,
    create_default_programme,
    current_programme,
    open_next_programme,
    parse_pounds,
    record_change,
    set_slot_labels,
    settings_snapshot,
)
from app.text import clean_text


def _create_app() -> Flask:
    from app import create_app
    from app.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as error:
        # Flask prints a NoAppException as one line of advice, where anything else is a traceback.
        raise NoAppException(str(error)) from None


class AlsGroup(FlaskGroup):
    """Flask's command group, with a database that cannot be reached said in a sentence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            raise click.ClickException(f"The database could not be used: {error.orig or error}") from None


@click.group(cls=AlsGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Action Learning Sets: applications, selection, fees and schedules."""


from app.sets.cli import init_cli  # noqa: E402  (commands that also run without the app)

init_cli(main)


def _parse_london(value: str, option: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            naive = datetime.strptime(value, pattern)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d":
            naive = naive.replace(hour=17)
        return naive.replace(tzinfo=LONDON)
    raise click.BadParameter("use YYYY-MM-DD HH:MM in UK time, e.g. 2026-12-04 17:00", param_hint=option)


def _text_option(value: str, option: str, limit: int) -> str:
    """A name or label typed on the command line: control characters dropped, within its column."""
    text = clean_text(value)
    if not text:
        raise click.BadParameter("must not be empty", param_hint=option)
    if len(text) > limit:
        raise click.BadParameter(f"must be {limit} characters or fewer", param_hint=option)
    return text


def _pounds_to_pence(value: str) -> int:
    try:
        return parse_pounds(value)
    except SettingRefused as refused:
        raise click.BadParameter(refused.message, param_hint="--fee") from None


# Which option to name when a rule about a setting is broken.
CLI_OPTIONS = {
    "min_set_size": "--min-size", "max_set_size": "--max-size", "deadline": "--deadline", "fee": "--fee",
    "payment_instructions": "--payment-instructions", "respond_days": "--respond-days", "slots": "--slot",
    "note_word_limit": "--word-limit", "sessions": "--sessions", "name": "--name",
}


def describe(programme: Programme) -> str:
    slots = "\n".join(f"    - {slot.label}" for slot in programme.slots) or "    (none)"
    opens = format_london(programme.opens_at) if programme.opens_at else "now (no opening date)"
    payment = ("\n" + "\n".join(f"    {line}" for line in programme.payment_instructions.splitlines())
               if programme.payment_instructions else "(not set)")
    count = db.session.scalar(select(func.count()).select_from(Application).where(Application.programme_id == programme.id))
    return (
        f"Programme: {programme.name}\n"
        f"  Opens:            {opens}\n"
        f"  Deadline:         {format_london(programme.deadline)}\n"
        f"  Sessions:         {programme.sessions}\n"
        f"  Fee per session:  £{programme.fee_per_session_pence / 100:,.2f} (total £{programme.total_fee_pence / 100:,.2f}, paid up front)\n"
        f"  Set size:         {programme.min_set_size}–{programme.max_set_size}\n"
        f"  Note word limit:  {programme.note_word_limit:,}\n"
        f"  Days to respond:  {programme.respond_days} days after the offer\n"
        f"  How to pay:       {payment}\n"
        f"  Places and times:\n{slots}\n"
        f"  Applications:     {count}"
    )


def init_app(app: Flask) -> None:
    @app.cli.group("programme", invoke_without_command=True)
    @click.option("--name")
    @click.option("--deadline", help="UK time, YYYY-MM-DD HH:MM")
    @click.option("--opens", help="UK time, YYYY-MM-DD HH:MM, or 'now'")
    @click.option("--sessions", type=click.IntRange(*SESSIONS_RANGE))
    @click.option("--fee", help="fee per session in pounds, e.g. 50")
    @click.option("--min-size", type=click.IntRange(*SET_SIZE_RANGE))
    @click.option("--max-size", type=click.IntRange(*SET_SIZE_RANGE))
    @click.option("--word-limit", type=click.IntRange(*WORD_LIMIT_RANGE))
    @click.option("--slot", "slots", multiple=True, help="a place and time; repeat for each (replaces the list)")
    @click.option("--payment-instructions", help="how to pay (bank details, invoice route); \\n starts a new line; '' removes them")
    @click.option("--respond-days", type=click.IntRange(*RESPOND_DAYS_RANGE), help="days a person has to answer an offer")
    @with_appcontext   # a group's own callback does not get the app context its commands get
    def programme_command(name, deadline, opens, sessions, fee, min_size, max_size, word_limit, slots,  # type: ignore[no-untyped-def]
                          payment_instructions, respond_days) -> None:
        """Show the programme's settings, or change them. Creates the default programme if none exists.
        `als programme new` opens the next programme."""
        if click.get_current_context().invoked_subcommand is not None:
            if any(v not in (None, ()) for v in (name, deadline, opens, sessions, fee, min_size, max_size,
                                                 word_limit, slots, payment_instructions, respond_days)):
                raise click.UsageError("Give the options after the subcommand, e.g. `als programme new --name …`")
            return
        programme = current_programme()
        if programme is None:
            programme = create_default_programme(utcnow())
            audit.record("system", "programme.created", "programme:new")
            db.session.commit()
            click.echo("Created a programme open for applications, with the brief's defaults.")
        before = settings_snapshot(programme)
        if name:
            programme.name = _text_option(name, "--name", Programme.__table__.c.name.type.length)
        if deadline:
            programme.deadline = _parse_london(deadline, "--deadline")
        if opens:
            programme.opens_at = None if opens == "now" else _parse_london(opens, "--opens")
        if sessions:
            programme.sessions = sessions
        if fee:
            programme.fee_per_session_pence = _pounds_to_pence(fee)
        if min_size:
            programme.min_set_size = min_size
        if max_size:
            programme.max_set_size = max_size
        if word_limit:
            programme.note_word_limit = word_limit
        if respond_days:
            programme.respond_days = respond_days
        if payment_instructions is not None:
            # A shell makes typing new lines awkward: "\n" (backslash n) starts a new line.
            text = clean_text(payment_instructions.replace("\\n", "\n"), multiline=True).strip()
            programme.payment_instructions = text or None
        try:
            if slots:
                for label in slots:
                    if len(clean_text(label)) > Slot.__table__.c.label.type.length:
                        raise click.BadParameter(f"must be {Slot.__table__.c.label.type.length} characters or fewer",
                                                 param_hint="--slot")
                if not any(clean_text(label) for label in slots):
                    raise click.BadParameter("must not be empty", param_hint="--slot")
                set_slot_labels(programme, list(slots))
            check_programme(programme)
        except SettingRefused as refused:
            db.session.rollback()
            raise click.ClickException(f"{refused.message} ({CLI_OPTIONS.get(refused.field, '--' + refused.field)})") from None
        if record_change(programme, before, "cli"):
            db.session.commit()
        click.echo(describe(programme))

    @programme_command.command("new")
    @click.option("--name", required=True, help="the new programme's name, e.g. 'Action Learning Sets 2027–28'")
    @click.option("--deadline", required=True, help="UK time, YYYY-MM-DD HH:MM")
    @click.option("--opens", help="UK time, YYYY-MM-DD HH:MM (default: open now)")
    def programme_new_command(name: str, deadline: str, opens: str | None) -> None:
        """Open the next programme with the current one's settings; the current one becomes history."""
        previous = current_programme()
        if previous is None:
            raise click.ClickException("There is no programme yet: run `als programme` to create the first one.")
        try:
            programme = open_next_programme(
                previous, _text_option(name, "--name", Programme.__table__.c.name.type.length),
                _parse_london(deadline, "--deadline"), _parse_london(opens, "--opens") if opens else None, utcnow())
        except SettingRefused as refused:
            db.session.rollback()
            raise click.ClickException(f"{refused.message} ({CLI_OPTIONS.get(refused.field, '--' + refused.field)})") from None
        db.session.flush()
        audit.record("cli", "programme.created", f"programme:{programme.id}", after={"after": previous.name})
        db.session.commit()
        click.echo(f"Opened {programme.name}; {previous.name} and its sets are kept as history, and people who were "
                   f"in a set together are kept apart when the new sets are formed.")
        click.echo(describe(programme))

    @app.cli.command("demo")
    @click.option("--applicants", default=140, show_default=True, type=click.IntRange(1, 20000))
    @click.option("--seed", default=1, show_default=True, type=int)
    @click.option("--through", type=click.IntRange(0, 6),
                  help="also confirm sets and run them up to this session (0: dates published, none held yet), "
                       "with staff sign-ins; on a database whose sets are not confirmed yet")
    def demo_command(applicants: int, seed: int, through: int | None) -> None:
        """Fill the database with realistic, varied fake applications (and with --through, a whole
        programme: sets, facilitators, schedules, attendance, actions and reviews)."""
        from app.demo import DemoRefused, add_demo_applications, describe_filled, emails_not_logged, fill_programme

        programme = current_programme() or create_default_programme(utcnow())
        if through is None:
            added = add_demo_applications(programme, applicants, seed)
            db.session.commit()
            click.echo(f"Added {added} demo application(s) to {programme.name} (seed {seed}).")
            return
        try:
            with emails_not_logged():
                filled = fill_programme(programme, applicants, seed, through)
        except DemoRefused as refused:
            db.session.rollback()
            raise click.ClickException(str(refused)) from None
        db.session.commit()
        click.echo("\n".join(describe_filled(filled, programme, seed, through)))
