"""Fees: an account per participant, and a ledger of entries that are only ever added.

Amounts are integer pence. An entry's amount is the signed change to what the account owes:
a charge is positive, a payment or waiver negative, a refund positive. A mistake is corrected
by a reversal entry with the opposite sign, never by editing or deleting.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.application import Application
from app.models.selection import LearningSet
from app.models.types import UTCDateTime, enum_column


class PayerKind(enum.Enum):
    PERSON = "person"
    ORGANISATION = "organisation"


class EntryKind(enum.Enum):
    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"
    WAIVER = "waiver"
    REVERSAL = "reversal"


class FeeAccount(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    set_id: Mapped[int | None] = mapped_column(ForeignKey("learning_set.id"), index=True)
    payer_kind: Mapped[PayerKind] = mapped_column(enum_column(PayerKind))
    invoice_name: Mapped[str] = mapped_column(String(200))
    purchase_order: Mapped[str | None] = mapped_column(String(100))
    finance_email: Mapped[str] = mapped_column(String(320))
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the person leaves their set: the charge is cancelled and any credit is a refund due.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship()
    learning_set: Mapped[LearningSet | None] = relationship()
    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="account", order_by="LedgerEntry.id")

    @property
    def reference(self) -> str:
        return self.application.reference

    @property
    def balance_pence(self) -> int:
        """What is still owed (negative: in credit)."""
        return sum(entry.amount_pence for entry in self.entries)

    @property
    def refund_due_pence(self) -> int:
        """What a closed account must pay back: its credit (0 for an open account)."""
        return max(0, -self.balance_pence) if self.closed_at is not None else 0


class LedgerEntry(db.Model):
    # The signs the module docstring promises, kept by the database too.
    __table_args__ = (
        CheckConstraint(
            "(kind = 'charge' AND amount_pence >= 0) OR (kind IN ('payment', 'waiver') AND amount_pence < 0)"
            " OR (kind = 'refund' AND amount_pence > 0) OR (kind = 'reversal' AND amount_pence <> 0)",
            name="ck_ledger_entry_sign",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("fee_account.id"), index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    amount_pence: Mapped[int]
    on: Mapped[date] = mapped_column(Date)
    method: Mapped[str | None] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    # The identity of an imported payment (exports.payment_identity): importing a file twice adds nothing.
    import_identity: Mapped[str | None] = mapped_column(String(120), unique=True)

    account: Mapped[FeeAccount] = relationship(back_populates="entries")
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])
