"""The schedule as rows for exports/schedule.py: used by the download and by `als export schedule`."""
from __future__ import annotations

from typing import BinaryIO

from app.clock import utcnow
from app.models import Programme, SessionKind
from app.schedule.planner import REVIEW_FINAL, REVIEW_MIDPOINT
from app.schedule.service import meetings_of, presenter_names, sets_of
from exports import SessionRecord, write_schedule

# The formal reviews also get a row of their own, so a filter on the Session column finds every
# mid-point review and evaluation across all sets without reading the review-point text.
FORMAL = {REVIEW_MIDPOINT: "midpoint", REVIEW_FINAL: "evaluation"}


def session_records(programme: Programme) -> list[SessionRecord]:
    """Every scheduled set's sessions, training and formal reviews, set by set in date order."""
    records: list[SessionRecord] = []
    for learning_set in sets_of(programme):
        for meeting in meetings_of(learning_set):
            is_session = meeting.kind is SessionKind.SESSION
            records.append(SessionRecord(
                set_name=learning_set.name, on=meeting.on,
                number=meeting.number if is_session else None,
                kind="session" if is_session else "training",
                start=meeting.starts_at, end=meeting.ends_at, venue=meeting.venue,
                presenters=presenter_names(meeting),
                review_point=meeting.review_point or "",
            ))
            formal = FORMAL.get(meeting.review_point or "")
            if is_session and formal:
                # Starts when the session ends: the formal review closes that session.
                records.append(SessionRecord(
                    set_name=learning_set.name, on=meeting.on, number=None, kind=formal,  # type: ignore[arg-type]
                    start=meeting.ends_at, end=None, venue=meeting.venue, presenters=[],
                    review_point=f"{meeting.review_point.replace(' at the end of the session', '')} "  # type: ignore[union-attr]
                                 f"at the end of session {meeting.number}",
                ))
    return records


def write_programme_schedule(programme: Programme, out: BinaryIO) -> None:
    write_schedule(session_records(programme), out, generated_at=utcnow(), title=f"Schedule: {programme.name}")
