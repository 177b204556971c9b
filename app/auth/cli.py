"""Staff accounts on the server (`als create-user`, `users`, `deactivate-user`, `reactivate-user`,
`reset-password`): for the first organiser and for when nobody can sign in. Audit-logged as "cli"."""
from __future__ import annotations


import click
from flask import Flask

from app.auth.accounts import (
    MIN_PASSWORD_LENGTH,
    create_user,
    generate_password,
    find_user,
    normalise_email,
    reset_password,
    set_active,
    staff_accounts,
)
from app.auth.staff import DetailsRefused, check_details, places_as_written, set_facilitator_details
from app.clock import format_london, utcnow
from app.extensions import db
from app.models import Role, User


def _email_argument(email: str) -> str:
    """An email given on the command line, without control characters (a paste may carry some)."""
    cleaned = normalise_email(email)
    if "@" not in cleaned:
        raise click.BadParameter("give an email address", param_hint="EMAIL")
    return cleaned


def _existing(email: str) -> User:
    user = find_user(_email_argument(email))
    if user is None:
        raise click.ClickException(f"There is no staff account for {normalise_email(email)}. See `als users`.")
    return user


def _new_password(generate: bool, password: str | None) -> str:
    if generate:
        return generate_password()
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters (or --generate).")
    return password


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
    @click.option("--name", "full_name", default="", help="a facilitator's full name")
    @click.option("--organisation", default="", help="a facilitator's organisation (warns before a set with a colleague)")
    @click.option("--can-attend", "can_attend", multiple=True, metavar="PLACE_AND_TIME",
                  help="a place and time of the current programme the facilitator can attend; repeat for more")
    @click.option("--generate", is_flag=True, help="generate a strong password and print it")
    @click.option("--password", envvar="ALS_NEW_PASSWORD", hidden=True, help="for scripts: the password itself")
    def create_user_command(email: str, role: str, full_name: str, organisation: str, can_attend: tuple[str, ...],
                            generate: bool, password: str | None) -> None:
        """Create a staff account (organiser, finance or facilitator)."""
        email = _email_argument(email)
        if find_user(email):
            raise click.ClickException(f"{email} already has an account.")
        facilitator = Role(role) is Role.FACILITATOR
        if not facilitator and (full_name or organisation or can_attend):
            raise click.ClickException("--name, --organisation and --can-attend are for facilitators "
                                       "(--role facilitator).")
        try:
            check_details(full_name, organisation)
            places = places_as_written(can_attend)
        except DetailsRefused as refused:
            raise click.ClickException(str(refused)) from None
        password = _new_password(generate, password)
        user = create_user(email, password, Role(role), utcnow(), by="cli")
        if facilitator:
            set_facilitator_details(user, full_name, organisation, places, by="cli")
        db.session.commit()
        click.echo(f"Created {role} account for {email}.")
        if facilitator:
            click.echo(f"Can attend: {'; '.join(places) if places else 'no places and times yet'} "
                       "(the organiser can change this on the staff accounts page).")
        if generate:
            click.echo(f"Password: {password}")

    @app.cli.command("users")
    def users_command() -> None:
        """List staff accounts: email, role, whether active, last sign-in (UK time)."""
        users = staff_accounts()
        if not users:
            click.echo("No staff accounts yet. Create one with `als create-user EMAIL --role organiser`.")
            return
        width = max(len(user.email) for user in users)
        roles = max(len(role.value) for role in Role)
        click.echo(f"{'email':<{width}}  {'role':<{roles}}  {'active':<6}  last sign-in")
        for user in users:
            last = format_london(user.last_login_at) if user.last_login_at else "never"
            click.echo(f"{user.email:<{width}}  {user.role.value:<{roles}}  {'yes' if user.active else 'no':<6}  {last}")

    def change_active(email: str, active: bool) -> None:
        user = _existing(email)
        if not set_active(user, active, by="cli"):
            click.echo(f"{user.email} was already {'active' if active else 'deactivated'}.")
            return
        db.session.commit()
        click.echo(f"Reactivated {user.email}." if active else f"Deactivated {user.email} and signed them out.")

    @app.cli.command("deactivate-user")
    @click.argument("email")
    def deactivate_user_command(email: str) -> None:
        """Stop a staff account signing in, and sign it out everywhere now."""
        change_active(email, False)

    @app.cli.command("reactivate-user")
    @click.argument("email")
    def reactivate_user_command(email: str) -> None:
        """Let a deactivated staff account sign in again."""
        change_active(email, True)

    @app.cli.command("reset-password")
    @click.argument("email")
    @click.option("--generate", is_flag=True, help="generate a strong password and print it")
    @click.option("--password", envvar="ALS_NEW_PASSWORD", hidden=True, help="for scripts: the password itself")
    def reset_password_command(email: str, generate: bool, password: str | None) -> None:
        """Set a new password for a staff account; forgets failed attempts and signs it out everywhere."""
        user = _existing(email)
        password = _new_password(generate, password)
        reset_password(user, password, by="cli")
        db.session.commit()
        click.echo(f"New password set for {user.email}; their other sessions are signed out.")
        if not user.active:
            click.echo(f"The account is deactivated: `als reactivate-user {user.email}` lets them sign in.")
        if generate:
            click.echo(f"Password: {password}")
