"""A programme: one call for applications, with its settings taken from the brief."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime

# Two sides of A4 in 11-point type hold roughly 1,000 words.
DEFAULT_NOTE_WORD_LIMIT = 1000
DEFAULT_RESPOND_DAYS = 14


class Programme(db.Model):
    __table_args__ = (
        CheckConstraint("sessions >= 1", name="ck_programme_sessions"),
        CheckConstraint("fee_per_session_pence >= 0", name="ck_programme_fee"),
        CheckConstraint("min_set_size >= 2 AND max_set_size >= min_set_size", name="ck_programme_set_size"),
        CheckConstraint("note_word_limit >= 1", name="ck_programme_word_limit"),
        CheckConstraint("respond_days >= 1", name="ck_programme_respond_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    sessions: Mapped[int] = mapped_column(default=6)
    fee_per_session_pence: Mapped[int] = mapped_column(default=5000)
    min_set_size: Mapped[int] = mapped_column(default=6)
    max_set_size: Mapped[int] = mapped_column(default=8)
    note_word_limit: Mapped[int] = mapped_column(default=DEFAULT_NOTE_WORD_LIMIT)
    # How to pay (bank details, invoice route), shown on the member's page and in the offer email.
    payment_instructions: Mapped[str | None] = mapped_column(Text)
    # Days a person has to accept or decline an offered place.
    respond_days: Mapped[int] = mapped_column(default=DEFAULT_RESPOND_DAYS, server_default=str(DEFAULT_RESPOND_DAYS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    slots: Mapped[list[Slot]] = relationship(
        back_populates="programme", order_by="Slot.position", cascade="all, delete-orphan"
    )

    @property
    def total_fee_pence(self) -> int:
        return self.sessions * self.fee_per_session_pence

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or now >= self.opens_at) and now < self.deadline

    def has_opened(self, now: datetime) -> bool:
        return self.opens_at is None or now >= self.opens_at


class Slot(db.Model):
    """A place and time offered for sets to meet, e.g. "Newcastle City Centre, Tuesday mornings"."""

    __table_args__ = (UniqueConstraint("programme_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="slots")
