"""An application in progress: the answers between the form and "Check your answers".

Kept server-side because an uploaded note does not fit in a cookie, and so that pressing submit
twice, or refreshing the confirmation page, finds the one application this draft became.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime


class ApplicationDraft(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # True once the form was sent with every answer valid; "Check your answers" needs it.
    complete: Mapped[bool] = mapped_column(default=False)
    note_name: Mapped[str | None] = mapped_column(String(255))
    note_kind: Mapped[str | None] = mapped_column(String(10))
    note_pages: Mapped[int | None]
    note_words: Mapped[int | None]
    note_content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"), unique=True)
