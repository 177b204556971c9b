from __future__ import annotations

import secrets

import click
from flask import Flask
from sqlalchemy import func, select

from app.auth.accounts import create_user
from app.clock import utcnow
from app.extensions import db
from app.models import Role, User


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
    @click.option("--generate", is_flag=True, help="generate a strong password and print it")
    @click.option("--password", envvar="ALS_NEW_PASSWORD", hidden=True, help="for scripts: the password itself")
    def create_user_command(email: str, role: str, generate: bool, password: str | None) -> None:
        """Create a staff account (organiser or finance)."""
        if "@" not in email:
            raise click.BadParameter("give an email address", param_hint="EMAIL")
        if db.session.scalars(select(User).where(func.lower(User.email) == email.lower())).first():
            raise click.ClickException(f"{email} already has an account.")
        if generate:
            password = secrets.token_urlsafe(12)
        elif not password:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 10:
            raise click.ClickException("Use a password of at least 10 characters (or --generate).")
        create_user(email, password, Role(role), utcnow(), by="cli")
        db.session.commit()
        click.echo(f"Created {role} account for {email.lower()}.")
        if generate:
            click.echo(f"Password: {password}")
