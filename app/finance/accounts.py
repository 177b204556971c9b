"""Opening fee accounts when participants are confirmed, and keeping their due dates."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from app import audit
from app.clock import london
from app.extensions import db
from app.models import Application, EntryKind, FeeAccount, LearningSet, LedgerEntry, PayerKind, Payer, Programme

# Until a set's first session is scheduled, fees fall due four weeks after the offer.
DEFAULT_DAYS_TO_PAY = 28


def open_account(application: Application, learning_set: LearningSet | None, programme: Programme, now: datetime,
                 by: str) -> FeeAccount:
    """Sessions × fee per session, charged up front; the payer is the person or their organisation."""
    organisation_pays = application.payer is Payer.ORGANISATION
    account = FeeAccount(
        programme_id=programme.id, application=application, learning_set=learning_set,
        payer_kind=PayerKind.ORGANISATION if organisation_pays else PayerKind.PERSON,
        invoice_name=application.organisation if organisation_pays else application.full_name,
        finance_email=application.email, due_date=london(now).date() + timedelta(days=DEFAULT_DAYS_TO_PAY),
        created_at=now,
    )
    charge = LedgerEntry(
        account=account, kind=EntryKind.CHARGE, amount_pence=programme.total_fee_pence, on=london(now).date(),
        reason=f"{programme.sessions} sessions at £{programme.fee_per_session_pence / 100:,.2f}, paid up front",
        recorded_by=by, recorded_at=now,
    )
    db.session.add_all([account, charge])
    audit.record(by, "fee.account_opened", f"application:{application.reference}",
                 after={"charged_pence": charge.amount_pence, "payer": account.payer_kind.value})
    return account


def fees_due_before(learning_set: LearningSet, first_session: date, by: str) -> int:
    """Fees are due before the first session: bring forward any later due date. Returns the count changed."""
    changed = 0
    for account in db.session.query(FeeAccount).filter_by(set_id=learning_set.id):
        due = first_session - timedelta(days=1)
        if account.due_date > due:
            audit.record(by, "fee.due_date_changed", f"application:{account.reference}",
                         before={"due_date": account.due_date.isoformat()}, after={"due_date": due.isoformat()})
            account.due_date = due
            changed += 1
    return changed
