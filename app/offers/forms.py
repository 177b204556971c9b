"""The organiser's button on the offers page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class RemindOffersForm(FlaskForm):
    submit = SubmitField("Remind people who have not answered", widget=GovSubmitInput())
