"""A status change that emails people, takes them out of their sets or leaves refunds to pay is shown
first and only made after "Yes, change them"; a harmless change is made at once."""
from __future__ import annotations

from datetime import date

from markupsafe import escape

from app.extensions import db
from app.models import Application, LearningSet, SetMember
from tests.helpers import outbox
from tests.review.review_helpers import LIST, confirmed, references, set_status, status_of, three_applicants


def members_of(app, *names: str) -> dict[str, tuple[str, str]]:
    """reference -> (full name, set name) for the members of these sets."""
    with app.app_context():
        rows = db.session.query(SetMember).join(LearningSet).filter(LearningSet.name.in_(names)).all()
        return {m.application.reference: (m.application.full_name, m.learning_set.name) for m in rows}


def pay(app, reference: str, pence: int) -> None:
    from app.finance.accounts import account_of
    from app.finance.ledger import record_payment
    from app.clock import utcnow

    with app.app_context():
        application = db.session.query(Application).filter_by(reference=reference).one()
        record_payment(account_of(application), pence, date(2026, 11, 2), "bank transfer", "BACS 1",
                       "finance@example.org", utcnow())
        db.session.commit()


def test_withdrawing_members_in_bulk_asks_first_and_says_who_is_emailed_leaves_and_is_owed(client, auth, app):
    confirmed(app)
    members = members_of(app, "Set 1", "Set 4")
    paid = sorted(members)[0]
    pay(app, paid, 30000)
    emails_before = len(outbox(app))
    auth.login("organiser")
    data = {"bulk-selected": sorted(members), "bulk-status": "withdrawn"}
    page = client.post(f"{LIST}status?sort=name", data=data).get_data(as_text=True)
    assert "You are about to change" in page
    assert f"{len(members)} people will be emailed" in page
    assert f"{len(members)} people will leave their sets (Set 1, Set 4)" in page
    assert "1 person paid fees that will be due for refund (£300 in all)" in page
    for name, _ in members.values():
        assert str(escape(name)) in page
    assert "Yes, change them" in page and 'name="bulk-confirmed" value="yes"' in page
    # Nothing has happened yet.
    assert all(status_of(app, ref) == "selected" for ref in members)
    assert len(outbox(app)) == emails_before
    assert set(members_of(app, "Set 1", "Set 4")) == set(members)

    response = client.post(f"{LIST}status?sort=name", data={**data, "bulk-confirmed": "yes"})
    assert response.status_code == 302 and "sort=name" in response.headers["Location"]
    assert all(status_of(app, ref) == "withdrawn" for ref in members)
    assert members_of(app, "Set 1", "Set 4") == {}
    assert len(outbox(app)) == emails_before + len(members)


def test_putting_people_on_the_waiting_list_asks_first_because_they_are_emailed(client, auth, app, apply):
    confirmed(app)
    refs = three_applicants(app, apply)
    waiting = [refs["Ben Brown"], refs["Zoë Adeyemi"]]
    for ref in waiting:
        set_status(app, ref, "eligible")
    auth.login("organiser")
    page = client.post(f"{LIST}status", data={"bulk-selected": waiting, "bulk-status": "waiting_list"}
                       ).get_data(as_text=True)
    assert "2 people will be emailed" in page
    assert "leave their set" not in page
    assert all(status_of(app, ref) == "eligible" for ref in waiting)


def test_a_harmless_bulk_change_is_made_at_once(client, auth, app, apply):
    refs = three_applicants(app, apply)
    auth.login("organiser")
    response = client.post(f"{LIST}status", data={"bulk-selected": list(refs.values()), "bulk-status": "ineligible"})
    assert response.status_code == 302
    assert all(status_of(app, ref) == "ineligible" for ref in refs.values())
    assert outbox(app) == [] or all(e.template == "application_received" for e in outbox(app))


def test_withdrawing_one_member_from_their_page_asks_first(client, auth, app):
    confirmed(app)
    ref, (name, set_name) = sorted(members_of(app, "Set 2").items())[0]
    pay(app, ref, 15000)
    auth.login("organiser")
    data = {"status-status": "withdrawn", "status-reason": "Moved abroad"}
    page = client.post(f"{LIST}{ref}/status", data=data).get_data(as_text=True)
    assert f"Change {name} to withdrawn?" in page
    assert "1 person will be emailed" in page and "1 person will leave their set (Set 2)" in page
    assert "Emailed; leaves Set 2; £150 due for refund" in page
    assert 'name="status-reason" value="Moved abroad"' in page and "Yes, change the status" in page
    assert status_of(app, ref) == "selected"

    response = client.post(f"{LIST}{ref}/status", data={**data, "status-confirmed": "yes"}, follow_redirects=True)
    assert "Status changed to withdrawn" in response.get_data(as_text=True)
    assert status_of(app, ref) == "withdrawn"
    assert references(app)  # the application is still there, withdrawn
