"""Running a set: what each session's record holds, who came, and the presenters' actions.

Under Chatham House rules the words here (issue titles, ground rules, the issues the set works
on, actions and learning) belong to the set: only its members and its facilitator read them
(see app/running/privacy.py). Staff who run the programme see counts and attendance.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.application import Application
from app.models.schedule import ScheduledSession
from app.models.selection import LearningSet
from app.models.types import UTCDateTime, enum_column


class Attendance(enum.Enum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionOutcome(enum.Enum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return {"done": "Done", "partly": "Partly done", "not_done": "Not done", "dropped": "Dropped"}[self.value]

    @property
    def closes(self) -> bool:
        """Done and dropped actions are finished; partly and not done carry to the next session."""
        return self in (ActionOutcome.DONE, ActionOutcome.DROPPED)


class SessionRecord(db.Model):
    """The facilitator's record of a session that has happened; for session 1 also what the
    set agreed in its co-production session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scheduled_session.id", ondelete="CASCADE"), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))
    ground_rules: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[str | None] = mapped_column(Text)
    # the interval the members agreed, as the planner names it ("monthly", "4 weeks")
    agreed_interval: Mapped[str | None] = mapped_column(String(40))

    session: Mapped[ScheduledSession] = relationship()


class AttendanceMark(db.Model):
    __table_args__ = (UniqueConstraint("session_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scheduled_session.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    status: Mapped[Attendance] = mapped_column(enum_column(Attendance))

    session: Mapped[ScheduledSession] = relationship()
    application: Mapped[Application] = relationship()


class Action(db.Model):
    """Something a presenter will do, set at a session and reviewed at the sessions after it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scheduled_session.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "member" when the presenter wrote it from their page, else the facilitator's email
    created_by: Mapped[str] = mapped_column(String(320))
    # set when a review closes it (done or dropped)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    learning_set: Mapped[LearningSet] = relationship()
    session: Mapped[ScheduledSession] = relationship()
    application: Mapped[Application] = relationship()
    reviews: Mapped[list[ActionReview]] = relationship(back_populates="action", cascade="all, delete-orphan",
                                                       order_by="ActionReview.id")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ActionReview(db.Model):
    __table_args__ = (UniqueConstraint("action_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scheduled_session.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[ActionOutcome] = mapped_column(enum_column(ActionOutcome))
    learning: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))

    action: Mapped[Action] = relationship(back_populates="reviews")
    session: Mapped[ScheduledSession] = relationship()
