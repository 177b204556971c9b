"""What retention and erasure leave behind: anonymous counts, and which applications were erased."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class PurgedApplicationCount(db.Model):
    """How many applications of a programme were deleted by `als purge`, by sector and final status,
    so reports made later still know how many people applied."""

    __table_args__ = (UniqueConstraint("programme_id", "sector", "status", name="uq_purged_count_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Erasure(db.Model):
    """An application whose personal data was erased on request; the row that remains is a husk."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_by: Mapped[str] = mapped_column(String(320))
