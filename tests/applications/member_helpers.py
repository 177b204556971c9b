"""Shared by the member-page tests: a person by status as they would reach their page, and the
emails they were sent."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select

from app.applications.lifecycle import set_of
from app.applications.service import private_link_for
from app.extensions import db
from app.models import Application, ApplicationStatus, OutboxEmail
from tests.helpers import outbox


@dataclass(frozen=True)
class Person:
    reference: str
    email: str
    path: str
    set_name: str | None = None


def person_with(app, status: ApplicationStatus, index: int = 0) -> Person:
    """The index-th person (by reference) with this status, with the path of their private link."""
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.status == status)
                                         .order_by(Application.reference)).all()[index]
        learning_set = set_of(application)
        found = Person(application.reference, application.email, urlparse(private_link_for(application)).path,
                       learning_set.name if learning_set else None)
        db.session.commit()
        return found


def emails_of(app, template: str, to: str | None = None) -> list[OutboxEmail]:
    return [e for e in outbox(app) if e.template == template and (to is None or e.to_address == to)]


def someone_who_is(app, status: ApplicationStatus) -> Person:
    """A person with this status: one from the waiting list is moved there if nobody has it yet."""
    from app.applications.lifecycle import change_status
    from app.clock import utcnow

    with app.app_context():
        if not db.session.scalars(select(Application).where(Application.status == status)).first():
            waiting = db.session.scalars(select(Application)
                                         .where(Application.status == ApplicationStatus.WAITING_LIST)).first()
            change_status(waiting, status, "organiser@example.org", utcnow())
            db.session.commit()
    return person_with(app, status)
