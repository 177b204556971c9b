from __future__ import annotations

from flask import render_template

from app.auth import role_required
from app.models import Role
from app.schedule import bp


@bp.route("/")
@role_required(Role.ORGANISER)
def index() -> str:
    return render_template("schedule/index.html")
