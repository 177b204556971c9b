"""The organiser's page of staff accounts: who can sign in, when they last did, and switching an
account off or on again."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import actor, role_required, staff_bp
from app.auth.accounts import set_active, staff_accounts
from app.extensions import db
from app.models import Role, User

CANNOT_DEACTIVATE_SELF = "You cannot deactivate your own account. Ask another organiser, or use als deactivate-user"


def _render(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("auth/staff.html", users=staff_accounts(), error=error), status


@staff_bp.route("/")
@role_required(Role.ORGANISER)
def index() -> tuple[str, int]:
    """Every staff account: role, whether it can sign in, when it last did, failed attempts since."""
    return _render()


@staff_bp.route("/<int:user_id>/<any(deactivate, reactivate):change>", methods=["POST"])
@role_required(Role.ORGANISER)
def change_active(user_id: int, change: str) -> Response | tuple[str, int]:
    """Deactivate (signing them out at once) or reactivate an account; never your own."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    active = change == "reactivate"
    if not active and user.id == current_user.id:
        return _render(CANNOT_DEACTIVATE_SELF, 400)
    if set_active(user, active, by=actor()):
        db.session.commit()
        flash(f"{user.email} {'can sign in again' if active else 'is deactivated and signed out'}", "success")
    else:
        flash(f"{user.email} was already {'active' if active else 'deactivated'}", "info")
    return redirect(url_for("staff.index"))
