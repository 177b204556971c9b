"""Helpers for the review tests: a few known applicants, and reading the list page."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Application, AuditEvent
from tests.helpers import slot_ids

LIST = "/manage/applications/"


def three_applicants(app, apply) -> dict[str, str]:
    """Zoë (public, first slot), Ben (private, second slot), Émile (voluntary, both); name -> reference."""
    slots = slot_ids(app)
    apply(full_name="Zoë Adeyemi", email="zoe@example.org", organisation="Gateshead Council", sector="public",
          slots=slots[:1])
    apply(full_name="Ben Brown", email="ben@example.org", organisation="Sage Group plc", sector="private",
          slots=slots[1:])
    apply(full_name="Émile Dubois", email="emile@example.org", organisation="Changing Lives", sector="voluntary",
          slots=slots)
    return references(app)


def references(app) -> dict[str, str]:
    with app.app_context():
        return {a.full_name: a.reference for a in db.session.query(Application).order_by(Application.id)}


def listed(response) -> list[str]:
    """References of the rows on a list page, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return re.findall(r'<tr class="govuk-table__row" data-reference="([^"]+)"', response.get_data(as_text=True))


def count_cell(response, key: str) -> int:
    match = re.search(rf'data-count="{re.escape(key)}">([\d,]+)<', response.get_data(as_text=True))
    assert match, f"no count {key}"
    return int(match.group(1).replace(",", ""))


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()
        db.session.expunge_all()
        return rows


def status_of(app, reference: str) -> str:
    with app.app_context():
        return db.session.query(Application).filter_by(reference=reference).one().status.value


def confirmed(app) -> None:
    """40 demo applicants in six confirmed sets: Sets 1–3 meet at the first place and time, 4–6 at the second."""
    from tests.factories import confirm_sets

    with app.app_context():
        confirm_sets(applicants=40, seed=3)


def set_status(app, reference: str, *statuses: str) -> None:
    """Move an application through these statuses as an organiser would (no emails)."""
    from app.applications.lifecycle import change_status
    from app.clock import utcnow
    from app.models import ApplicationStatus

    with app.app_context():
        application = db.session.query(Application).filter_by(reference=reference).one()
        for status in statuses:
            change_status(application, ApplicationStatus(status), "organiser@example.org", utcnow(), notify=False)
        db.session.commit()


def set_named(app, name: str):
    """The confirmed set with this name, with its members' applications loaded."""
    from app.models import LearningSet

    with app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(name=name).one()
        _ = [(m.application.slots, m.application.reference) for m in learning_set.members]
        db.session.expunge_all()
        return learning_set
