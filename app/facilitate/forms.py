"""The facilitator's forms: a session's record, a presenter's action, reviewing actions, re-planning.

The record and review forms ask one question per member or per action, so they are built for the
page (record_form, review_form) on top of a class that holds the checks.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.models import Action, ActionOutcome, Application, Attendance
from app.running.service import ACTION_LIMIT, LEARNING_LIMIT, RECORD_LIMIT
from app.schedule.forms import DateParts
from app.schedule.planner import Interval
from app.text import paragraphs

ATTENDANCE_CHOICES = [(mark.value, mark.label) for mark in Attendance]
OUTCOME_CHOICES = [(outcome.value, outcome.label) for outcome in ActionOutcome]
INTERVAL_CHOICES = [("monthly", "Monthly, on the same weekday of the month"), ("weeks", "Every number of weeks")]
PRIVATE = "Private to the set: only its members and you can read this"


def _too_long(what: str, limit: int) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class RecordForm(FlaskForm):
    """A session's record; record_form adds attendance for each member and session 1's agreements."""

    members: Sequence[Application] = ()
    submit = SubmitField("Save the record", widget=GovSubmitInput())

    def attendance_field(self, application: Application) -> Field:
        return self[f"attendance_{application.id}"]

    def attendance(self) -> dict[int, Attendance]:
        return {a.id: Attendance(self.attendance_field(a).data) for a in self.members}

    def presented_ids(self) -> list[int]:
        members = {a.id for a in self.members}
        return [int(value) for value in self["presented"].data if value.isdigit() and int(value) in members]

    def agreed_interval(self) -> Interval | None:
        if "interval" not in self:
            return None
        if self["interval"].data == "weeks":
            return Interval("weeks", int(self["weeks"].data.strip()))
        return Interval("monthly")

    def validate_interval(self, field: Field) -> None:
        if field.data not in {value for value, _ in INTERVAL_CHOICES}:
            raise ValidationError("Select how often the members agreed to meet")

    def validate_weeks(self, field: Field) -> None:
        if self["interval"].data != "weeks":
            return
        text = (field.data or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 26:
            raise ValidationError("Number of weeks must be a whole number from 1 to 26")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Said here, on the member's own question, rather than as the service's refusal.
        known = {value for value, _ in ATTENDANCE_CHOICES}
        for application in self.members:
            field = self.attendance_field(application)
            if field.data not in known and not field.errors:
                # validate_choice is off for the GOV.UK wording; an unknown value is still refused
                field.errors = [f"Select whether {application.full_name} was present, sent apologies or was absent"]
                valid = False
                continue
            if application.id in self.presented_ids() and not field.errors and field.data != Attendance.PRESENT.value:
                field.errors = [f"{application.full_name} presented, so mark them present"]
                valid = False
        return valid


def record_form(members: Sequence[Application], first_session: bool, data: dict[str, Any]) -> RecordForm:
    """The record form for one session: a present/apologies/absent question per member, who
    presented, and for session 1 the ground rules, issues and agreed interval. `data` fills it in
    when nothing was posted (the record so far, or the rota's presenters)."""

    class SessionRecordForm(RecordForm):
        pass

    SessionRecordForm.members = tuple(members)
    for application in members:
        setattr(SessionRecordForm, f"attendance_{application.id}", RadioField(
            application.full_name, widget=GovRadioInput(), choices=ATTENDANCE_CHOICES, validate_choice=False,
            validators=[InputRequired(f"Select whether {application.full_name} was present, sent apologies "
                                      "or was absent")]))
    SessionRecordForm.presented = SelectMultipleField(
        "Who presented?", widget=GovCheckboxesInput(), choices=[(str(a.id), a.full_name) for a in members],
        validate_choice=False, description="Ticked: the members the rota has presenting at this session")
    if first_session:
        SessionRecordForm.ground_rules = TextAreaField(
            "Ground rules the set agreed (optional)", widget=GovCharacterCount(), filters=[paragraphs],
            description=PRIVATE, validators=[_too_long("The ground rules", RECORD_LIMIT)])
        SessionRecordForm.issues = TextAreaField(
            "Issues the set wants to work on (optional)", widget=GovCharacterCount(), filters=[paragraphs],
            description=PRIVATE, validators=[_too_long("The issues", RECORD_LIMIT)])
        SessionRecordForm.interval = RadioField(
            "How often did the members agree to meet?", widget=GovRadioInput(), choices=INTERVAL_CHOICES,
            validate_choice=False)
        SessionRecordForm.weeks = StringField(
            "Number of weeks between sessions", widget=GovTextInput(),
            description="Only if they agreed to meet every number of weeks: from 1 to 26, for example 4")
    return SessionRecordForm(data=data)


def interval_data(interval: Interval | None) -> dict[str, str]:
    """What the interval questions show for an interval (or monthly, the programme's usual one)."""
    if interval is None or interval.kind == "monthly":
        return {"interval": "monthly", "weeks": ""}
    return {"interval": "weeks", "weeks": str(interval.weeks)}


class ActionForm(FlaskForm):
    presenter = RadioField("Whose action is it?", widget=GovRadioInput(), choices=[], validate_choice=False,
                           validators=[InputRequired("Select whose action this is")])
    what = TextAreaField("What will they do?", widget=GovCharacterCount(), filters=[paragraphs],
                         description="A clear action, in the presenter's words",
                         validators=[InputRequired("Enter what the action is"), _too_long("The action", ACTION_LIMIT)])
    due_on = DateParts("By when? (optional)", noun="The date")
    submit = SubmitField("Add the action", widget=GovSubmitInput())

    def validate_presenter(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Select whose action this is")


class ReviewForm(FlaskForm):
    """Reviews of the actions open at a session; review_form adds the questions for each action."""

    actions: Sequence[Action] = ()
    submit = SubmitField("Save the reviews", widget=GovSubmitInput())

    def outcome_field(self, action: Action) -> Field:
        return self[f"outcome_{action.id}"]

    def learning_field(self, action: Action) -> Field:
        return self[f"learning_{action.id}"]

    def reviewed(self) -> list[tuple[Action, ActionOutcome, str]]:
        """The actions given an outcome, with it and the learning."""
        return [(a, ActionOutcome(self.outcome_field(a).data), self.learning_field(a).data or "")
                for a in self.actions if self.outcome_field(a).data in {v for v, _ in OUTCOME_CHOICES}]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        outcomes = {v for v, _ in OUTCOME_CHOICES}
        for action in self.actions:
            outcome = self.outcome_field(action)
            if outcome.data not in outcomes and (self.learning_field(action).data or "").strip():
                outcome.errors = [f"Select what happened to {action.application.full_name}'s action, "
                                  "or clear its learning"]
                valid = False
        if valid and self.actions and not self.reviewed():
            self.outcome_field(self.actions[0]).errors = ["Select what happened to at least one action"]
            valid = False
        return valid


def review_form(actions: Iterable[Action], data: dict[str, Any]) -> ReviewForm:
    """Done / partly / not done / dropped and a line of learning for each action."""

    class ActionsReviewForm(ReviewForm):
        pass

    ActionsReviewForm.actions = tuple(actions)
    for action in ActionsReviewForm.actions:
        setattr(ActionsReviewForm, f"outcome_{action.id}", RadioField(
            "What happened?", widget=GovRadioInput(), choices=OUTCOME_CHOICES, validate_choice=False))
        setattr(ActionsReviewForm, f"learning_{action.id}", TextAreaField(
            "Learning shared (optional)", widget=GovCharacterCount(), filters=[paragraphs],
            description="A line: what the presenter or the set learnt",
            validators=[_too_long("The learning", LEARNING_LIMIT)]))
    return ActionsReviewForm(data=data)


class ReplanForm(FlaskForm):
    submit = SubmitField("Save the new dates and email the members", widget=GovSubmitInput())
