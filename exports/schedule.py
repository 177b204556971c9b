"""schedule.xlsx: every set's sessions on ONE sheet, grouped by set then date.

One sheet (rather than a sheet per set) because with 250 sets finance and facilitators filter
the Set column instead of hunting through tabs, and a venue or presenter check across all sets
is a single filter.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Iterable

from ._sheet import Column, Target, add_table_sheet, new_workbook, save
from .records import SessionRecord

_KIND_LABELS = {
    "training": "Facilitation training",
    "review": "Review",
    "midpoint": "Mid-point review",
    "evaluation": "Final evaluation",
}

COLUMNS = [
    Column("Set"),
    Column("Session"),
    # the weekday helps people spot a clash without opening a calendar
    Column("Date", "date", number_format="ddd dd/mm/yyyy", width=15),
    Column("Start", "time"),
    Column("End", "time"),
    Column("Venue"),
    Column("Presenters"),
    Column("Review point"),
]


def session_label(s: SessionRecord) -> str:
    """'Session 3' for a regular session, otherwise the kind in words."""
    if s.kind == "session" and s.number is not None:
        return f"Session {s.number}"
    label = _KIND_LABELS.get(s.kind, s.kind.capitalize())
    return f"{label} ({s.number})" if s.number is not None else label


def _sort_key(s: SessionRecord) -> tuple[str, date, time]:
    return (s.set_name.casefold(), s.on, s.start or time.min)


def write_schedule(
    sessions: Iterable[SessionRecord],
    out: Target,
    *,
    generated_at: datetime,
    title: str = "Schedule",
) -> None:
    """Write schedule.xlsx (sheet "Schedule") to a path or binary stream."""
    rows = [
        [s.set_name, session_label(s), s.on, s.start, s.end, s.venue, ", ".join(s.presenters),
         s.review_point]
        for s in sorted(sessions, key=_sort_key)
    ]
    wb = new_workbook()
    add_table_sheet(wb, "Schedule", title, generated_at, COLUMNS, rows)
    save(wb, out)
