"""Payments from finance's spreadsheet: preview first, then save only the matched rows, once.

Each saved payment keeps its identity (exports.payment_identity) in LedgerEntry.import_identity,
and every stored identity is passed back to the preview, so importing the same file twice adds
nothing; the unique column stops a double click or two people saving the same file at once.
Rows are held to the rules of the manual payment form (app.finance.ledger): no date in the
future, no amount beyond what one entry may record, a payment reference of at most 200 characters.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from app import audit
from app.clock import london, utcnow
from app.extensions import db
from app.finance.ledger import MAX_ENTRY_PENCE, LedgerRefused, balance_of, check_day, pounds
from app.finance.queries import accounts as all_accounts
from app.models import Application, EntryKind, FeeAccount, LedgerEntry, Programme
from exports import (
    PaymentPreview,
    PaymentRow,
    PaymentTarget,
    RowError,
    SpreadsheetRefused,
    payment_identity,
    preview_payments,
    read_payments,
)

# Uploads waiting between preview and save are kept a day at most: they hold personal data.
KEEP_UPLOADS_FOR = 24 * 3600
REFERENCE_LIMIT = LedgerEntry.__table__.c.reference.type.length
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ImportRefused(ValueError):
    pass


def targets(found: list[FeeAccount]) -> list[PaymentTarget]:
    """Rows are matched by application reference or by the payer's finance contact email."""
    result = []
    for account in found:
        balance = balance_of(account)
        result.append(PaymentTarget(account_ref=account.reference, application_reference=account.reference,
                                    email=account.finance_email, outstanding_pence=balance.outstanding_pence,
                                    paid_pence=balance.paid_pence))
    return result


def imported_identities() -> set[str]:
    found: set[str] = set()
    rows = db.session.execute(
        select(LedgerEntry.import_identity, LedgerEntry.on, LedgerEntry.amount_pence, LedgerEntry.reference,
               Application.reference, FeeAccount.finance_email)
        .join(FeeAccount, LedgerEntry.account_id == FeeAccount.id)
        .join(Application, FeeAccount.application_id == Application.id)
        .where(LedgerEntry.import_identity.is_not(None))
    )
    for identity, on, amount_pence, reference, account_ref, email in rows:
        found.add(identity)
        if not identity.startswith(("fp:", "pay:")):
            # Saved when a bank reference alone was the identity: recognise the same row of the same
            # file as today's identity would see it, whether it named the account or the email.
            for who in (account_ref, email):
                found.add(payment_identity(PaymentRow(0, on, who, "", -amount_pence, reference or identity)))
    return found


def _rule_breaks(row: PaymentRow, today: date) -> str | None:
    """Why a row cannot be saved as the manual payment form would refuse it, or None."""
    try:
        check_day(row.paid_on, today)
    except LedgerRefused as refused:
        return f"date {row.paid_on:%d/%m/%Y}: {str(refused)[0].lower()}{str(refused)[1:]}"
    if abs(row.amount_pence) > MAX_ENTRY_PENCE:
        return f"amount {pounds(abs(row.amount_pence))} is more than one entry may record ({pounds(MAX_ENTRY_PENCE)})"
    if len(" ".join(row.payment_reference.split())) > REFERENCE_LIMIT:
        return f"payment reference is longer than {REFERENCE_LIMIT} characters"
    return None


def preview(programme: Programme, data: bytes) -> PaymentPreview:
    """What saving this file would do now; never changes anything."""
    try:
        sheet = read_payments(data)
    except SpreadsheetRefused as refused:
        raise ImportRefused(str(refused)) from refused
    except Exception as exc:  # a file that is no spreadsheet at all
        raise ImportRefused("The file must be a CSV file or an Excel workbook (.xlsx) with a row of column "
                            "headings: date, reference or email, amount, payment reference") from exc
    today = london(utcnow()).date()
    rows, errors = [], list(sheet.errors)
    for row in sheet.rows:
        problem = _rule_breaks(row, today)
        if problem is None:
            rows.append(row)
        else:
            errors.append(RowError(row.row, problem))
    errors.sort(key=lambda error: error.row)
    return preview_payments(rows, targets(all_accounts(programme)), imported_identities(), errors)


def commit(programme: Programme, data: bytes, source: str, by: str, now: datetime) -> PaymentPreview:
    """Recompute the preview against today's ledger and save its matched rows. The caller commits."""
    result = preview(programme, data)
    by_reference = {account.reference: account for account in all_accounts(programme)}
    for match in result.matched:
        account, row = by_reference[match.account_ref], match.row
        # Money received is a payment; a negative amount is a refund paid back to the payer.
        kind = EntryKind.PAYMENT if row.amount_pence > 0 else EntryKind.REFUND
        entry = LedgerEntry(
            account=account, kind=kind, amount_pence=-row.amount_pence, on=row.paid_on,
            reference=" ".join(row.payment_reference.split()) or None, reason=f"Imported from {source}, row {row.row}",
            recorded_by=by, recorded_at=now, import_identity=match.identity,
        )
        db.session.add(entry)
    if result.matched:
        db.session.flush()
        audit.record(by, "fee.payments_imported", f"programme:{programme.id}", after={
            "source": source, "saved": len(result.matched), "pence": result.matched_pence,
            "accounts": sorted({m.account_ref for m in result.matched}),
        })
    return result


def fingerprint(result: PaymentPreview) -> str:
    """What a preview would save, in a few characters: saving checks nothing changed since."""
    lines = sorted(f"{m.identity}|{m.account_ref}|{m.row.amount_pence}" for m in result.matched)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


class UploadStore:
    """Uploaded files kept server-side between the preview and the save (never in the cookie)."""

    def __init__(self, instance_path: str) -> None:
        self.folder = Path(instance_path) / "payment-imports"

    def put(self, data: bytes) -> tuple[str, str]:
        """Returns (token, sha256). The token is random, so nobody can guess another person's file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._clean()
        token = secrets.token_urlsafe(24)
        path = self.folder / f"{token}.bin"
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        return token, hashlib.sha256(data).hexdigest()

    def get(self, token: str, sha256: str) -> bytes:
        path = self._path(token)
        try:
            data = path.read_bytes()
        except OSError:
            raise ImportRefused("That upload has expired or was already saved: upload the file again") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ImportRefused("That upload has changed since the preview: upload the file again")
        return data

    def delete(self, token: str) -> None:
        try:
            self._path(token).unlink(missing_ok=True)
        except ImportRefused:
            pass

    def _path(self, token: str) -> Path:
        if not _TOKEN.match(token or ""):
            raise ImportRefused("That upload has expired or was already saved: upload the file again")
        return self.folder / f"{token}.bin"

    def _clean(self) -> None:
        cutoff = time.time() - KEEP_UPLOADS_FOR
        for old in self.folder.glob("*.bin"):
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
            except OSError:
                continue
