"""The organiser's erase confirmation: one button, with CSRF protection like every form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField


class EraseForm(FlaskForm):
    submit = SubmitField("Erase personal data", widget=GovSubmitInput())
