"""Each set's sessions (and its training and reviews), and who presents at each."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.application import Application
from app.models.selection import LearningSet
from app.models.types import UTCDateTime, enum_column


class SessionKind(enum.Enum):
    SESSION = "session"
    TRAINING = "training"


class ScheduledSession(db.Model):
    __table_args__ = (
        UniqueConstraint("set_id", "kind", "number"),
        CheckConstraint("number >= 1", name="ck_scheduled_session_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    number: Mapped[int]  # 1–6 for sessions; 1 for the halfway training
    on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    venue: Mapped[str] = mapped_column(String(200))
    # "Review at the end of the session", "Formal mid-point review", "Formal evaluation".
    review_point: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    learning_set: Mapped[LearningSet] = relationship()
    presenters: Mapped[list[Presenter]] = relationship(back_populates="session", cascade="all, delete-orphan")


class Presenter(db.Model):
    __table_args__ = (UniqueConstraint("session_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scheduled_session.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    # The presenter's short title for their issue: private to the set (Chatham House).
    issue_title: Mapped[str | None] = mapped_column(String(120))
    # Recorded after the session: True presented, False was on the rota but did not; None not yet
    # recorded. Someone who presented without being on the rota is added with True.
    presented: Mapped[bool | None] = mapped_column()

    session: Mapped[ScheduledSession] = relationship(back_populates="presenters")
    application: Mapped[Application] = relationship()
