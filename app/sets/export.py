"""A run's sets as exports' plain records."""
from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import Application, SelectionRun
from exports import MemberRecord, SetRecord, write_sets


def set_records(run: SelectionRun) -> list[SetRecord]:
    references = [c["id"] for c in run.candidates]
    applications = {a.reference: a for a in db.session.scalars(select(Application).where(Application.reference.in_(references)))}
    records = []
    for formed in run.arrangement["sets"]:
        members = []
        for reference in formed["members"]:
            application = applications.get(reference)
            if application is None:
                continue
            members.append(MemberRecord(reference=reference, full_name=application.full_name, email=application.email,
                                        organisation=application.organisation, sector=application.sector.label,
                                        job_title=application.job_title))
        records.append(SetRecord(name=formed["name"], slot=formed["slot"], members=members))
    return records


def sets_workbook(run: SelectionRun, out: BinaryIO) -> None:
    write_sets(set_records(run), out, generated_at=utcnow(), title=f"Sets: {run.programme.name} (run {run.id})")
