"""Opening fee accounts when people are offered a place, closing them when they leave, and keeping
their due dates: one rule, `due_date_for`, for the page, the emails and the workbook."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app import audit
from app.clock import london
from app.extensions import db
from app.finance.ledger import reverse_entry, reversed_ids
from app.models import Application, EntryKind, FeeAccount, LearningSet, LedgerEntry, PayerKind, Payer, Programme

# Until a set's first session is scheduled, fees fall due four weeks after the offer.
DEFAULT_DAYS_TO_PAY = 28


def due_date_for(offered_on: date, first_session: date | None) -> date:
    """Four weeks after the offer, or the day before the first session if that is sooner; never
    before the day of the offer."""
    due = offered_on + timedelta(days=DEFAULT_DAYS_TO_PAY)
    if first_session is not None:
        due = min(due, first_session - timedelta(days=1))
    return max(due, offered_on)


def first_session_of(learning_set: LearningSet | None) -> date | None:
    if learning_set is None:
        return None
    from app.models import ScheduledSession, SessionKind

    return db.session.scalar(select(func.min(ScheduledSession.on)).where(
        ScheduledSession.set_id == learning_set.id, ScheduledSession.kind == SessionKind.SESSION))


def account_of(application: Application) -> FeeAccount | None:
    return db.session.scalars(select(FeeAccount).where(FeeAccount.application_id == application.id)).first()


def open_account(application: Application, learning_set: LearningSet | None, programme: Programme, now: datetime,
                 by: str) -> FeeAccount:
    """Sessions × fee per session, charged up front; the payer is the person or their organisation.
    Someone offered a place again (after leaving) gets their old account back with a new charge."""
    organisation_pays = application.payer is Payer.ORGANISATION
    offered_on = london(now).date()
    due = due_date_for(offered_on, first_session_of(learning_set))
    account = account_of(application)
    if account is not None:
        before = {"closed_at": account.closed_at.isoformat() if account.closed_at else None,
                  "due_date": account.due_date.isoformat()}
        account.closed_at = None
        account.closed_reason = None
        account.learning_set = learning_set
        account.due_date = due
        account.created_at = now
        account.last_reminded_at = None
        audit.record(by, "fee.account_reopened", f"application:{application.reference}", before=before,
                     after={"due_date": due.isoformat()})
    else:
        account = FeeAccount(
            programme_id=programme.id, application=application, learning_set=learning_set,
            payer_kind=PayerKind.ORGANISATION if organisation_pays else PayerKind.PERSON,
            invoice_name=application.organisation if organisation_pays else application.full_name,
            finance_email=application.email, due_date=due, created_at=now,
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


def close_account(application: Application, reason: str, by: str, now: datetime) -> FeeAccount | None:
    """The person left their set: cancel what is still charged (reversing the charges and waivers),
    so what they paid shows as a refund due until finance records the refund."""
    account = account_of(application)
    if account is None or account.closed_at is not None:
        return account
    done = reversed_ids(account)
    for entry in list(account.entries):
        if entry.kind in (EntryKind.CHARGE, EntryKind.WAIVER) and entry.id not in done and entry.amount_pence:
            reverse_entry(account, entry.id, f"Place ended: {reason}", by, now)
    account.closed_at = now
    account.closed_reason = reason
    audit.record(by, "fee.account_closed", f"application:{application.reference}",
                 after={"reason": reason, "refund_due_pence": account.refund_due_pence})
    return account


def fees_due_before(learning_set: LearningSet, first_session: date, by: str) -> int:
    """Fees are due before the first session: bring forward any later due date (never before the
    account was opened). Returns the count changed."""
    changed = 0
    for account in db.session.query(FeeAccount).filter_by(set_id=learning_set.id):
        due = due_date_for(london(account.created_at).date(), first_session)
        if account.due_date > due:
            audit.record(by, "fee.due_date_changed", f"application:{account.reference}",
                         before={"due_date": account.due_date.isoformat()}, after={"due_date": due.isoformat()})
            account.due_date = due
            changed += 1
    return changed
