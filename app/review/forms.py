"""The organiser's forms: list filters (GET), bulk status, eligibility, score and status."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.applications.forms import ApplicationForm, ChoiceCheckboxesField, ChoiceRadioField
from app.models import ApplicationStatus, Payer, Sector
from app.review.queries import DEFAULT_SORT, SORTS
from app.text import paragraphs, single_line

STATUS_CHOICES = [(status.value, status.label) for status in ApplicationStatus]
# Selected needs a set (the "Offer a place" form); nothing ever becomes Late.
CHOSEN_STATUSES = [status for status in ApplicationStatus
                   if status not in (ApplicationStatus.SELECTED, ApplicationStatus.LATE)]
COMMENT_LIMIT = 5000
REASON_LIMIT = 500


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
        "Change status of selected to", widget=GovSelect(),
        choices=[("", "Choose a status"), *((s.value, s.label) for s in CHOSEN_STATUSES)],
        validators=[InputRequired("Choose the status to give the selected applications")],
    )
    # "yes" once the organiser has seen what the change would do (review/confirm_status.html).
    confirmed = HiddenField()
    submit = SubmitField("Change status of selected", widget=GovSubmitInput())

    def validate_status(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in {status.value for status in CHOSEN_STATUSES}:
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
    """The statuses the application may move to now (configure), each change with an optional reason."""

    status = SelectField("Change the status to", widget=GovSelect(), choices=[], validate_choice=False,
                         validators=[InputRequired("Choose a status")])
    reason = StringField(
        "Reason (optional)", widget=GovTextInput(), filters=[single_line],
        description="Kept in the history of this application",
        validators=[Length(max=REASON_LIMIT, message=f"The reason must be {REASON_LIMIT} characters or fewer")],
    )
    confirmed = HiddenField()  # "yes" once the organiser has seen that they leave their set
    submit = SubmitField("Change status", widget=GovSubmitInput())

    def configure(self, current: ApplicationStatus) -> StatusForm:
        # No status is chosen until the organiser picks one, so "Change status" alone changes nothing.
        self.status.choices = [("", "Choose a status"),
                               *((s.value, s.label) for s in CHOSEN_STATUSES if current.can_become(s))]
        return self

    def validate_status(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Choose a status from the list")


class OfferForm(FlaskForm):
    learning_set = RadioField("Which set?", widget=GovRadioInput(), choices=[], validate_choice=False,
                              validators=[InputRequired("Choose the set to offer them a place in")])
    anyway = BooleanField("Offer the place anyway, although the set would break a rule", widget=GovCheckboxInput())
    submit = SubmitField("Offer the place", widget=GovSubmitInput())

    def validate_learning_set(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose the set to offer them a place in")


class AnswersForm(ApplicationForm):
    """The organiser's change to someone's answers: the application form's fields and checks, less
    the long answers, the note and the applicant's declarations."""

    offer = expectations = note_file = remove_note_file = note_text = None  # type: ignore[assignment]
    agree_commitment = agree_fee = agree_chatham_house = agree_privacy = None  # type: ignore[assignment]
    sector = ChoiceRadioField(
        "Sector", invalid_message="Select public, private or voluntary sector", widget=GovRadioInput(),
        choices=[(sector.value, sector.label) for sector in Sector],
        validators=[InputRequired("Select the sector their organisation works in")],
    )
    slots = ChoiceCheckboxesField(
        "Places and times they can attend", invalid_message="Select places and times from the list",
        widget=GovCheckboxesInput(), choices=[],
        validators=[InputRequired("Select at least one place and time they can attend")],
    )
    payer = ChoiceRadioField(
        "Who will pay the fee?", invalid_message="Select whether they or their organisation will pay",
        widget=GovRadioInput(), choices=[(payer.value, payer.label) for payer in Payer],
        validators=[InputRequired("Select who will pay the fee")],
    )
    save_anyway = BooleanField("Save anyway, although their set would break a rule", widget=GovCheckboxInput())
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    FIELDS = ("full_name", "email", "phone", "organisation", "sector", "job_title", "slots", "payer")

    def edited(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


def check_value(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def check_bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)
