"""The organiser's forms: list filters (GET), bulk status, eligibility, score and status."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.models import ApplicationStatus, Sector
from app.review.queries import DEFAULT_SORT, SORTS
from app.text import paragraphs, single_line

STATUS_CHOICES = [(status.value, status.label) for status in ApplicationStatus]
COMMENT_LIMIT = 5000




class FilterForm(FlaskForm):
    """Read from the query string, so a filtered list is a link that can be shared or bookmarked."""

    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Search by name or organisation", widget=GovTextInput(), filters=[single_line])
    status = SelectMultipleField("Status", widget=GovCheckboxesInput(), choices=STATUS_CHOICES, validate_choice=False)
    sector = SelectMultipleField(
        "Sector", widget=GovCheckboxesInput(), choices=[(s.value, s.label) for s in Sector], validate_choice=False
    )
    slot = SelectMultipleField("Place and time", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    sort = SelectField(
        "Sort by", widget=GovSelect(), choices=[(key, label) for key, (label, _) in SORTS.items()], default=DEFAULT_SORT,
        validate_choice=False,
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class BulkStatusForm(FlaskForm):
    # The references are checked against the database, not against a fixed list of choices.
    selected = SelectMultipleField("Applications", choices=[], validate_choice=False)
    status = SelectField(
        "Change status of selected to", widget=GovSelect(), choices=[("", "Choose a status"), *STATUS_CHOICES],
        validators=[InputRequired("Choose the status to give the selected applications")],
    )
    submit = SubmitField("Change status of selected", widget=GovSubmitInput())

    def validate_status(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in {value for value, _ in STATUS_CHOICES}:
            raise ValidationError("Choose the status to give the selected applications")

    def validate_selected(self, field) -> None:  # type: ignore[no-untyped-def]
        if not field.data:
            raise ValidationError("Select at least one application")


CHECK_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not checked yet")]


class EligibilityForm(FlaskForm):
    senior_role = RadioField("Do they hold a senior leadership role?", widget=GovRadioInput(), choices=CHECK_CHOICES,
                             validators=[InputRequired("Select whether they hold a senior leadership role")])
    commitment = RadioField("Can they commit to all six sessions?", widget=GovRadioInput(), choices=CHECK_CHOICES,
                            validators=[InputRequired("Select whether they can commit to all six sessions")])
    fee = RadioField("Have they agreed to the fee?", widget=GovRadioInput(), choices=CHECK_CHOICES,
                     validators=[InputRequired("Select whether they have agreed to the fee")])
    notes = TextAreaField(
        "Organiser's notes (optional)", widget=GovCharacterCount(), filters=[paragraphs],
        description="Only staff see these notes",
        validators=[Length(max=COMMENT_LIMIT, message=f"Notes must be {COMMENT_LIMIT:,} characters or fewer")],
    )
    submit = SubmitField("Save eligibility checks", widget=GovSubmitInput())


class ScoreForm(FlaskForm):
    score = RadioField(
        "Your score", widget=GovRadioInput(),
        description="1 is a weak application, 5 a very strong one",
        choices=[(str(n), str(n)) for n in range(1, 6)], validate_choice=False,
        validators=[InputRequired("Select a score from 1 to 5")],
    )
    comment = TextAreaField(
        "Your comment (optional)", widget=GovCharacterCount(), filters=[paragraphs],
        validators=[Length(max=COMMENT_LIMIT, message=f"Comment must be {COMMENT_LIMIT:,} characters or fewer")],
    )
    submit = SubmitField("Save score", widget=GovSubmitInput())

    def validate_score(self, field) -> None:  # type: ignore[no-untyped-def]
        # Checked here rather than by WTForms' "Not a valid choice", to say what to do instead.
        if field.data not in {str(n) for n in range(1, 6)}:
            raise ValidationError("Select a score from 1 to 5")


class StatusForm(FlaskForm):
    status = SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES, validate_choice=False,
                         validators=[InputRequired("Choose a status")])
    submit = SubmitField("Change status", widget=GovSubmitInput())

    def validate_status(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in {value for value, _ in STATUS_CHOICES}:
            raise ValidationError("Choose a status from the list")


def check_value(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def check_bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)
