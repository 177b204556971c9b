"""Settings forms. Values are read as text and checked in app.programmes and app.settings.emails,
so the page and `als programme` give the same messages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField

from app.text import paragraphs, single_line

TIME_HINT = "UK time, for example 2026-12-04 17:00 or 04/12/2026 17:00"


class ProgrammeForm(FlaskForm):
    name = StringField("Programme name", widget=GovTextInput(), filters=[single_line])
    opens = StringField("Applications open", widget=GovTextInput(), filters=[single_line],
                        description=f"{TIME_HINT}. Leave empty to take applications now.")
    deadline = StringField("Deadline for applications", widget=GovTextInput(), filters=[single_line],
                           description=TIME_HINT)
    sessions = StringField("Number of sessions", widget=GovTextInput(), filters=[single_line],
                           description="Between 1 and 24")
    fee = StringField("Fee per session, in pounds", widget=GovTextInput(), filters=[single_line],
                      description="For example, 50 or 47.50. The whole fee is this times the number of sessions.")
    min_size = StringField("Smallest set", widget=GovTextInput(), filters=[single_line],
                           description="Number of people, between 2 and 20")
    max_size = StringField("Largest set", widget=GovTextInput(), filters=[single_line],
                           description="Number of people, between 2 and 20, and no smaller than the smallest set")
    word_limit = StringField("Word limit for the note", widget=GovTextInput(), filters=[single_line],
                             description="Between 50 and 5,000 words")
    respond_days = StringField("Days to accept or decline an offer", widget=GovTextInput(), filters=[single_line],
                               description="Between 1 and 90 days after the offer is sent")
    payment_instructions = TextAreaField(
        "How to pay", widget=GovTextArea(), filters=[paragraphs],
        description="Shown on each member's page and in the offer email: bank details, or how to ask for an "
                    "invoice. Leave empty if you will tell people yourself.")
    # Shown once a change to the fee or sessions would not reach fee accounts or published schedules.
    accept_change = BooleanField("Change the settings anyway", widget=GovCheckboxInput())
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class PlaceForm(FlaskForm):
    label = StringField("Place and time", widget=GovTextInput(), filters=[single_line],
                        description="For example, Durham, Wednesday mornings")
    submit = SubmitField("Add place and time", widget=GovSubmitInput())


class RenamePlaceForm(FlaskForm):
    label = StringField("New name for this place and time", widget=GovTextInput(), filters=[single_line],
                        description="Sets that meet here are renamed with it; applicants' choices stay")
    submit = SubmitField("Rename", widget=GovSubmitInput())


class EmailWordingForm(FlaskForm):
    subject = StringField("Subject", widget=GovTextInput(), filters=[single_line])
    body = TextAreaField("Wording", widget=GovTextArea(), filters=[paragraphs],
                         description="Placeholders in double curly brackets are filled in for each person")
    preview = SubmitField("Preview", widget=GovSubmitInput())
    submit = SubmitField("Save wording", widget=GovSubmitInput())
