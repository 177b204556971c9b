"""What the person who applied sees on their own page: their status in words and, once offered a
place, their set, dates, fee and how to pay."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.applications.lifecycle import set_of
from app.clock import london
from app.finance.accounts import account_of
from app.finance.ledger import Balance, balance_of
from app.models import Application, ApplicationStatus, FeeAccount, LearningSet, ScheduledSession

Status = ApplicationStatus

# Once places are decided the answers are the ones the sets were formed from: read-only to the person.
DECIDED = frozenset({Status.SELECTED, Status.WAITING_LIST, Status.NOT_SELECTED, Status.DECLINED})


@dataclass(frozen=True)
class StatusWords:
    text: str
    tag_class: str


def status_words(application: Application, now: datetime) -> StatusWords:
    """The person's status as they would say it, never the internal name."""
    status = application.status
    if status is Status.SELECTED:
        if application.accepted_at is not None:
            return StatusWords("Place accepted", "govuk-tag--green")
        return StatusWords("Offered a place", "govuk-tag--turquoise")
    if status is Status.DECLINED and application.accepted_at is not None:
        return StatusWords("Place given up", "govuk-tag--grey")
    fixed = {
        Status.WAITING_LIST: StatusWords("On the waiting list", "govuk-tag--yellow"),
        Status.NOT_SELECTED: StatusWords("Not selected this time", "govuk-tag--grey"),
        Status.DECLINED: StatusWords("Declined", "govuk-tag--grey"),
        Status.WITHDRAWN: StatusWords("Withdrawn", "govuk-tag--grey"),
    }
    if status in fixed:
        return fixed[status]
    if now >= application.programme.deadline:
        return StatusWords("Being reviewed", "govuk-tag--blue")
    if application.late:
        return StatusWords("Received late", "govuk-tag--yellow")
    return StatusWords("Received", "govuk-tag--green")


def is_decided(application: Application) -> bool:
    return application.status in DECIDED


@dataclass(frozen=True)
class Meeting:
    session: ScheduledSession
    title: str
    presenting: bool


@dataclass
class Place:
    """A Selected person's place: the set, its published dates and their fee."""

    learning_set: LearningSet
    published: bool
    meetings: list[Meeting] = field(default_factory=list)
    account: FeeAccount | None = None
    balance: Balance | None = None

    @property
    def presenting_at(self) -> list[Meeting]:
        return [meeting for meeting in self.meetings if meeting.presenting]


def published_meetings(learning_set: LearningSet | None) -> list[ScheduledSession]:
    """The set's sessions and training in date order, once the organiser has published them."""
    from app.schedule.service import meetings_of

    if learning_set is None or learning_set.schedule_published_at is None:
        return []
    return meetings_of(learning_set)


def place_of(application: Application) -> Place | None:
    from app.schedule.service import meeting_label

    if application.status is not Status.SELECTED:
        return None
    learning_set = set_of(application)
    if learning_set is None:
        return None
    meetings = [Meeting(m, meeting_label(m), any(p.application_id == application.id for p in m.presenters))
                for m in published_meetings(learning_set)]
    account = account_of(application)
    balance = balance_of(account) if account is not None and account.closed_at is None else None
    return Place(learning_set, learning_set.schedule_published_at is not None, meetings,
                 account if balance is not None else None, balance)


def refund_due_pence(application: Application) -> int:
    """What the person paid and will get back, after leaving their set (0 if nothing)."""
    account = account_of(application)
    return account.refund_due_pence if account is not None else 0


def published_meeting_lines(learning_set: LearningSet | None) -> list:
    """The set's meetings as an email lists them (app.schedule.service.meeting_lines), once published."""
    from app.schedule.service import meeting_lines

    if learning_set is None or learning_set.schedule_published_at is None:
        return []
    return meeting_lines(learning_set)


def fee_balance_of(account: FeeAccount | None) -> Balance | None:
    return balance_of(account) if account is not None else None


def is_overdue_answer(application: Application, now: datetime) -> bool:
    """Offered, not answered, and the respond-by day (UK) has passed."""
    return (application.status is Status.SELECTED and application.accepted_at is None
            and application.respond_by is not None and london(now).date() > application.respond_by)



def own_private_link(account: FeeAccount) -> str | None:
    """The person's private link for an email about their fee, only when it goes to their own
    address: an organisation's finance contact must never be sent it (it opens the person's page)."""
    from app.applications.service import email_key, private_link_for

    application = account.application
    if email_key(account.finance_email) != email_key(application.email):
        return None
    return private_link_for(application)
