"""An application to a programme, and the note that comes with it."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, event, Index, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.models.programme import Programme, Slot
from app.models.types import UTCDateTime, enum_column
from app.text import fold


class Sector(enum.Enum):
    PUBLIC = "public"
    PRIVATE = "private"
    VOLUNTARY = "voluntary"

    @property
    def label(self) -> str:
        return {"public": "Public sector", "private": "Private sector", "voluntary": "Voluntary sector"}[self.value]


class Payer(enum.Enum):
    SELF = "self"
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return {"self": "I will pay", "organisation": "My organisation will pay"}[self.value]

    @property
    def staff_label(self) -> str:
        """Who pays, as staff pages and workbooks say it."""
        return {"self": "The applicant", "organisation": "Their organisation"}[self.value]


class ApplicationStatus(enum.Enum):
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SELECTED = "selected"
    WAITING_LIST = "waiting_list"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"
    LATE = "late"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    def can_become(self, other: ApplicationStatus) -> bool:
        return other in ALLOWED_TRANSITIONS[self]


S = ApplicationStatus
# Every move a status may make (app.applications.lifecycle makes them, with their consequences).
# Moves into Selected, Waiting list and Not selected are decisions: confirming the sets, a refill, or
# an organiser's choice once sets exist.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    S.SUBMITTED: frozenset({S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    S.LATE: frozenset({S.SUBMITTED, S.ELIGIBLE, S.INELIGIBLE, S.WITHDRAWN}),
    S.ELIGIBLE: frozenset({S.SUBMITTED, S.INELIGIBLE, S.WITHDRAWN, S.SELECTED, S.WAITING_LIST, S.NOT_SELECTED}),
    S.INELIGIBLE: frozenset({S.SUBMITTED, S.ELIGIBLE, S.WITHDRAWN}),
    S.SELECTED: frozenset({S.DECLINED, S.WITHDRAWN}),
    S.WAITING_LIST: frozenset({S.SELECTED, S.NOT_SELECTED, S.INELIGIBLE, S.WITHDRAWN}),
    S.NOT_SELECTED: frozenset({S.SELECTED, S.WAITING_LIST, S.WITHDRAWN}),
    S.DECLINED: frozenset({S.WAITING_LIST, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.SUBMITTED}),
}
del S


application_slot = Table(
    "application_slot",
    db.metadata,
    Column("application_id", ForeignKey("application.id", ondelete="CASCADE"), primary_key=True),
    # Filtering the review list by place and time looks up by slot first.
    Column("slot_id", ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Application(db.Model):
    __table_args__ = (
        UniqueConstraint("programme_id", "email_key", name="uq_application_programme_email"),
        Index("ix_application_status", "programme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus), default=ApplicationStatus.SUBMITTED)
    late: Mapped[bool] = mapped_column(default=False)
    full_name: Mapped[str] = mapped_column(String(200))
    # Name and organisation folded (lower case, no accents), kept by _keep_search_key, so one
    # LIKE finds "Zoë" from "zoe" on SQLite and PostgreSQL alike.
    search_key: Mapped[str] = mapped_column(String(402), default="")
    email: Mapped[str] = mapped_column(String(320))
    # Lower-cased email: one application per person per programme, whatever the capitals.
    email_key: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(enum_column(Sector))
    job_title: Mapped[str] = mapped_column(String(200))
    offer: Mapped[str] = mapped_column(Text)
    expectations: Mapped[str] = mapped_column(Text)
    note_text: Mapped[str | None] = mapped_column(Text)
    payer: Mapped[Payer] = mapped_column(enum_column(Payer))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="form")
    # The organiser's eligibility checklist: None until checked.
    eligible_senior_role: Mapped[bool | None]
    eligible_commitment: Mapped[bool | None]
    eligible_fee: Mapped[bool | None]
    organiser_notes: Mapped[str | None] = mapped_column(Text)
    # The private link is an HMAC of this salt under SECRET_KEY, so every email can carry it
    # without the link being stored; a new salt (a new link) makes the old one stop working.
    link_salt: Mapped[str | None] = mapped_column(String(64))
    # The offer of a place and the person's answer to it (app.applications.lifecycle keeps these).
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    respond_by: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    response_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    programme: Mapped[Programme] = relationship()
    slots: Mapped[list[Slot]] = relationship(secondary=application_slot, order_by="Slot.position")
    note_file: Mapped[NoteFile | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False
    )

    reviews: Mapped[list["Review"]] = relationship(back_populates="application", cascade="all, delete-orphan")  # noqa: F821

    @property
    def average_score(self) -> float | None:
        scores = [review.score for review in self.reviews]
        return sum(scores) / len(scores) if scores else None

    @property
    def is_withdrawn(self) -> bool:
        return self.status is ApplicationStatus.WITHDRAWN


@event.listens_for(Application, "before_insert")
@event.listens_for(Application, "before_update")
def _keep_search_key(_mapper, _connection, application: Application) -> None:  # type: ignore[no-untyped-def]
    application.search_key = f"{fold(application.full_name)}\n{fold(application.organisation)}"


class NoteFile(db.Model):
    """An uploaded note, kept in the database with its checksum; never on disk under its own name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "pdf" or "docx", judged by content
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None]
    words: Mapped[int | None]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    application: Mapped[Application | None] = relationship(back_populates="note_file")

    @property
    def media_type(self) -> str:
        if self.kind == "pdf":
            return "application/pdf"
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
