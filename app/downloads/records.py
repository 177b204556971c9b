"""Database rows as the plain records the spreadsheet writers take, and the writers by name."""
from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.extensions import db
from app.models import Application, LearningSet, Payer, Programme, SetMember
from exports import ApplicationRecord, MemberRecord, SetRecord, write_applications, write_sets


# Who pays, as a column of the workbook says it.
PAYERS = {payer: payer.staff_label for payer in Payer}


def application_records(programme: Programme) -> list[ApplicationRecord]:
    rows = db.session.scalars(
        select(Application)
        .where(Application.programme_id == programme.id)
        .options(selectinload(Application.slots), selectinload(Application.reviews), selectinload(Application.note_file))
        .order_by(Application.submitted_at)
    )
    records = []
    for row in rows:
        note_words = row.note_file.words if row.note_file and row.note_file.words else None
        if note_words is None and row.note_text:
            note_words = len(row.note_text.split())
        records.append(ApplicationRecord(
            reference=row.reference, submitted_at=row.submitted_at, status=row.status.label, full_name=row.full_name,
            email=row.email, organisation=row.organisation, sector=row.sector.label, phone=row.phone or "",
            job_title=row.job_title, offer=row.offer, expectations=row.expectations,
            slots=[slot.label for slot in row.slots], late=row.late, note_words=note_words,
            note_kind="Uploaded file" if row.note_file else ("Typed" if row.note_text else ""),
            payer=PAYERS[row.payer], score_average=row.average_score,
        ))
    return records


def confirmed_set_records(programme: Programme) -> list[SetRecord]:
    sets = db.session.scalars(
        select(LearningSet).where(LearningSet.programme_id == programme.id)
        .options(selectinload(LearningSet.members).selectinload(SetMember.application))
        .order_by(LearningSet.id)
    )
    return [
        SetRecord(name=s.name, slot=s.slot_label, members=[
            MemberRecord(reference=m.application.reference, full_name=m.application.full_name,
                         email=m.application.email, organisation=m.application.organisation,
                         sector=m.application.sector.label, job_title=m.application.job_title)
            for m in s.members
        ])
        for s in sets
    ]


def _applications(programme: Programme, out: BinaryIO) -> None:
    write_applications(application_records(programme), out, generated_at=utcnow(), title=f"Applications: {programme.name}")


def _sets(programme: Programme, out: BinaryIO) -> None:
    write_sets(confirmed_set_records(programme), out, generated_at=utcnow(), title=f"Sets: {programme.name}")


def _fees(programme: Programme, out: BinaryIO) -> None:
    from app.finance.export import fee_records
    from exports import write_fees

    accounts, entries = fee_records(programme)
    write_fees(accounts, entries, out, generated_at=utcnow(), title=f"Fees: {programme.name}")


def _schedule(programme: Programme, out: BinaryIO) -> None:
    from app.schedule.export import session_records
    from exports import write_schedule

    write_schedule(session_records(programme), out, generated_at=utcnow(), title=f"Schedule: {programme.name}")


WRITERS: dict[str, Callable[[Programme, BinaryIO], None]] = {
    "applications": _applications, "sets": _sets, "fees": _fees, "schedule": _schedule,
}
