"""Helpers for the schedule tests: plan a set and change a session through the organiser's pages."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, LearningSet, OutboxEmail, ScheduledSession, SessionKind


# Tuesday 8 December 2026 is the 2nd Tuesday and the first after the deadline (Friday 4 December);
# the first set in the demo meets on Tuesday mornings.
PLAN = {"first_date": ["8", "12", "2026"], "interval": "monthly", "weeks": "4",
        "winter_start": ["20", "12"], "winter_end": ["3", "1"], "training": "3"}
EXPECTED = ["Tuesday 8 December 2026", "Tuesday 12 January 2027", "Tuesday 9 February 2027",
            "Tuesday 9 March 2027", "Tuesday 13 April 2027", "Tuesday 11 May 2027"]


def plan(client, set_id: int, button: str = "save", **changes):
    return client.post(f"/manage/schedule/sets/{set_id}/plan", data={**PLAN, **changes, button: "y"})


def rows(app, set_id: int) -> list[ScheduledSession]:
    with app.app_context():
        found = list(db.session.scalars(select(ScheduledSession).where(ScheduledSession.set_id == set_id)
                                        .order_by(ScheduledSession.on)))
        for row in found:
            _ = [p.application.reference for p in row.presenters]
        db.session.expunge_all()
        return found


def members(app, set_id: int) -> dict[str, str]:
    with app.app_context():
        learning_set = db.session.get(LearningSet, set_id)
        return {m.application.reference: m.application.full_name for m in learning_set.members}


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return found


def session_id(app, set_id: int, number: int, kind: SessionKind = SessionKind.SESSION) -> int:
    return next(r.id for r in rows(app, set_id) if r.kind is kind and r.number == number)


def edit(client, set_id, sid, day: date, presenters, confirmed: str | None = None):
    data = {"on": [str(day.day), str(day.month), str(day.year)], "presenters": presenters, "submit": "y"}
    if confirmed is not None:
        data["confirmed"] = confirmed
    return client.post(f"/manage/schedule/sets/{set_id}/sessions/{sid}", data=data)


def presenters_of(app, set_id, number) -> list[str]:
    return sorted(p.application.reference for r in rows(app, set_id)
                  if r.kind is SessionKind.SESSION and r.number == number for p in r.presenters)


def confirmation(page: str) -> str:
    """The token a warning page carries, to save the same change again ("Save anyway")."""
    found = re.search(r'name="confirmed" type="hidden" value="([^"]+)"', page)
    assert found, "the page shows no warning to confirm"
    return found.group(1)


def outbox(app, template: str) -> list[OutboxEmail]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)
                                        .order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return found


def member_emails(app, set_id: int) -> list[str]:
    with app.app_context():
        learning_set = db.session.get(LearningSet, set_id)
        return sorted(m.application.email for m in learning_set.members)
