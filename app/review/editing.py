"""The organiser changes a person's answers for them (after an offer the person cannot), with the
rules of their set checked again and the change recorded with before and after."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy import select

from app import audit
from app.applications.service import apply_answers, email_key, slot_choices, snapshot, tell_old_address
from app.extensions import db
from app.models import Application, LearningSet, Payer
from app.review.forms import AnswersForm
from app.review.placing import candidate_with_answers, problems_if_changed


def answers_form(application: Application) -> AnswersForm:
    """The form, filled from the request when sent, else from the application as it is."""
    data = None
    if request.method != "POST":
        data = {
            "full_name": application.full_name, "email": application.email, "phone": application.phone or "",
            "organisation": application.organisation, "sector": application.sector.value,
            "job_title": application.job_title, "slots": [str(slot.id) for slot in application.slots],
            "payer": application.payer.value,
        }
    form = AnswersForm(data=data)
    form.slots.choices = slot_choices(application.programme)
    form.payer.choices = [(payer.value, payer.staff_label) for payer in Payer]
    form.email.description = "Emails to them go to this address from now on"
    form.job_title.description = ""
    return form


def problems_with(application: Application, learning_set: LearningSet | None, answers: dict[str, Any]) -> list[str]:
    """Rules their set would newly break with these answers (none when they are not in a set)."""
    if learning_set is None:
        return []
    return problems_if_changed(learning_set, candidate_with_answers(application, answers))


def email_taken_by(application: Application, email: str) -> Application | None:
    """Another application in the programme with this email address (whatever the capitals)."""
    return db.session.scalars(select(Application).where(
        Application.programme_id == application.programme_id, Application.id != application.id,
        Application.email_key == email_key(email))).first()


def save_answers(application: Application, edited: dict[str, Any], by: str, now: datetime) -> bool:
    """Apply the changed answers (the long answers and note stay as they are). False if nothing changed."""
    before = snapshot(application)
    old_email = application.email
    answers = {**before, "note_text": application.note_text, **edited}
    apply_answers(application, answers, application.programme)
    old, new = audit.changed_fields(before, snapshot(application))
    if not new:
        return False
    application.updated_at = now
    audit.record(by, "application.changed_by_organiser", f"application:{application.reference}", before=old, after=new)
    tell_old_address(application, old_email, by=by, by_organiser=True)
    return True
