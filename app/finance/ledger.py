"""The money rules: balances from the ledger, and adding entries (never editing or deleting them).

Every function here checks what it is asked to do and raises LedgerRefused with a message
finance can act on, so the pages and the command line say the same thing and never fail with
a 500. Amounts are integer pence; the sign convention is the one in app.models.finance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app import audit
from app.clock import london
from app.extensions import db
from app.models import EntryKind, FeeAccount, LedgerEntry, PayerKind
from app.web import format_money

METHODS = ("bank transfer", "card", "cheque", "cash", "invoice")
# The most one entry may move, so a typo such as "30000" for "300.00" is caught.
MAX_ENTRY_PENCE = 100_000_00

# Which total an entry moves: the fee side (charges and waivers) or the money side.
FEE_SIDE = {EntryKind.CHARGE, EntryKind.WAIVER}
MONEY_SIDE = {EntryKind.PAYMENT, EntryKind.REFUND}

_MONEY = re.compile(r"^£?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$")


class LedgerRefused(ValueError):
    """A request the ledger will not carry out; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def parse_pounds(value: str | None, field: str = "amount") -> int:
    """"300", "£150.50", "1,200" -> pence. Positive amounts only: the kind of entry gives the sign."""
    text = (value or "").strip()
    if not text:
        raise LedgerRefused("Enter an amount in pounds, like 150 or 150.50", field)
    match = _MONEY.match(text)
    if not match:
        raise LedgerRefused("Enter the amount in pounds and pence, like 150 or 150.50 (no minus sign)", field)
    try:
        pence = int(Decimal(match.group(1).replace(",", "")) * 100) + int((match.group(2) or "0").ljust(2, "0"))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise LedgerRefused("Enter the amount in pounds and pence, like 150 or 150.50", field) from None
    if pence == 0:
        raise LedgerRefused("The amount must be more than £0", field)
    if pence > MAX_ENTRY_PENCE:
        raise LedgerRefused(f"The amount must be £{MAX_ENTRY_PENCE // 100:,} or less", field)
    return pence


def parse_day(value: str | None, today: date, field: str = "on") -> date:
    """dd/mm/yyyy (or yyyy-mm-dd); empty means today. Money cannot move in the future."""
    text = (value or "").strip()
    if not text:
        return today
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return check_day(day, today, field)
    raise LedgerRefused("Enter the date as day/month/year, like 27/03/2026", field)


def check_day(day: date, today: date, field: str = "on") -> date:
    """The one rule for when money moved, typed or imported: not in the future, not before 2000."""
    if day > today:
        raise LedgerRefused("The date must be today or in the past", field)
    if day.year < 2000:
        raise LedgerRefused("Enter a real date, like 27/03/2026", field)
    return day


def pounds(pence: int) -> str:
    """£50, £150.50: as the pages show money."""
    return format_money(pence)


@dataclass(frozen=True)
class Balance:
    """An account's totals. charged and paid are what the spreadsheet calls Charged and Paid."""

    fee_pence: int       # charges (and reversals of charges)
    waived_pence: int    # waivers, as a positive number (net of reversals)
    paid_pence: int      # payments less refunds, as a positive number
    outstanding_pence: int

    @property
    def charged_pence(self) -> int:
        return self.fee_pence - self.waived_pence


def base_kind(entry: LedgerEntry) -> EntryKind:
    """The kind a reversal undoes, or the entry's own kind."""
    if entry.kind is EntryKind.REVERSAL and entry.reverses is not None:
        return entry.reverses.kind
    return entry.kind


def balance_of(account: FeeAccount) -> Balance:
    fee = waived = paid = 0
    for entry in account.entries:
        kind = base_kind(entry)
        if kind is EntryKind.CHARGE:
            fee += entry.amount_pence
        elif kind is EntryKind.WAIVER:
            waived -= entry.amount_pence
        elif kind in MONEY_SIDE:
            paid -= entry.amount_pence
    return Balance(fee, waived, paid, sum(entry.amount_pence for entry in account.entries))


def is_overdue(account: FeeAccount, now: datetime) -> bool:
    """Due dates are UK calendar days: overdue from the day after, while anything is owed. A closed
    account (the person left) owes nothing, so it is never overdue."""
    return account.closed_at is None and london(now).date() > account.due_date and account.balance_pence > 0


def reversed_ids(account: FeeAccount) -> set[int]:
    return {entry.reverses_id for entry in account.entries if entry.reverses_id is not None}


