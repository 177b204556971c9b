"""Turning rows of an applications spreadsheet into applications, all or nothing."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from app import audit
from app.applications.service import email_key, fresh_reference, new_access_token, taken_references, snapshot
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, Payer, Sector
from app.programmes import current_programme
from app.text import clean_text
from exports import ApplicationImportRow, RowError


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
            submitted_at=submitted, updated_at=now, access_token_hash=new_access_token()[1], source="import",
        )
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
