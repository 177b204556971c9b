"""Importing payments from finance's spreadsheet, safely twice.

A payment's IDENTITY (``payment_identity``) is a fingerprint of date + who (reference, else
email) + amount, and the payment reference when there is one: ``"fp:" + 16 hex digits``
without a payment reference, ``"pay:" + 32 hex digits`` with one. A bank reference alone is
not enough: banks give every transfer from some payers the same text ("BACS PAYMENT"), so three
such rows from three accounts are three payments. The app stores the identity with the ledger
entry it creates and passes every stored identity back as ``existing_payment_refs``; a row
whose identity is already there, or earlier in the same file, is a duplicate and is never
matched again. Consequence: two genuine payments by the same person, same day, same amount,
with the same (or no) payment reference, look like one; the preview lists the second as a
duplicate so a person can tell them apart by reference.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable

from ._sheet import Column, Target, add_table_sheet, new_workbook, save
from ._tabular import (
    RowError,
    Source,
    find_table,
    is_blank,
    load_rows,
    parse_date,
    parse_email,
    parse_pence,
    raw,
    text,
)


@dataclass(frozen=True)
class PaymentRow:
    row: int
    paid_on: date
    #: account or application reference ("" when the row gave only an email)
    reference: str
    email: str
    #: money received in pence; negative = a refund paid back
    amount_pence: int
    payment_reference: str = ""

    @property
    def identity(self) -> str:
        return payment_identity(self)


@dataclass(frozen=True)
class PaymentSheet:
    rows: list[PaymentRow]
    errors: list[RowError]


@dataclass(frozen=True)
class PaymentTarget:
    """An account a payment may be for, as the app knows it now."""

    account_ref: str
    application_reference: str
    email: str
    outstanding_pence: int
    #: paid so far (net of refunds); when given, a refund larger than this is a misfit
    paid_pence: int | None = None


@dataclass(frozen=True)
class MatchedPayment:
    row: PaymentRow
    account_ref: str
    identity: str


@dataclass(frozen=True)
class PaymentProblem:
    row: PaymentRow
    identity: str
    reason: str
    account_ref: str | None = None


@dataclass(frozen=True)
class PaymentPreview:
    matched: list[MatchedPayment] = field(default_factory=list)
    unmatched: list[PaymentProblem] = field(default_factory=list)
    #: already imported, or repeated within the file
    duplicates: list[PaymentProblem] = field(default_factory=list)
    #: matched an account but the amount does not fit (zero, more than outstanding, ...)
    misfit: list[PaymentProblem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def matched_pence(self) -> int:
        return sum(m.row.amount_pence for m in self.matched)


def payment_identity(row: PaymentRow) -> str:
    who = (row.reference or row.email).strip().casefold()
    fingerprint = f"{row.paid_on.isoformat()}|{who}|{row.amount_pence}"
    ref = " ".join(row.payment_reference.split()).casefold()
    if ref:
        return "pay:" + hashlib.sha256(f"{fingerprint}|{ref}".encode()).hexdigest()[:32]
    # unchanged since the first release, so files imported then are still recognised
    return "fp:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:16]


_ALIASES = {
    "date": ("paid_on", "payment_date", "date_paid", "received", "value_date"),
    "reference": ("ref", "account", "account_ref", "account_reference",
                  "application_reference", "application_ref"),
    "email": ("e_mail", "email_address"),
    "amount": ("amount_gbp", "paid", "amount_paid", "value"),
    "payment_reference": ("payment_ref", "transaction_reference", "transaction_id",
                          "bank_reference"),
}


def read_payments(source: Source) -> PaymentSheet:
    """Columns: date, reference and/or email, amount, optional payment_reference.
    Every bad row is reported; good rows are returned even when others are bad."""
    errors: list[RowError] = []
    table = find_table(load_rows(source), _ALIASES,
                       [("date",), ("reference", "email"), ("amount",)])
    if isinstance(table, RowError):
        return PaymentSheet([], [table])
    rows: list[PaymentRow] = []
    for number, cells in table.rows:
        if is_blank(cells):
            continue
        before = len(errors)

        def parse(fn: Callable[..., Any], *args: Any, number: int = number) -> Any:
            try:
                return fn(*args)
            except ValueError as e:
                errors.append(RowError(number, str(e)))
                return None

        col = table.columns.get
        paid_on = parse(parse_date, raw(cells, col("date")), "date")
        amount = parse(parse_pence, raw(cells, col("amount")), "amount")
        reference, email = text(cells, col("reference")), text(cells, col("email"))
        if email:
            parse(parse_email, email)
        if not reference and not email:
            errors.append(RowError(number, "give a reference or an email to say who paid"))
        if len(errors) == before:
            rows.append(PaymentRow(number, paid_on, reference, email, amount,
                                   text(cells, col("payment_reference"))))
    return PaymentSheet(rows, errors)


def _money(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _find(row: PaymentRow, targets: list[PaymentTarget]) -> PaymentTarget | str:
    """The one account a row is for, or the reason it cannot be told."""
    if row.reference:
        ref = row.reference.casefold()
        hits = [t for t in targets
                if ref in (t.account_ref.casefold(), t.application_reference.casefold())]
        if len(hits) == 1:
            return hits[0]
        if not row.email:
            return f"no account has reference {row.reference!r}"
    email = row.email.casefold()
    hits = [t for t in targets if t.email.casefold() == email]
    if len(hits) > 1:  # same person, several accounts: prefer the only one still owing
        owing = [t for t in hits if t.outstanding_pence > 0]
        if len(owing) == 1:
            return owing[0]
        return (f"{row.email} has {len(hits)} accounts "
                f"({', '.join(t.account_ref for t in hits)}); give the account reference")
    if hits:
        return hits[0]
    return f"no account for reference {row.reference!r} or email {row.email!r}" \
        if row.reference else f"no account has email {row.email!r}"


def preview_payments(
    rows: Iterable[PaymentRow],
    accounts: Iterable[PaymentTarget],
    existing_payment_refs: set[str],
    errors: Iterable[RowError] = (),
) -> PaymentPreview:
    """What importing ``rows`` would do, without doing it. Pure: the app applies ``matched``.

    Amounts are checked against what is left after earlier rows of the same file, so two
    £300 payments against £300 outstanding give one match and one misfit.
    """
    targets = list(accounts)
    outstanding = {t.account_ref: t.outstanding_pence for t in targets}
    paid = {t.account_ref: t.paid_pence for t in targets}
    preview = PaymentPreview(errors=list(errors))
    seen: dict[str, int] = {}
    for row in rows:
        identity = payment_identity(row)
        if identity in existing_payment_refs:
            preview.duplicates.append(PaymentProblem(row, identity, "already imported"))
            continue
        if identity in seen:
            preview.duplicates.append(PaymentProblem(
                row, identity, f"same payment as row {seen[identity]} of this file"))
            continue
        seen[identity] = row.row
        target = _find(row, targets)
        if isinstance(target, str):
            preview.unmatched.append(PaymentProblem(row, identity, target))
            continue
        ref, amount = target.account_ref, row.amount_pence
        reason = None
        if amount == 0:
            reason = "amount is zero"
        elif amount > outstanding[ref]:
            reason = (f"{_money(amount)} is more than the {_money(max(outstanding[ref], 0))} "
                      f"outstanding on {ref}")
        elif amount < 0 and paid[ref] is not None and -amount > paid[ref]:  # type: ignore[operator]
            reason = f"refund of {_money(-amount)} is more than the {_money(paid[ref])} paid"  # type: ignore[arg-type]
        if reason:
            preview.misfit.append(PaymentProblem(row, identity, reason, ref))
            continue
        outstanding[ref] -= amount
        if paid[ref] is not None:
            paid[ref] += amount  # type: ignore[operator]
        preview.matched.append(MatchedPayment(row, ref, identity))
    return preview


PAYMENT_COLUMNS = [
    Column("Date", "date"), Column("Reference", width=14), Column("Email", width=28),
    Column("Amount", "money"), Column("Payment reference", width=22),
]


def write_payments_template(
    targets: Iterable[PaymentTarget],
    out: Target,
    *,
    generated_at: datetime,
    title: str = "Payments received",
) -> None:
    """A workbook finance fills in and uploads: "Payments" (the import columns, empty) first,
    then "Outstanding" (who owes what) to look references up."""
    owing = [t for t in targets if t.outstanding_pence > 0]
    wb = new_workbook()
    add_table_sheet(wb, "Payments", title, generated_at, PAYMENT_COLUMNS, [])
    add_table_sheet(
        wb, "Outstanding", "Accounts with money outstanding", generated_at,
        [Column("Account"), Column("Application reference"), Column("Email"),
         Column("Outstanding", "money")],
        [[t.account_ref, t.application_reference, t.email, t.outstanding_pence] for t in owing],
    )
    save(wb, out)
