"""The organiser's scheduling forms: plan a set, change one session."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import ValidationError

from app.schedule.planner import WinterBreak

PARTS = ("day", "month", "year")
INTERVAL_CHOICES = [("monthly", "Monthly, on the same weekday of the month (for example, the 2nd Tuesday)"),
                    ("weeks", "Every number of weeks")]
TRAINING_CHOICES = [("3", "Between sessions 3 and 4 (halfway)"), ("2", "Between sessions 2 and 3"),
                    ("4", "Between sessions 4 and 5"), ("none", "No training in this schedule")]


class PartsDateInput(GovDateInput):
    """GOV.UK date input for day/month/year or day/month only, keeping what was typed on an error."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        typed = field.typed()
        params["items"] = [
            {"label": part.capitalize(), "id": f"{field.id}-{part}", "name": field.name, "value": typed[i],
             "classes": f"govuk-input--width-{4 if part == 'year' else 2}"
                        + (" govuk-input--error" if field.errors else "")}
            for i, part in enumerate(field.parts)
        ]
        return params


class DateParts(Field):
    """A date typed as separate numbers, with GOV.UK's error messages ("… must be a real date").
    With parts ("day", "month") the data is (day, month) for a yearly date like a winter break."""

    widget = PartsDateInput()

    def __init__(self, label: str, *, noun: str, required: str | None = None, parts: tuple[str, ...] = PARTS,
                 **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.noun, self.required, self.parts = noun, required, parts

    def typed(self) -> list[str]:
        if self.raw_data:
            return [str(v) for v in self.raw_data[:len(self.parts)]] + [""] * (len(self.parts) - len(self.raw_data))
        if isinstance(self.data, date):
            return [str(self.data.day), str(self.data.month), str(self.data.year)][:len(self.parts)]
        if isinstance(self.data, tuple):
            return [str(v) for v in self.data]
        return [""] * len(self.parts)

    def _value(self) -> str:
        return " ".join(self.typed())

    def process_formdata(self, valuelist: list[str]) -> None:
        values = [v.strip() for v in valuelist[:len(self.parts)]] + [""] * (len(self.parts) - len(valuelist))
        self.data = None
        if not any(values):
            if self.required:
                raise ValueError(self.required)
            return
        missing = [part for part, value in zip(self.parts, values, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.noun} must include a {' and '.join(missing)}")
        if not all(v.isdigit() for v in values) or ("year" in self.parts and len(values[2]) != 4):
            raise ValueError(f"{self.noun} must be a real date" + (", with a 4-digit year" if "year" in self.parts
                                                                    and all(v.isdigit() for v in values) else ""))
        numbers = [int(v) for v in values]
        try:
            # A leap year stands in for day-and-month dates, so 29 February is accepted.
            real = date(numbers[2] if len(numbers) == 3 else 2000, numbers[1], numbers[0])
        except ValueError:
            raise ValueError(f"{self.noun} must be a real date") from None
        self.data = real if len(numbers) == 3 else (real.day, real.month)


class PlanForm(FlaskForm):
    # The hint (a date after the deadline) is set by the page, so it never suggests a past date.
    first_date = DateParts("Date of the first session", noun="First session",
                           required="Enter the date of the first session")
    interval = RadioField("How often does the set meet?", widget=GovRadioInput(), choices=INTERVAL_CHOICES,
                          default="monthly", validate_choice=False,
                          description="Members can agree another interval at their first meeting; plan again then")
    weeks = StringField("Number of weeks between sessions", widget=GovTextInput(), default="4",
                        description="Only if the set meets every number of weeks, for example 4")
    winter_start = DateParts("Winter break starts", noun="Start of the winter break", parts=("day", "month"),
                             default=(20, 12), description="Day and month, for example 20 12. "
                                                           "Leave both dates empty for no break")
    winter_end = DateParts("Winter break ends", noun="End of the winter break", parts=("day", "month"),
                           default=(3, 1), description="Day and month, for example 3 1")
    training = RadioField("When is the facilitation training?", widget=GovRadioInput(), choices=TRAINING_CHOICES,
                          default="3", validate_choice=False)
    preview = SubmitField("Preview the dates", widget=GovSubmitInput())
    save = SubmitField("Save this schedule", widget=GovSubmitInput())

    def validate_interval(self, field: Field) -> None:
        if field.data not in {value for value, _ in INTERVAL_CHOICES}:
            raise ValidationError("Select how often the set meets")

    def validate_weeks(self, field: Field) -> None:
        if self.interval.data != "weeks":
            return
        text = (field.data or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 26:
            raise ValidationError("Number of weeks must be a whole number from 1 to 26")

    def validate_winter_end(self, field: Field) -> None:
        if (self.winter_start.data is None) != (field.data is None) and not self.winter_start.errors:
            raise ValidationError("Enter both winter break dates, or leave both empty for no break")

    def validate_training(self, field: Field) -> None:
        if field.data not in {value for value, _ in TRAINING_CHOICES}:
            raise ValidationError("Select when the facilitation training is")

    @property
    def winter_break(self) -> WinterBreak | None:
        if self.winter_start.data is None or self.winter_end.data is None:
            return None
        (sd, sm), (ed, em) = self.winter_start.data, self.winter_end.data
        return WinterBreak(sd, sm, ed, em)

    @property
    def training_after(self) -> int | None:
        return None if self.training.data == "none" else int(self.training.data)


class SessionForm(FlaskForm):
    on = DateParts("Date", noun="Date", required="Enter the date")
    presenters = SelectMultipleField("Who presents at this session?", widget=GovCheckboxesInput(), choices=[],
                                     validate_choice=False)
    # What the organiser saw warnings for; saving goes ahead only if nothing changed since.
    confirmed = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    submit = SubmitField("Publish the dates and email the members", widget=GovSubmitInput())


def example_date(earliest: date, weekday: int | None = None) -> str:
    """'8 12 2026': a date as the date boxes take it, on or after `earliest` (on `weekday` if given),
    for a hint that never suggests a date that would be refused."""
    on = earliest
    if weekday is not None:
        on += timedelta(days=(weekday - on.weekday()) % 7)
    return f"{on.day} {on.month} {on.year}"


def error_list(*forms: FlaskForm) -> list[dict[str, str]]:
    """Error summary entries linking to the first box of a date (GOV.UK asks for the day box)."""
    items = []
    for form in forms:
        for field in form._fields.values():
            if field.errors:
                anchor = f"{field.id}-day" if isinstance(field, DateParts) else field.id
                if isinstance(field, (RadioField, SelectMultipleField)):
                    anchor = field.id  # the radios/checkboxes widget gives the first item the field's id
                items.append({"text": field.errors[0], "href": f"#{anchor}"})
    return items
