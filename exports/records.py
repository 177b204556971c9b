"""Plain input records for the spreadsheet writers.

The app converts its database rows into these; the writers never see Flask or SQLAlchemy.
Money is always integer pence (never floats) so nothing is lost before the sheet is written.
Datetimes should be timezone-aware UTC; a naive datetime is taken to be UTC (SQLite drops the
zone) and is shown in Europe/London time in every workbook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

PayerKind = Literal["person", "organisation"]
LedgerKind = Literal["charge", "payment", "refund", "waiver", "reversal"]
SessionKind = Literal["session", "training", "review", "midpoint", "evaluation"]


@dataclass(frozen=True)
class ApplicationRecord:
    reference: str
    submitted_at: datetime
    status: str
    full_name: str
    email: str
    organisation: str
    sector: str
    phone: str = ""
    job_title: str = ""
    offer: str = ""
    expectations: str = ""
    #: the session places/times the applicant can attend, as labels
    slots: list[str] = field(default_factory=list)
    late: bool = False
    #: words in the note (typed or extracted from the upload); None when there is no note
    note_words: int | None = None
    #: "upload", "typed" or "" (no note)
    note_kind: str = ""
    #: who pays the fee: "person" / "organisation" or a free description
    payer: str = ""
    #: average review score; None when nobody has scored the application yet
    score_average: float | None = None


@dataclass(frozen=True)
class MemberRecord:
    reference: str
    full_name: str
    email: str
    organisation: str
    sector: str
    job_title: str = ""
    #: further attributes the organiser balances on (e.g. region); become extra roster columns
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetRecord:
    name: str
    slot: str
    members: list[MemberRecord] = field(default_factory=list)


@dataclass(frozen=True)
class FeeAccountRecord:
    account_ref: str
    set_name: str
    participant_name: str
    payer_kind: PayerKind
    #: name to put on the invoice (the person, or their organisation)
    invoice_name: str = ""
    purchase_order: str = ""
    finance_email: str = ""
    due_date: date | None = None
    #: the fee the app expects for this account; shown as "Fee". The live "Charged" column is
    #: recomputed from the ledger, so a difference between the two is visible to finance.
    charged_pence: int = 0
    #: the application reference, so payments can be matched by either reference
    application_reference: str = ""
    #: the person left their set: the account owes nothing; what it holds is a refund due
    closed: bool = False


@dataclass(frozen=True)
class LedgerEntryRecord:
    """One movement on a fee account.

    Sign convention: ``amount_pence`` is the signed change to what the account OWES.
    charge > 0, waiver < 0, payment < 0, refund > 0, and a reversal carries the opposite sign
    of the entry it reverses. So the outstanding balance is simply the sum of an account's
    entries. ``reverses_kind`` (required for a reversal) says which entry kind it undoes, so
    the sheet can tell a reversed charge (affects "Charged") from a reversed payment (affects
    "Paid").
    """

    account_ref: str
    on: date
    kind: LedgerKind
    amount_pence: int
    method: str = ""
    reference: str = ""
    reason: str = ""
    recorded_by: str = ""
    reverses_kind: LedgerKind | None = None


@dataclass(frozen=True)
class SessionRecord:
    set_name: str
    on: date
    #: 1..6 for the set's regular sessions; None for other kinds
    number: int | None = None
    kind: SessionKind = "session"
    start: time | None = None
    end: time | None = None
    venue: str = ""
    presenters: list[str] = field(default_factory=list)
    #: what the end-of-session (or formal) review looks at
    review_point: str = ""
