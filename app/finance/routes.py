from __future__ import annotations

from flask import render_template

from app.auth import role_required
from app.finance import bp
from app.models import Role


@bp.route("/")
@role_required(Role.FINANCE, Role.ORGANISER)
def index() -> str:
    return render_template("finance/index.html")
