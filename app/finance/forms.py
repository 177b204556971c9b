"""Finance forms. Amounts and dates are read as text and checked in app.finance.ledger, so the
page and the command line give the same messages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from app.finance.ledger import METHODS
from app.finance.queries import FILTERS
from app.text import paragraphs, single_line

METHOD_CHOICES = [("", "Select how it was paid"), *[(m, m.capitalize()) for m in METHODS]]
DATE_HINT = "For example, 27/03/2026. Leave empty for today."
REASON_LIMIT = 2000




class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Search by name, reference or email", widget=GovTextInput(), filters=[single_line])
    status = SelectField("Show", widget=GovSelect(), choices=[("", "All accounts"), *FILTERS.items()],
                         validate_choice=False)
    submit = SubmitField("Apply", widget=GovSubmitInput())


class PaymentForm(FlaskForm):
    amount = StringField("Amount received, in pounds", widget=GovTextInput(), filters=[single_line],
                         description="For example, 300 or 150.50. Part payments are fine.")
    on = StringField("Date received", widget=GovTextInput(), filters=[single_line], description=DATE_HINT)
    method = SelectField("How it was paid", widget=GovSelect(), choices=METHOD_CHOICES, validate_choice=False)
    reference = StringField("Payment reference (optional)", widget=GovTextInput(), filters=[single_line],
                            description="For example, the bank transaction reference or cheque number",
                            validators=[Length(max=200, message="Payment reference must be 200 characters or fewer")])
    accept_overpayment = BooleanField("Accept an overpayment (the account will be in credit)",
                                      widget=GovCheckboxInput())
    submit = SubmitField("Record payment", widget=GovSubmitInput())


class RefundForm(FlaskForm):
    amount = StringField("Amount refunded, in pounds", widget=GovTextInput(), filters=[single_line],
                         description="No more than has been paid")
    on = StringField("Date refunded", widget=GovTextInput(), filters=[single_line], description=DATE_HINT)
    method = SelectField("How it was refunded", widget=GovSelect(), choices=METHOD_CHOICES, validate_choice=False)
    reason = TextAreaField("Reason for the refund", widget=GovTextArea(), filters=[paragraphs],
                           description="For example, withdrew before the first session",
                           validators=[Length(max=REASON_LIMIT, message="Reason must be 2,000 characters or fewer")])
    submit = SubmitField("Record refund", widget=GovSubmitInput())


class WaiverForm(FlaskForm):
    amount = StringField("Amount waived, in pounds", widget=GovTextInput(), filters=[single_line],
                         description="No more than is outstanding")
    reason = TextAreaField("Reason for the waiver or bursary", widget=GovTextArea(), filters=[paragraphs],
                           validators=[Length(max=REASON_LIMIT, message="Reason must be 2,000 characters or fewer")])
    submit = SubmitField("Record waiver or bursary", widget=GovSubmitInput())


class ReverseForm(FlaskForm):
    entry = HiddenField()
    reason = StringField("Reason for reversing", widget=GovTextInput(), filters=[single_line],
                         validators=[Length(max=REASON_LIMIT, message="Reason must be 2,000 characters or fewer")])
    submit = SubmitField("Reverse this entry", widget=GovSubmitInput())


class PayerForm(FlaskForm):
    payer_kind = RadioField("Who pays", widget=GovRadioInput(),
                            choices=[("person", "The participant"), ("organisation", "Their organisation")],
                            validators=[InputRequired("Select who pays")])
    invoice_name = StringField("Name on the invoice", widget=GovTextInput(), filters=[single_line],
                               validators=[InputRequired("Enter the name to put on the invoice"),
                                           Length(max=200, message="Name must be 200 characters or fewer")])
    purchase_order = StringField("Purchase order number (optional)", widget=GovTextInput(), filters=[single_line],
                                 validators=[Length(max=100, message="Purchase order must be 100 characters or fewer")])
    finance_email = StringField("Finance contact email", widget=GovTextInput(), filters=[single_line],
                                description="Reminders go to this address",
                                validators=[InputRequired("Enter the finance contact email"),
                                            Email("Enter an email address like name@example.org",
                                                  check_deliverability=False),
                                            Length(max=320, message="Email must be 320 characters or fewer")])
    submit = SubmitField("Save payer details", widget=GovSubmitInput())

    def validate_payer_kind(self, field) -> None:  # type: ignore[no-untyped-def]
        if field.data not in ("person", "organisation"):
            raise ValidationError("Select who pays")


class UploadForm(FlaskForm):
    file = FileField("Payments spreadsheet", widget=GovFileInput(),
                     description="A CSV file or Excel workbook (.xlsx) with the columns date, reference or email, "
                                 "amount and, if you have it, payment reference")
    submit = SubmitField("Preview payments", widget=GovSubmitInput())


class SaveImportForm(FlaskForm):
    expected = HiddenField()
    submit = SubmitField("Save payments", widget=GovSubmitInput())


class RemindForm(FlaskForm):
    submit = SubmitField("Queue reminders for overdue accounts", widget=GovSubmitInput())
