"""The organiser's running pages: how each set is going, in counts and attendance only, and
choosing each set's facilitator.

Chatham House: these pages read app.running.service's counts (counts_of, attendance, flags)
and never the words of a set (issue titles, ground rules, issues, actions, learning).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField, SubmitField

from app.auth import actor, role_required
from app.extensions import db
from app.models import LearningSet, Role, User
from app.programmes import current_programme
from app.running import service
from app.schedule import service as schedule

bp = Blueprint("running", __name__, url_prefix="/manage/running")


@bp.after_request
def no_store(response: Response) -> Response:
    # Who is in which set and who missed sessions: never kept in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


class FacilitatorForm(FlaskForm):
    facilitator = RadioField("Who will facilitate this set?", widget=GovRadioInput(), choices=[],
                             validate_choice=False)
    # The facilitator the organiser was warned about; assigning goes ahead once they confirm them.
    confirmed = HiddenField()
    submit = SubmitField("Assign facilitator", widget=GovSubmitInput())


class RemoveFacilitatorForm(FlaskForm):
    submit = SubmitField("Remove the facilitator", widget=GovSubmitInput())


@dataclass
class SetRow:
    learning_set: LearningSet
    counts: service.SetCounts
    sessions: int   # how many sessions the set has (or will have, when not planned yet)


def numbers_in_words(numbers: list[int]) -> str:
    """[2, 3, 4] -> "2, 3 and 4"."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _set(set_id: int) -> LearningSet:
    return schedule.set_of_current_programme(set_id) or abort(404)


@bp.route("/")
@role_required(Role.ORGANISER, Role.FINANCE)
def index() -> str:
    """Every set of the programme: its facilitator, sessions recorded, attendance per session and
    actions set, reviewed and done; members who missed two sessions in a row come first. Finance
    sees the same counts, without the organiser's links."""
    programme = current_programme()
    rows = []
    for learning_set in schedule.sets_of(programme) if programme else []:
        planned = len(service.sessions_of(learning_set))
        rows.append(SetRow(learning_set, service.counts_of(learning_set), planned or programme.sessions))
    flags = service.missed_in_a_row(programme) if programme else []
    columns = max((row.sessions for row in rows), default=0)
    return render_template("running/index.html", programme=programme, rows=rows, flags=flags, columns=columns,
                           numbers_in_words=numbers_in_words, missed_in_a_row=service.MISSED_IN_A_ROW,
                           manages=current_user.role is Role.ORGANISER)


@bp.route("/sets/<int:set_id>/facilitator", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def facilitator(set_id: int) -> Response | str:
    """Choose the set's facilitator from the active ones, each shown with the reasons they may not
    suit it (a colleague among the members, a place and time they have not said they can attend);
    choosing one with such a reason asks the organiser to confirm."""
    learning_set = _set(set_id)
    people = service.facilitators()
    by_id = {str(user.id): user for user in people}
    form = FacilitatorForm()
    if not form.is_submitted():
        form.facilitator.data = str(learning_set.facilitator_id or "")
    form.facilitator.choices = [(str(user.id), user.label) for user in people]
    # Each person's organisation and warnings under their name, in the order of the choices.
    item_hints = [{"hint": {"text": hint}} if hint else {} for hint in (_hint(learning_set, u) for u in people)]
    warnings: list[str] = []
    chosen: User | None = None
    if form.validate_on_submit():
        chosen = by_id.get(form.facilitator.data or "")
        if chosen is None:
            form.facilitator.errors = ["Select who will facilitate this set"]
        elif chosen.id == learning_set.facilitator_id:
            flash(f"{chosen.label} already facilitates {learning_set.name}", "info")
            return redirect(url_for("running.index"))
        else:
            warnings = service.facilitator_warnings(learning_set, chosen)
            if not warnings or form.confirmed.data == str(chosen.id):
                service.assign_facilitator(learning_set, chosen, actor())
                db.session.commit()
                flash(f"{chosen.label} will facilitate {learning_set.name}", "success")
                return redirect(url_for("running.index"))
            form.confirmed.data = str(chosen.id)
    errors = [{"text": form.facilitator.errors[0], "href": f"#{form.facilitator.id}"}] if form.facilitator.errors else []
    return render_template("running/facilitator.html", learning_set=learning_set, form=form, item_hints=item_hints,
                           warnings=warnings, chosen=chosen, errors=errors, remove_form=RemoveFacilitatorForm())


def _hint(learning_set: LearningSet, user: User) -> str:
    """What the organiser should know before choosing this person for this set."""
    warnings = service.facilitator_warnings(learning_set, user)
    # Their organisation, unless a warning about a colleague names it already.
    about = [f"Works for {user.organisation}"] if user.organisation and not any(
        user.organisation in warning for warning in warnings) else []
    parts = [*about, *warnings]
    return ". ".join(parts) + "." if parts else ""


@bp.route("/sets/<int:set_id>/facilitator/remove", methods=["POST"])
@role_required(Role.ORGANISER)
def remove_facilitator(set_id: int) -> Response:
    """Leave the set without a facilitator (until another is chosen)."""
    learning_set = _set(set_id)
    if RemoveFacilitatorForm().validate_on_submit():
        before = learning_set.facilitator
        if service.assign_facilitator(learning_set, None, actor()):
            db.session.commit()
            flash(f"{before.label if before else 'The facilitator'} no longer facilitates {learning_set.name}",
                  "success")
        else:
            flash(f"{learning_set.name} had no facilitator", "info")
    return redirect(url_for("running.index"))
