"""Erasure on request: one person's data removed, the application kept as a husk under a pseudonym."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast, func, or_, select

from app import audit
from app.extensions import db
from app.applications.lifecycle import change_status, set_of
from app.models import (
    Action,
    Application,
    ApplicationDraft,
    ApplicationStatus,
    Erasure,
    FeeAccount,
    Presenter,
)
from app.privacy.pseudonyms import (
    forget_emails,
    pseudonym,
    pseudonymous_email,
    scrub_audit,
    scrub_selection_runs,
    unusable_token_hash,
)


@dataclass
class ErasureResult:
    reference: str
    already_erased: bool = False
    left_set: str | None = None
    presenting_sessions: int = 0
    emails: int = 0

    @property
    def message(self) -> str:
        if self.already_erased:
            return f"{self.reference} was already erased"
        message = f"{self.reference} erased"
        if self.left_set:
            message += f"; removed from {self.left_set}"
        if self.presenting_sessions:
            message += (f" and from the presenters of {self.presenting_sessions} session"
                        f"{'' if self.presenting_sessions == 1 else 's'} still to come (the rota is rebalanced)")
        return message


def erasure_of(application: Application) -> Erasure | None:
    return db.session.scalars(select(Erasure).where(Erasure.application_id == application.id)).first()


def forget_drafts_and_emails(application: Application, replacement: str) -> int:
    """Remove the person's unfinished forms and the text and address of their emails; `replacement`
    stands for their reference in what is kept. Returns the number of emails affected."""
    drafts = db.session.scalars(select(ApplicationDraft).where(or_(
        ApplicationDraft.application_id == application.id,
        func.lower(cast(ApplicationDraft.answers, Text)).contains(application.email_key, autoescape=True),
    )))
    for draft in drafts:
        db.session.delete(draft)
    return forget_emails({application.email}, application.reference, replacement)


def _presenting(application: Application) -> int:
    db.session.flush()
    return db.session.query(Presenter).filter_by(application_id=application.id).count()


def erase(application: Application, by: str, now: datetime) -> ErasureResult:
    """Remove a person's personal data on their request; idempotent.

    The row stays, under a pseudonym, because the fee ledger (kept for the accounts) hangs on it
    and because the reference must still answer "was this erased?". The application is withdrawn
    through the lifecycle, as any withdrawal is: the person leaves their set and the sessions still to
    come (a facilitator cannot work with a pseudonym), their fee account is closed (what they paid
    shows as a refund due), and no later selection considers them.
    """
    result = ErasureResult(application.reference)
    if erasure_of(application) is not None:
        result.already_erased = True
        return result
    reference = application.reference
    name, address = pseudonym(reference), pseudonymous_email(reference)
    result.emails = forget_drafts_and_emails(application, reference)
    scrub_selection_runs({reference: reference})
    scrub_audit({reference: reference})

    # Withdrawing takes them out of their set and the sessions still to come (the rota rebalanced)
    # and closes their fee account, as any withdrawal does; no email goes to an address being erased.
    learning_set = set_of(application)
    result.left_set = learning_set.name if learning_set is not None else None
    presenting_before = _presenting(application)
    status_before = application.status.value
    change_status(application, ApplicationStatus.WITHDRAWN, by, now, reason="Personal data erased on request",
                  notify=False)
    result.presenting_sessions = presenting_before - _presenting(application)

    account = db.session.scalars(select(FeeAccount).where(FeeAccount.application_id == application.id)).first()
    if account is not None:
        # The ledger's amounts stay for the accounts; who paid becomes the pseudonym.
        account.invoice_name = name
        account.finance_email = address
        account.purchase_order = name if account.purchase_order else None
    for review in application.reviews:
        review.comment = None
    # What they said in their set is theirs: their actions and issue titles go; the set keeps
    # attendance, under the pseudonym, for its counts.
    for action in db.session.scalars(select(Action).where(Action.application_id == application.id)):
        db.session.delete(action)
    for presenting in db.session.scalars(select(Presenter).where(Presenter.application_id == application.id)):
        presenting.issue_title = None

    application.full_name = name
    application.email = address
    application.email_key = address
    application.phone = None
    application.organisation = name
    application.job_title = ""
    application.offer = ""
    application.expectations = ""
    application.note_text = None
    application.organiser_notes = None
    application.note_file = None
    # The private link is derived from the salt: without it (and with an unusable hash) no link works.
    application.link_salt = None
    application.access_token_hash = unusable_token_hash()
    application.updated_at = now
    db.session.add(Erasure(application_id=application.id, erased_at=now, erased_by=by))
    audit.record(by, "application.erased", f"application:{reference}", before={"status": status_before}, after={
        "status": application.status.value, "left_set": result.left_set,
        "presenting_sessions": result.presenting_sessions, "emails": result.emails,
    })
    return result
