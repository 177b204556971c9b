"""From the database to the records `exports.write_fees` takes (used by the page and `als export fees`)."""
from __future__ import annotations

from exports import FeeAccountRecord, LedgerEntryRecord

from app.finance.queries import accounts as all_accounts
from app.models import EntryKind, Programme


def fee_records(programme: Programme) -> tuple[list[FeeAccountRecord], list[LedgerEntryRecord]]:
    """Every account of the programme and every ledger entry, oldest entry first.

    The account reference is the application reference: finance and participants quote one number.
    "Fee" is what was charged before any waiver or reversal, so a difference from the live
    "Charged" column shows finance where the fee was changed; a closed account's fee is nothing.
    """
    records: list[FeeAccountRecord] = []
    entries: list[LedgerEntryRecord] = []
    for account in all_accounts(programme):
        application = account.application
        records.append(FeeAccountRecord(
            account_ref=application.reference,
            set_name=account.learning_set.name if account.learning_set else "",
            participant_name=application.full_name,
            payer_kind=account.payer_kind.value,  # type: ignore[arg-type]
            invoice_name=account.invoice_name,
            purchase_order=account.purchase_order or "",
            finance_email=account.finance_email,
            due_date=account.due_date,
            charged_pence=(0 if account.closed_at is not None
                           else sum(e.amount_pence for e in account.entries if e.kind is EntryKind.CHARGE)),
            application_reference=application.reference,
            closed=account.closed_at is not None,
        ))
        for entry in account.entries:
            entries.append(LedgerEntryRecord(
                account_ref=application.reference,
                on=entry.on,
                kind=entry.kind.value,  # type: ignore[arg-type]
                amount_pence=entry.amount_pence,
                method=entry.method or "",
                reference=entry.reference or "",
                reason=entry.reason or "",
                recorded_by=entry.recorded_by,
                reverses_kind=(entry.reverses.kind.value  # type: ignore[arg-type]
                               if entry.reverses is not None else None),
            ))
    entries.sort(key=lambda e: (e.on, e.account_ref))
    return records, entries
