"""Offers of places after the sets are confirmed: who has answered, who has not, and reminders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app import audit
from app.applications.lifecycle import set_of
from app.applications.member import is_overdue_answer
from app.applications.service import private_link_for
from app.clock import as_utc
from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet, Programme
from app.outbox import queue_email

Status = ApplicationStatus

# A person who has not answered an offer this long after it is reminded once.
REMIND_AFTER = timedelta(days=7)


def _unanswered(programme: Programme) -> list[Application]:
    return list(db.session.scalars(
        select(Application).where(Application.programme_id == programme.id, Application.status == Status.SELECTED,
                                  Application.accepted_at.is_(None), Application.offered_at.is_not(None))
        .order_by(Application.respond_by, Application.reference)))


def due_for_reminder(programme: Programme, now: datetime) -> list[Application]:
    """Offered at least a week ago, no answer yet, never reminded."""
    return [a for a in _unanswered(programme)
            if a.response_reminded_at is None and a.offered_at is not None
            and as_utc(a.offered_at) <= now - REMIND_AFTER]


def queue_response_reminders(programme: Programme, now: datetime, by: str) -> int:
    """One reminder to answer the offer for each person `due_for_reminder`; returns how many."""
    people = due_for_reminder(programme, now)
    for application in people:
        learning_set = set_of(application)
        application.response_reminded_at = now
        audit.record(by, "application.response_reminded", f"application:{application.reference}",
                     after={"respond_by": application.respond_by.isoformat() if application.respond_by else None})
        queue_email(application.email, "respond_reminder", application=application, programme=programme,
                    link=private_link_for(application), learning_set=learning_set, left_set=None)
    return len(people)


@dataclass(frozen=True)
class Offer:
    application: Application
    learning_set: LearningSet | None


@dataclass
class OfferGroups:
    """Everyone offered a place, by where their answer stands."""

    accepted: list[Offer] = field(default_factory=list)
    waiting: list[Offer] = field(default_factory=list)
    overdue: list[Offer] = field(default_factory=list)
    declined: list[Offer] = field(default_factory=list)
    withdrawn: list[Offer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.waiting) + len(self.overdue) + len(self.declined) + len(self.withdrawn)


def offer_groups(programme: Programme, now: datetime) -> OfferGroups:
    groups = OfferGroups()
    rows = db.session.scalars(
        select(Application).where(Application.programme_id == programme.id,
                                  Application.offered_at.is_not(None),
                                  Application.status.in_([Status.SELECTED, Status.DECLINED, Status.WITHDRAWN]))
        .order_by(Application.full_name, Application.reference))
    for application in rows:
        if application.status is Status.SELECTED:
            offer = Offer(application, set_of(application))
            if application.accepted_at is not None:
                groups.accepted.append(offer)
            elif is_overdue_answer(application, now):
                groups.overdue.append(offer)
            else:
                groups.waiting.append(offer)
        elif application.status is Status.DECLINED:
            groups.declined.append(Offer(application, None))
        else:
            groups.withdrawn.append(Offer(application, None))
    groups.overdue.sort(key=lambda o: (o.application.respond_by, o.application.full_name.casefold()))
    groups.waiting.sort(key=lambda o: (o.application.respond_by, o.application.full_name.casefold()))
    return groups
