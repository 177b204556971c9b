"""applications.xlsx: one row per application, for the organiser's review in Excel."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from ._sheet import Column, Target, add_table_sheet, new_workbook, save
from .records import ApplicationRecord

COLUMNS = [
    Column("Reference"),
    Column("Submitted", "datetime"),
    Column("Status"),
    Column("Full name"),
    Column("Email"),
    Column("Phone"),
    Column("Organisation"),
    Column("Sector"),
    Column("Job title"),
    Column("What they offer"),
    Column("What they expect"),
    Column("Can attend"),
    Column("Late", "bool"),
    Column("Note words", "int"),
    Column("Note"),
    Column("Payer"),
    Column("Average score", "number", number_format="0.0"),
]


def _row(a: ApplicationRecord) -> list[object]:
    return [
        a.reference, a.submitted_at, a.status, a.full_name, a.email, a.phone, a.organisation,
        a.sector, a.job_title, a.offer, a.expectations, "; ".join(a.slots), a.late,
        a.note_words, a.note_kind, a.payer, a.score_average,
    ]


def write_applications(
    applications: Iterable[ApplicationRecord],
    out: Target,
    *,
    generated_at: datetime,
    title: str = "Applications",
) -> None:
    """Write applications.xlsx (sheet "Applications") to a path or binary stream."""
    wb = new_workbook()
    rows = [_row(a) for a in applications]
    add_table_sheet(wb, "Applications", title, generated_at, COLUMNS, rows)
    save(wb, out)
