"""Selection runs (inputs, rules, seed and result, kept so runs can be compared and repeated) and
the sets a confirmed run creates."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.application import Application
from app.models.programme import Programme
from app.models.staff import User
from app.models.types import UTCDateTime, enum_column


class RunState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class SelectionRun(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[RunState] = mapped_column(enum_column(RunState))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The candidates exactly as the optimiser saw them, so a run can be repeated and audited.
    candidates: Mapped[list[dict[str, Any]]] = deferred(mapped_column(JSON))
    result: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))
    # The organiser's adjusted sets (after moves and swaps); starts as the optimiser's.
    arrangement: Mapped[list[dict[str, Any]] | None] = deferred(mapped_column(JSON))
    status: Mapped[str | None] = mapped_column(String(20))  # optimal, feasible, infeasible, timed_out
    placed: Mapped[int | None]
    set_count: Mapped[int | None]
    seconds: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(320))

    programme: Mapped[Programme] = relationship()


class LearningSet(db.Model):
    """A set as confirmed: its place and time and its members."""

    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("selection_run.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    slot_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How the schedule was planned (interval, training placement, winter break as
    # [start day, start month, end day, end month] or None), so later moves are checked against it.
    schedule_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Members see the dates (and are emailed them) once the organiser publishes the schedule.
    schedule_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The qualified facilitator who runs the set's meetings (a staff user with that role).
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    facilitator: Mapped[User | None] = relationship()
    members: Mapped[list[SetMember]] = relationship(back_populates="learning_set", cascade="all, delete-orphan")


class SetMember(db.Model):
    __table_args__ = (UniqueConstraint("application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("learning_set.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))

    learning_set: Mapped[LearningSet] = relationship(back_populates="members")
    application: Mapped[Application] = relationship()
