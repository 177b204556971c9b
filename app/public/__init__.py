"""Public information pages: the start page and the privacy notice."""
from flask import Blueprint, render_template
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import LearningSet, Programme
from app.programmes import current_programme

bp = Blueprint("public", __name__)


@bp.route("/")
def start() -> str:
    """The start page: what a set is, who it is for, the cost, and whether applications are open."""
    programme = current_programme()
    now = utcnow()
    is_open = programme is not None and programme.is_open(now)
    return render_template(
        "public/start.html",
        programme=programme,
        is_open=is_open,
        not_yet_open=programme is not None and not programme.has_opened(now),
        # The organiser confirmed sets before the deadline: places are being offered already.
        places_offered=is_open and programme is not None and _sets_confirmed(programme),
    )


def _sets_confirmed(programme: Programme) -> bool:
    return db.session.scalars(select(LearningSet.id).where(LearningSet.programme_id == programme.id)).first() is not None


@bp.route("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html", programme=current_programme())
