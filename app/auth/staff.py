"""The organiser's page of staff accounts: who can sign in, when they last did, switching an
account off or on again, and a facilitator's details (name, organisation, places and times)."""
from __future__ import annotations

from collections.abc import Iterable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length
from werkzeug.wrappers import Response

from app import audit
from app.auth import actor, role_required, staff_bp
from app.auth.accounts import set_active, staff_accounts
from app.extensions import db
from app.models import Role, User
from app.programmes import current_programme
from app.text import clean_text, single_line

CANNOT_DEACTIVATE_SELF = "You cannot deactivate your own account. Ask another organiser, or use als deactivate-user"
DETAIL_LIMIT = 200  # User.full_name and User.organisation hold this many characters


class DetailsRefused(ValueError):
    """A facilitator's details that cannot be saved, with a message for people."""


def programme_places() -> list[str]:
    """The current programme's places and times, in the organiser's order."""
    programme = current_programme()
    return [slot.label for slot in programme.slots] if programme else []


def places_as_written(typed: Iterable[str]) -> list[str]:
    """The programme's own labels for the places typed (case and spacing aside), so that they
    match the sets' labels exactly; DetailsRefused names any that are not places of the programme."""
    known = {clean_text(label).casefold(): label for label in programme_places()}
    chosen, unknown = [], []
    for value in typed:
        label = known.get(clean_text(value).casefold())
        if label is None:
            unknown.append(clean_text(value))
        elif label not in chosen:
            chosen.append(label)
    if unknown:
        valid = "; ".join(f"“{label}”" for label in known.values()) or "none: add places and times first"
        raise DetailsRefused(f"Not a place and time of the current programme: {', '.join(unknown)}. "
                            f"The places and times are: {valid}")
    return chosen


def check_details(full_name: str, organisation: str) -> None:
    """DetailsRefused if a name or organisation is longer than the account holds."""
    for value, what in ((full_name, "Full name"), (organisation, "Organisation")):
        if len(clean_text(value)) > DETAIL_LIMIT:
            raise DetailsRefused(f"{what} must be {DETAIL_LIMIT} characters or fewer")


def set_facilitator_details(user: User, full_name: str, organisation: str, can_attend: list[str], by: str) -> bool:
    """A facilitator's name, organisation and the places and times they can attend (labels as the
    programme writes them), which the organiser is warned against when assigning them to a set.
    Returns whether anything changed."""
    check_details(full_name, organisation)
    before = {"full_name": user.full_name, "organisation": user.organisation, "can_attend": list(user.can_attend or [])}
    after = {"full_name": clean_text(full_name), "organisation": clean_text(organisation), "can_attend": list(can_attend)}
    if before == after:
        return False
    user.full_name, user.organisation, user.can_attend = after["full_name"], after["organisation"], after["can_attend"]
    audit.record(by, "user.details_changed", f"user:{user.email}", before=before, after=after)
    return True


class FacilitatorForm(FlaskForm):
    full_name = StringField("Full name", widget=GovTextInput(), filters=[single_line],
                            validators=[Length(max=DETAIL_LIMIT, message=f"Full name must be {DETAIL_LIMIT} "
                                                                         "characters or fewer")])
    organisation = StringField("Organisation", widget=GovTextInput(), filters=[single_line],
                               description="So you are warned before they facilitate a set with a colleague in it",
                               validators=[Length(max=DETAIL_LIMIT, message=f"Organisation must be {DETAIL_LIMIT} "
                                                                            "characters or fewer")])
    can_attend = SelectMultipleField("Places and times they can attend", widget=GovCheckboxesInput(), choices=[],
                                     description="Select all that apply")
    submit = SubmitField("Save details", widget=GovSubmitInput())


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


@staff_bp.route("/<int:user_id>/details", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def facilitator_details(user_id: int) -> Response | str:
    """Change a facilitator's name, organisation and the places and times they can attend."""
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.FACILITATOR:
        abort(404)
    form = FacilitatorForm(data={"full_name": user.full_name, "organisation": user.organisation,
                                 "can_attend": list(user.can_attend or [])})
    places = programme_places()
    # Places from an earlier programme stay on offer, so saving never drops one silently.
    form.can_attend.choices = [(label, label) for label in
                               [*places, *(label for label in user.can_attend or [] if label not in places)]]
    if form.validate_on_submit():
        changed = set_facilitator_details(user, form.full_name.data or "", form.organisation.data or "",
                                          list(form.can_attend.data or []), by=actor())
        db.session.commit()
        if changed:
            flash(f"Details saved for {user.label}", "success")
        else:
            flash(f"You did not change {user.label}'s details", "info")
        return redirect(url_for("staff.index"))
    errors = [{"text": field.errors[0], "href": f"#{field.id}"} for field in form if field.errors]
    return render_template("auth/facilitator.html", user=user, form=form, errors=errors)
