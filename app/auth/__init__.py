"""Staff sign-in: login, logout, roles checked on every staff page, the organiser's list of staff
accounts, and the `als` commands that manage accounts."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Blueprint, Flask, abort
from flask_login import LoginManager, current_user

from app.extensions import db
from app.models import Role, User

bp = Blueprint("auth", __name__, url_prefix="/staff")
# Organisers' pages about staff accounts live with the other staff pages under /manage.
staff_bp = Blueprint("staff", __name__, url_prefix="/manage/staff")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"

F = TypeVar("F", bound=Callable)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    return user if user is not None and user.session_token == token and user.active else None


def role_required(*roles: Role) -> Callable[[F], F]:
    """Anonymous visitors go to the login page; signed-in staff without the role get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def actor() -> str:
    """Who to name in the audit log for the current request."""
    return current_user.email if current_user.is_authenticated else "anonymous"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    from app.auth import cli, routes, staff  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    cli.init_app(app)
