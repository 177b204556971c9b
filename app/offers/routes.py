"""The organiser's offers page."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.clock import london, utcnow
from app.extensions import db
from app.models import Role
from app.offers import bp
from app.offers.forms import RemindOffersForm
from app.offers.service import due_for_reminder, offer_groups, queue_response_reminders
from app.programmes import current_programme


@bp.after_request
def no_store(response: Response) -> Response:
    # Names and answers of people offered a place: never kept in a shared or back-button cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@role_required(Role.ORGANISER)
def index() -> str:
    """Everyone offered a place: accepted, waiting for an answer, past the date to answer, declined."""
    programme = current_programme()
    now = utcnow()
    groups = offer_groups(programme, now) if programme else None
    to_remind = len(due_for_reminder(programme, now)) if programme else 0
    return render_template("offers/index.html", programme=programme, groups=groups, to_remind=to_remind,
                           today=london(now).date(), remind_form=RemindOffersForm(prefix="remind"))


@bp.route("/reminders", methods=["POST"])
@role_required(Role.ORGANISER)
def remind() -> BaseResponse:
    """Queue the one reminder each for people offered a place a week ago who have not answered."""
    programme = current_programme()
    if programme is None or not RemindOffersForm(prefix="remind").validate_on_submit():
        return redirect(url_for("offers.index"))
    queued = queue_response_reminders(programme, utcnow(), actor())
    db.session.commit()
    flash(f"{queued} reminder{'' if queued == 1 else 's'} queued" if queued
          else "No reminders to send: everyone offered a place a week ago or more has answered or been reminded",
          "success" if queued else "info")
    return redirect(url_for("offers.index"))
