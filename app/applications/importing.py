"""Turning rows of an applications spreadsheet into applications, all or nothing."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from app import audit
from app.applications.forms import ANSWER_CHARACTER_LIMIT, note_character_limit
from app.applications.service import email_key, fresh_reference, new_private_token, taken_references, snapshot
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, Payer, Sector
from app.programmes import current_programme
from app.text import clean_text
from exports import ApplicationImportRow, RowError


def _column_length(name: str) -> int:
    return Application.__table__.c[name].type.length


def _too_long(row: ApplicationImportRow, note_limit: int) -> list[str]:
    """The limits the application form states, so an imported answer is never cut or a database error."""
    limits = [("full name", row.full_name, _column_length("full_name")), ("email", row.email, _column_length("email")),
              ("phone", row.phone, _column_length("phone")),
              ("organisation", row.organisation, _column_length("organisation")),
              ("job title", row.job_title, _column_length("job_title")),
              ("offer", row.offer, ANSWER_CHARACTER_LIMIT), ("expectations", row.expectations, ANSWER_CHARACTER_LIMIT),
              ("note", row.note, note_limit)]
    return [f"row {row.row}: {label} is longer than {limit:,} characters"
            for label, value, limit in limits if len(value) > limit]


@dataclass
class ImportReport:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def import_rows(rows: Sequence[ApplicationImportRow], errors: Sequence[RowError], dry_run: bool = False) -> ImportReport:
    report = ImportReport(problems=[f"row {e.row}: {e.message}" for e in errors])
    programme = current_programme()
    if programme is None:
        report.problems.append("There is no programme yet: run `als programme` first.")
        return report
    slots = {slot.label.casefold(): slot for slot in programme.slots}
    existing = set(db.session.scalars(select(Application.email_key).where(Application.programme_id == programme.id)))
    now = utcnow()
    taken = taken_references()
    new: list[Application] = []
    for row in rows:
        too_long = _too_long(row, note_character_limit(programme.note_word_limit))
        if too_long:
            report.problems.extend(too_long)
            continue
        unknown = [label for label in row.availability if label.casefold() not in slots]
        if unknown:
            report.problems.append(f"row {row.row}: not a place and time of this programme: {'; '.join(unknown)}")
            continue
        if not row.availability:
            report.problems.append(f"row {row.row}: no place and time given")
            continue
        if email_key(row.email) in existing:
            report.skipped.append(f"row {row.row}: {row.email} has already applied")
            continue
        submitted = row.submitted_at or now
        application = Application(
            programme=programme, reference=fresh_reference(taken), status=ApplicationStatus.SUBMITTED,
            late=submitted >= programme.deadline, full_name=clean_text(row.full_name), email=row.email,
            email_key=email_key(row.email), phone=clean_text(row.phone) or None,
            organisation=clean_text(row.organisation), sector=Sector(row.sector), job_title=clean_text(row.job_title),
            offer=clean_text(row.offer, multiline=True), expectations=clean_text(row.expectations, multiline=True),
            note_text=clean_text(row.note, multiline=True) or None, payer=Payer.SELF, agreed_at=submitted,
            submitted_at=submitted, updated_at=now, source="import",
        )
        new_private_token(application)
        if application.late:
            application.status = ApplicationStatus.LATE
        application.slots = [slots[label.casefold()] for label in row.availability]
        existing.add(application.email_key)
        new.append(application)
    if report.problems or dry_run:
        report.imported = len(new) if not report.problems else 0
        db.session.rollback()
        return report
    for application in new:
        db.session.add(application)
        db.session.flush()
        audit.record("cli", "application.imported", f"application:{application.reference}", after=snapshot(application))
    db.session.commit()
    report.imported = len(new)
    return report
