"""The application form: labels as a person reads them, hints, and a message for every rule."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from app.models import Payer, Sector
from app.text import count_words, paragraphs, single_line

ANSWER_WORD_LIMIT = 250
# Every free-text answer has a length in characters as well as in words, so no answer can be a
# few "words" of a megabyte each. Ten characters a word is far more than English prose needs.
ANSWER_CHARACTER_LIMIT = 2_500
NOTE_CHARACTERS_PER_WORD = 10





class WordLimit:
    def __init__(self, limit: int, message: str) -> None:
        self.limit = limit
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        words = count_words(field.data or "")
        if words > self.limit:
            raise ValidationError(self.message.format(limit=self.limit, words=words))


class CharacterLimit:
    """Like Length(max=...), but the message says how many characters the answer has."""

    def __init__(self, limit: int, message: str) -> None:
        self.limit = limit
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
        characters = len(field.data or "")
        if characters > self.limit:
            raise ValidationError(self.message.format(limit=self.limit, characters=characters))


class ChoiceMessage:
    """WTForms' "Not a valid choice" means nothing to an applicant: say what to do instead."""

    invalid_message = ""

    def pre_validate(self, form: FlaskForm) -> None:
        values = self.data if isinstance(self.data, list) else [self.data]  # type: ignore[attr-defined]
        allowed = {str(value) for value, *_ in self.choices}  # type: ignore[attr-defined]
        if any(str(value) not in allowed for value in values if value is not None):
            raise ValidationError(self.invalid_message)