def _add(account: FeeAccount, kind: EntryKind, amount_pence: int, on: date, by: str, now: datetime,
         **details: Any) -> LedgerEntry:
    entry = LedgerEntry(account=account, kind=kind, amount_pence=amount_pence, on=on, recorded_by=by,
                        recorded_at=now, **details)
    db.session.add(entry)
    db.session.flush()
    audit.record(by, f"fee.{kind.value}_recorded", f"application:{account.reference}", after={
        "entry": entry.id, "amount_pence": amount_pence, "on": on.isoformat(),
        **{key: (value.id if isinstance(value, LedgerEntry) else value)
           for key, value in details.items() if value is not None},
    })
    return entry


def _method(method: str | None) -> str:
    if method not in METHODS:
        raise LedgerRefused("Select how the money was paid", "method")
    return method


def record_payment(account: FeeAccount, amount_pence: int, on: date, method: str | None, reference: str, by: str,
                   now: datetime, accept_overpayment: bool = False) -> LedgerEntry:
    """Part payments are fine; paying more than is outstanding needs an explicit yes."""
    method = _method(method)
    outstanding = account.balance_pence
    if amount_pence > outstanding and not accept_overpayment:
        raise LedgerRefused(
            f"{pounds(amount_pence)} is more than the {pounds(max(outstanding, 0))} outstanding. "
            "Check the amount, or tick ‘Accept an overpayment’ to put the account in credit", "amount")
    return _add(account, EntryKind.PAYMENT, -amount_pence, on, by, now, method=method, reference=reference or None)


def record_refund(account: FeeAccount, amount_pence: int, on: date, method: str | None, reason: str, by: str,
                  now: datetime) -> LedgerEntry:
    """Only money that was paid can go back."""
    method = _method(method)
    if not reason:
        raise LedgerRefused("Enter the reason for the refund", "reason")
    paid = balance_of(account).paid_pence
    if amount_pence > paid:
        raise LedgerRefused(f"You cannot refund {pounds(amount_pence)}: {pounds(max(paid, 0))} has been paid", "amount")
    return _add(account, EntryKind.REFUND, amount_pence, on, by, now, method=method, reason=reason)


def record_waiver(account: FeeAccount, amount_pence: int, on: date, reason: str, by: str,
                  now: datetime) -> LedgerEntry:
    """A waiver or bursary reduces the fee; it cannot put the account in credit (that is a refund)."""
    if not reason:
        raise LedgerRefused("Enter the reason for the waiver or bursary", "reason")
    outstanding = account.balance_pence
    if amount_pence > outstanding:
        raise LedgerRefused(f"A waiver cannot be more than the {pounds(max(outstanding, 0))} outstanding", "amount")
    return _add(account, EntryKind.WAIVER, -amount_pence, on, by, now, reason=reason)


def reverse_entry(account: FeeAccount, entry_id: int, reason: str, by: str, now: datetime) -> LedgerEntry:
    """Corrects a mistake by adding the opposite amount; the wrong entry stays, marked as reversed."""
    entry = next((e for e in account.entries if e.id == entry_id), None)
    if entry is None:
        raise LedgerRefused("That entry is not on this account", "entry")
    if entry.kind is EntryKind.REVERSAL:
        raise LedgerRefused("A reversal cannot itself be reversed: record the entry again instead", "entry")
    if entry.id in reversed_ids(account):
        raise LedgerRefused("That entry has already been reversed", "entry")
    if not reason:
        raise LedgerRefused("Enter the reason for reversing this entry", "reason")
    return _add(account, EntryKind.REVERSAL, -entry.amount_pence, london(now).date(), by, now,
                reverses=entry, reason=reason)


PAYER_FIELDS = ("payer_kind", "invoice_name", "purchase_order", "finance_email")


def update_payer(account: FeeAccount, changes: dict[str, Any], by: str) -> bool:
    """Who pays and where the invoice goes; only what changed is audited (before and after)."""
    def snapshot() -> dict[str, Any]:
        return {"payer_kind": account.payer_kind.value, "invoice_name": account.invoice_name,
                "purchase_order": account.purchase_order or "", "finance_email": account.finance_email}

    before = snapshot()
    account.payer_kind = PayerKind(changes["payer_kind"])
    account.invoice_name = changes["invoice_name"]
    account.purchase_order = changes["purchase_order"] or None
    account.finance_email = changes["finance_email"]
    old, new = audit.changed_fields(before, snapshot())
    if not new:
        return False
    audit.record(by, "fee.payer_changed", f"application:{account.reference}", before=old, after=new)
    return True
