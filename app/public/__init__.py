"""Public information pages: the start page and the privacy notice."""
from flask import Blueprint, render_template

from app.clock import utcnow
from app.programmes import current_programme

bp = Blueprint("public", __name__)


@bp.route("/")
def start() -> str:
    programme = current_programme()
    now = utcnow()
    return render_template(
        "public/start.html",
        programme=programme,
        is_open=programme is not None and programme.is_open(now),
        not_yet_open=programme is not None and not programme.has_opened(now),
    )


@bp.route("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html", programme=current_programme())