class ChoiceRadioField(ChoiceMessage, RadioField):
    def __init__(self, *args, invalid_message: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message


class ChoiceCheckboxesField(ChoiceMessage, SelectMultipleField):
    def __init__(self, *args, invalid_message: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message


_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,25}$")


def _phone(form: FlaskForm, field) -> None:  # type: ignore[no-untyped-def]
    if field.data and (not _PHONE.match(field.data) or sum(c.isdigit() for c in field.data) < 7):
        raise ValidationError("Enter a telephone number, like 0191 498 0000 or +44 7700 900 982")


class ApplicationForm(FlaskForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[single_line],
        validators=[DataRequired("Enter your full name"), Length(max=200, message="Full name must be 200 characters or fewer")],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="We'll send your confirmation and a private link to your application here",
        filters=[single_line],
        validators=[
            DataRequired("Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
    )
    phone = StringField(
        "Telephone number (optional)",
        widget=GovTextInput(),
        description="In case we need to talk about your application",
        filters=[single_line],
        validators=[Optional(), _phone],
    )
    organisation = StringField(
        "Organisation",
        widget=GovTextInput(),
        filters=[single_line],
        validators=[DataRequired("Enter the name of your organisation"), Length(max=200, message="Organisation must be 200 characters or fewer")],
    )
    sector = ChoiceRadioField(
        "Which sector does your organisation work in?",
        invalid_message="Select public, private or voluntary sector",
        widget=GovRadioInput(),
        choices=[(sector.value, sector.label) for sector in Sector],
        validators=[InputRequired("Select the sector your organisation works in")],
    )
    job_title = StringField(
        "Job title",
        widget=GovTextInput(),
        description="Sets are for senior leaders: chief executives, directors and senior managers",
        filters=[single_line],
        validators=[DataRequired("Enter your job title"), Length(max=200, message="Job title must be 200 characters or fewer")],
    )
    offer = TextAreaField(
        "What can you offer the set?",
        widget=GovCharacterCount(),
        description=(f"For example, experience you can share or the way you like to work with others. "
                     f"Up to {ANSWER_WORD_LIMIT} words and {ANSWER_CHARACTER_LIMIT:,} characters"),
        filters=[paragraphs],
        validators=[
            DataRequired("Enter what you can offer the set"),
            WordLimit(ANSWER_WORD_LIMIT, "What you can offer must be {limit} words or fewer: you have {words}"),
            CharacterLimit(ANSWER_CHARACTER_LIMIT,
                           "What you can offer must be {limit:,} characters or fewer: you have {characters:,}"),
        ],
    )
    expectations = TextAreaField(
        "What do you expect to get out of the set?",
        widget=GovCharacterCount(),
        description=(f"For example, a challenge you are facing or a skill you want to build. "
                     f"Up to {ANSWER_WORD_LIMIT} words and {ANSWER_CHARACTER_LIMIT:,} characters"),
        filters=[paragraphs],
        validators=[
            DataRequired("Enter what you expect to get out of the set"),
            WordLimit(ANSWER_WORD_LIMIT, "What you expect must be {limit} words or fewer: you have {words}"),
            CharacterLimit(ANSWER_CHARACTER_LIMIT,
                           "What you expect must be {limit:,} characters or fewer: you have {characters:,}"),
        ],
    )
    note_file = FileField("Upload your note", widget=GovFileInput())
    remove_note_file = BooleanField("Remove the uploaded note", widget=GovCheckboxInput())
    note_text = TextAreaField("Or type your note", widget=GovCharacterCount(), filters=[paragraphs])
    slots = ChoiceCheckboxesField(
        "Which places and times can you attend?",
        invalid_message="Select places and times from the list",
        widget=GovCheckboxesInput(),
        description="Select all that apply. Each set meets at one place and time for all six sessions",
        choices=[],
        validators=[InputRequired("Select at least one place and time you can attend")],
    )
    payer = ChoiceRadioField(
        "Who will pay the fee?",
        invalid_message="Select whether you or your organisation will pay",
        widget=GovRadioInput(),
        choices=[(payer.value, payer.label) for payer in Payer],
        validators=[InputRequired("Select who will pay the fee")],
    )
    agree_commitment = BooleanField(
        "I can commit to all six sessions for the whole programme",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you can commit to all six sessions")],
    )
    agree_fee = BooleanField(
        "I understand the fee is paid up front, before the first session",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you understand the fee is paid up front")],
    )
    agree_chatham_house = BooleanField(
        "I will keep what is said in the set confidential, under Chatham House rules",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you will follow Chatham House rules")],
    )
    agree_privacy = BooleanField(
        "I have read the privacy notice",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you have read the privacy notice")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    # Fields kept in the draft and shown on "Check your answers", in page order.
    ANSWER_FIELDS = (
        "full_name", "email", "phone", "organisation", "sector", "job_title", "offer",
        "expectations", "note_text", "slots", "payer",
        "agree_commitment", "agree_fee", "agree_chatham_house", "agree_privacy",
    )

    def configure(self, slot_choices: list[tuple[str, str]], word_limit: int) -> None:
        self.slots.choices = slot_choices
        self.note_text.validators = [
            WordLimit(word_limit, "Your note must be {limit:,} words or fewer (two sides of A4): you have {words:,}"),
            CharacterLimit(note_character_limit(word_limit),
                           "Your note must be {limit:,} characters or fewer: you have {characters:,}"),
        ]
        self.word_limit = word_limit
        self.note_character_limit = note_character_limit(word_limit)

    def answers(self) -> dict:
        return {name: getattr(self, name).data for name in self.ANSWER_FIELDS}


def note_character_limit(word_limit: int) -> int:
    """The most characters a typed note may have, for the programme's word limit."""
    return word_limit * NOTE_CHARACTERS_PER_WORD


class SubmitApplicationForm(FlaskForm):
    submit = SubmitField("Submit application", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    submit = SubmitField("Withdraw my application", widget=GovSubmitInput())


class AcceptPlaceForm(FlaskForm):
    submit = SubmitField("Accept your place", widget=GovSubmitInput())


DECLINE_REASON_LIMIT = 1_000


class DeclinePlaceForm(FlaskForm):
    reason = TextAreaField(
        "Why are you declining? (optional)",
        widget=GovCharacterCount(),
        description=f"It helps us plan future sets. Up to {DECLINE_REASON_LIMIT:,} characters",
        filters=[paragraphs],
        validators=[CharacterLimit(DECLINE_REASON_LIMIT,
                                   "Your reason must be {limit:,} characters or fewer: you have {characters:,}")],
    )
    submit = SubmitField("Decline my place", widget=GovSubmitInput())


class FindApplicationForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="The email address you applied with",
        filters=[single_line],
        validators=[
            DataRequired("Enter your email address"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())
