"""Offering a place from the review page: a waiting-list person gets a set, a fee account and the
offer email (the corruption case in issue 9: "Selected" used to give none of them)."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Application, FeeAccount, Programme, SetMember
from tests.helpers import link_from, outbox, slot_ids
from tests.review.review_helpers import LIST, confirmed, references, set_named, set_status, status_of

DURHAM = "Durham, Wednesday mornings"


def waiting(app, apply, **answers) -> str:
    """Someone who applied after the sets were confirmed, free only at Durham, on the waiting list."""
    details = {"full_name": "Wendy Waites", "email": "wendy@example.org", "organisation": "Wendy's Own Ltd",
               "sector": "voluntary", "slots": slot_ids(app)[1:], **answers}
    apply(**details)
    ref = references(app)[details["full_name"]]
    set_status(app, ref, "eligible", "waiting_list")
    return ref


def offered_sets(page: str) -> list[str]:
    return re.findall(r'<label class="govuk-label govuk-radios__label" for="[^"]+">\s*(Set \d+): ', page)


def test_a_waiting_list_person_offered_a_place_gets_set_fee_account_and_offer_email(client, auth, app, apply):
    confirmed(app)
    ref = waiting(app, apply)
    auth.login("organiser")
    detail = client.get(f"{LIST}{ref}").get_data(as_text=True)
    assert "Offer a place" in detail and f'href="/manage/applications/{ref}/offer"' in detail

    page = client.get(f"{LIST}{ref}/offer").get_data(as_text=True)
    assert offered_sets(page) == ["Set 4", "Set 5", "Set 6"], "only the sets meeting where and when they can"
    assert "6 of 8 places taken. Keeps every rule with them in it" in page

    set_six = set_named(app, "Set 6")
    response = client.post(f"{LIST}{ref}/offer", data={"learning_set": str(set_six.id)}, follow_redirects=True)
    assert "Wendy Waites has been offered a place in Set 6 and sent the offer" in response.get_data(as_text=True)
    assert status_of(app, ref) == "selected"
    with app.app_context():
        application = db.session.query(Application).filter_by(reference=ref).one()
        member = db.session.query(SetMember).filter_by(application_id=application.id).one()
        assert member.learning_set.name == "Set 6"
        account = db.session.query(FeeAccount).filter_by(application_id=application.id).one()
        assert account.learning_set.name == "Set 6" and account.closed_at is None
        assert application.offered_at is not None and application.respond_by is not None
    [offer] = [email for email in outbox(app) if email.to_address == "wendy@example.org" and email.template == "offer"]
    assert link_from(offer).startswith("/application/"), "the offer carries their private link"
    assert "In <strong>Set 6</strong>, Durham, Wednesday mornings." in client.get(f"{LIST}{ref}").get_data(as_text=True)


def test_full_sets_are_not_offered_and_nobody_is_offered_when_none_has_room(client, auth, app, apply):
    confirmed(app)
    ref = waiting(app, apply)
    with app.app_context():
        db.session.query(Programme).one().max_set_size = 7
        db.session.commit()
    auth.login("organiser")
    assert offered_sets(client.get(f"{LIST}{ref}/offer").get_data(as_text=True)) == ["Set 6"]
    with app.app_context():
        db.session.query(Programme).one().max_set_size = 6
        db.session.commit()
    page = client.get(f"{LIST}{ref}/offer").get_data(as_text=True)
    assert "No set meets at a place and time they can attend with a place free" in page
    assert offered_sets(page) == []


def test_a_set_that_would_break_a_rule_says_so_and_needs_offer_anyway(client, auth, app, apply):
    confirmed(app)
    set_six = set_named(app, "Set 6")
    colleague = set_six.members[0].application
    ref = waiting(app, apply, organisation=colleague.organisation)
    auth.login("organiser")
    page = client.get(f"{LIST}{ref}/offer").get_data(as_text=True)
    clash = f"Set 6 has 2 people from {colleague.organisation}"
    assert clash in page.replace("&#39;", "'")

    refused = client.post(f"{LIST}{ref}/offer", data={"learning_set": str(set_six.id)})
    text = refused.get_data(as_text=True)
    assert "<title>Error: " in text and "Offer the place anyway" in text
    assert "Set 6 would break a rule with them in it" in text
    assert status_of(app, ref) == "waiting_list"

    client.post(f"{LIST}{ref}/offer", data={"learning_set": str(set_six.id), "anyway": "y"})
    assert status_of(app, ref) == "selected"


def test_offer_is_only_for_those_who_may_be_selected(client, auth, app, apply):
    apply()
    ref = next(iter(references(app).values()))
    set_status(app, ref, "eligible")
    auth.login("organiser")
    assert "Offer a place" not in client.get(f"{LIST}{ref}").get_data(as_text=True), "no sets yet"
    response = client.get(f"{LIST}{ref}/offer", follow_redirects=True)
    assert "they cannot be offered a place from here" in response.get_data(as_text=True)
    bad = client.post(f"{LIST}{ref}/offer", data={"learning_set": "1"}, follow_redirects=True)
    assert status_of(app, ref) == "eligible" and bad.status_code == 200


def test_the_same_person_is_never_offered_a_second_place(client, auth, app, apply):
    confirmed(app)
    member = set_named(app, "Set 4").members[0].application
    details = {"full_name": member.full_name, "organisation": member.organisation,
               "email": "second.address@example.org", "sector": "voluntary", "slots": slot_ids(app)[1:]}
    apply(**details)
    with app.app_context():
        ref = db.session.query(Application).filter_by(email="second.address@example.org").one().reference
    set_status(app, ref, "eligible")
    auth.login("organiser")
    assert f'href="{LIST}{ref}/offer"' not in client.get(f"{LIST}{ref}").get_data(as_text=True)
    page = client.get(f"{LIST}{ref}/offer").get_data(as_text=True)
    assert "looks like the same person as" in page
    assert member.reference in page and "who holds a place in Set 4" in page
    assert "mark this application" in page and "withdrawn" in page
    assert offered_sets(page) == [] and "Keeps every rule" not in page and "Offer the place" not in page
    set_six = set_named(app, "Set 6")
    page = client.post(f"{LIST}{ref}/offer", data={"learning_set": str(set_six.id), "anyway": "y"}).get_data(as_text=True)
    assert "who holds a place in Set 4" in page
    assert status_of(app, ref) == "eligible"
