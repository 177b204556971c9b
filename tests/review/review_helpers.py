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
