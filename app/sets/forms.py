from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from selection.advice import MAX_TIME_LIMIT
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError


class RunForm(FlaskForm):
    min_size = IntegerField("Smallest set", widget=GovTextInput(),
                            validators=[InputRequired("Enter the smallest set size"), NumberRange(2, 20, "Set size must be between 2 and 20")])
    max_size = IntegerField("Largest set", widget=GovTextInput(),
                            validators=[InputRequired("Enter the largest set size"), NumberRange(2, 20, "Set size must be between 2 and 20")])
    sets = IntegerField("Number of sets (optional)", widget=GovTextInput(),
                        description="Leave empty to form as many sets as the applicants fill",
                        validators=[Optional(), NumberRange(1, 100_000, "Number of sets must be between 1 and 100,000")])
    require_all_sectors = BooleanField("Every set has a member from each of the public, private and voluntary sectors",
                                       widget=GovCheckboxInput(), default=True)
    separate_organisations = BooleanField("No two members of a set from the same organisation",
                                          widget=GovCheckboxInput(), default=True)
    avoid_previous_pairs = BooleanField("Avoid pairing people who were in a set together before",
                                        widget=GovCheckboxInput(), default=True)
    time_limit = IntegerField("Time limit in seconds", widget=GovTextInput(),
                              validators=[InputRequired("Enter a time limit"), NumberRange(1, MAX_TIME_LIMIT, f"Time limit must be between 1 and {MAX_TIME_LIMIT:,} seconds")])
    seed = IntegerField("Lottery seed", widget=GovTextInput(),
                        description="Breaks ties between equal priorities. The same seed and rules give the same sets",
                        validators=[InputRequired("Enter a lottery seed"), NumberRange(0, 2**31 - 1, "Seed must be a whole number from 0")])
    solver = RadioField("Solver", widget=GovRadioInput(), choices=[("cbc", "CBC"), ("highs", "HiGHS")], default="cbc",
                        validators=[InputRequired("Select a solver")])
    submit = SubmitField("Form sets", widget=GovSubmitInput())

    def validate_max_size(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.min_size.data and field.data and field.data < self.min_size.data:
            raise ValidationError("The largest set must not be smaller than the smallest")


class MoveForm(FlaskForm):
    target = RadioField("Move to", widget=GovRadioInput(), choices=[], validators=[InputRequired("Select where to move them")])
    submit = SubmitField("Move", widget=GovSubmitInput())


class SwapForm(FlaskForm):
    """Choose the other person from everyone in the other sets (choices set by the view)."""

    other = SelectField("Swap with", widget=GovSelect(), choices=[],
                        description="Someone in another set: they take this person's place and this person takes theirs",
                        validators=[InputRequired("Select the person to swap with")])
    submit = SubmitField("Swap", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """Confirming a run; `before_deadline` is required only while applications are open (the view says)."""

    before_deadline = BooleanField(
        "Confirm before the deadline", widget=GovCheckboxInput(),
        description="Applications are still open. People who apply after you confirm will not be in these sets: "
                    "if they are eligible they can be offered a place that falls free, or join the waiting list.")
    submit = SubmitField("Confirm and send emails", widget=GovSubmitInput())


class RefillForm(FlaskForm):
    """Confirming a refill proposal (a button with CSRF protection)."""

    submit = SubmitField("Confirm and send offers", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    """A button with CSRF protection: pin, re-run, confirm."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
