"""What the finance page shows: accounts with their balances, totals per set, filters, reminders."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.clock import as_utc, london
from app.extensions import db
from app.finance.ledger import Balance, balance_of, is_overdue, pounds
from app.models import Application, FeeAccount, LedgerEntry, Programme
from app.outbox import queue_email

# One reminder a week at most: a finance contact should not get a reminder every time someone clicks.
REMIND_EVERY = timedelta(days=7)
FILTERS = {"outstanding": "Outstanding", "overdue": "Overdue", "paid": "Paid in full", "refund": "Refund due",
           "closed": "Place ended"}
NOTHING_TO_REFUND = "Closed – nothing to refund"
TAG_CLASSES = {"Overdue": "govuk-tag--red", "Outstanding": "govuk-tag--yellow", "Paid": "govuk-tag--green",
               "In credit": "govuk-tag--blue", "Refund due": "govuk-tag--orange", NOTHING_TO_REFUND: "govuk-tag--grey"}


def status_of(account: FeeAccount, balance: Balance, overdue: bool) -> str:
    """An account's status in words, the same on the pages and in the workbook's terms."""
    if account.closed_at is not None:
        refund = account.refund_due_pence
        return f"Refund due {pounds(refund)}" if refund else NOTHING_TO_REFUND
    if overdue:
        return "Overdue"
    if balance.outstanding_pence > 0:
        return "Outstanding"
    return "In credit" if balance.outstanding_pence < 0 else "Paid"


@dataclass(frozen=True)
class AccountRow:
    account: FeeAccount
    balance: Balance
    overdue: bool

    @property
    def closed(self) -> bool:
        return self.account.closed_at is not None

    @property
    def refund_due_pence(self) -> int:
        return self.account.refund_due_pence

    @property
    def outstanding_pence(self) -> int:
        """What is still owed: a closed account owes nothing (its credit is a refund due instead)."""
        return 0 if self.closed else self.balance.outstanding_pence

    @property
    def status(self) -> str:
        return status_of(self.account, self.balance, self.overdue)

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES["Refund due" if self.status.startswith("Refund due") else self.status]


@dataclass
class Totals:
    label: str
    accounts: int = 0
    due_pence: int = 0
    paid_pence: int = 0
    outstanding_pence: int = 0
    overdue_pence: int = 0
    overdue_accounts: int = 0
    refund_due_pence: int = 0
    refund_due_accounts: int = 0

    def add(self, row: AccountRow) -> None:
        self.accounts += 1
        self.due_pence += row.balance.charged_pence
        self.paid_pence += row.balance.paid_pence
        self.outstanding_pence += row.outstanding_pence
        if row.overdue:
            self.overdue_pence += row.outstanding_pence
            self.overdue_accounts += 1
        if row.refund_due_pence:
            self.refund_due_pence += row.refund_due_pence
            self.refund_due_accounts += 1


@dataclass
class Summary:
    per_set: list[Totals] = field(default_factory=list)
    total: Totals = field(default_factory=lambda: Totals("All sets"))


def accounts(programme: Programme) -> list[FeeAccount]:
    """Every account with what the pages need loaded up front (one query per relationship)."""
    return list(db.session.scalars(
        select(FeeAccount)
        .where(FeeAccount.programme_id == programme.id)
        .options(selectinload(FeeAccount.application), selectinload(FeeAccount.learning_set),
                 selectinload(FeeAccount.entries).selectinload(LedgerEntry.reverses))
        .join(Application, FeeAccount.application_id == Application.id)
        .order_by(Application.full_name, Application.reference)
    ))


def rows_for(found: list[FeeAccount], now: datetime) -> list[AccountRow]:
    return [AccountRow(account, balance_of(account), is_overdue(account, now)) for account in found]


def summarise(rows: list[AccountRow]) -> Summary:
    summary = Summary()
    by_set: dict[str, Totals] = {}
    for row in rows:
        name = row.account.learning_set.name if row.account.learning_set else "No set"
        by_set.setdefault(name, Totals(name)).add(row)
        summary.total.add(row)
    summary.per_set = [by_set[name] for name in sorted(by_set, key=_natural)]
    return summary


def _natural(name: str) -> tuple:
    # "Set 2" before "Set 10", as people count.
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name))


def matches(row: AccountRow, status: str, search: str) -> bool:
    if status == "outstanding" and row.outstanding_pence <= 0:
        return False
    if status == "overdue" and not row.overdue:
        return False
    if status == "paid" and (row.closed or row.balance.outstanding_pence > 0):
        return False
    if status == "refund" and not row.refund_due_pence:
        return False
    if status == "closed" and not row.closed:
        return False
    if search:
        application = row.account.application
        haystack = " ".join([application.full_name, application.reference, application.organisation,
                             application.email, row.account.invoice_name, row.account.finance_email]).casefold()
        return all(word in haystack for word in search.casefold().split())
    return True


def find_account(reference: str) -> FeeAccount | None:
    return db.session.scalars(
        select(FeeAccount).join(Application, FeeAccount.application_id == Application.id)
        .where(Application.reference == reference.strip().upper())
        .options(selectinload(FeeAccount.entries).selectinload(LedgerEntry.reverses))
    ).first()


def queue_reminders(programme: Programme, now: datetime, by: str) -> tuple[int, int]:
    """One email per overdue account, at most weekly, never on the day the account was opened (nor
    to a closed account, which is never overdue). Returns (queued, skipped as reminded recently)."""
    queued = skipped = 0
    today = london(now).date()
    for row in rows_for(accounts(programme), now):
        account = row.account
        if not row.overdue or row.closed or london(account.created_at).date() == today:
            continue
        if account.last_reminded_at is not None and now - as_utc(account.last_reminded_at) < REMIND_EVERY:
            skipped += 1
            continue
        queue_email(account.finance_email, "fee_reminder", account=account, application=account.application,
                    programme=programme, balance=row.balance)
        audit.record(by, "fee.reminder_queued", f"application:{account.reference}",
                     after={"to": account.finance_email, "outstanding_pence": row.balance.outstanding_pence})
        account.last_reminded_at = now
        queued += 1
    return queued, skipped
