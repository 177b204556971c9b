"""The private link as the person's own page: their status in words, their set, dates and fee, and
accepting or declining the place they were offered."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.applications.lifecycle import change_status, set_of
from app.clock import utcnow
from app.extensions import db
from app.finance.accounts import account_of
from app.finance.ledger import record_payment
from app.models import Application, ApplicationStatus
from app.programmes import current_programme
from app.schedule import service as schedule
from app.schedule.planner import Interval, plan_sessions
from tests.conftest import DEADLINE
from tests.applications.member_helpers import someone_who_is, emails_of, person_with
from tests.helpers import answers, link_from, outbox

S = ApplicationStatus
FIRST_SESSION = date(2027, 1, 12)


def _application(app, reference: str) -> Application:
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == reference)).one()
        _ = application.programme
        db.session.expunge_all()
        return application


def _publish(app, reference: str) -> None:
    """Plan the person's set from 12 January 2027 and publish its dates."""
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == reference)).one()
        learning_set = set_of(application)
        plan = plan_sessions(FIRST_SESSION, Interval(), learning_set.slot_label)
        schedule.save_plan(learning_set, plan, "organiser@example.org", interval="monthly", winter=None,
                           training_after=3)
        learning_set.schedule_published_at = utcnow()
        db.session.commit()


def test_before_any_decision_the_page_says_received_then_being_reviewed(apply, client, app, clock):
    apply()
    link = link_from(outbox(app)[0])
    page = client.get(link).get_data(as_text=True)
    assert "Received" in page and "Change your application" in page
    clock.now = DEADLINE
    page = client.get(link).get_data(as_text=True)
    assert "Being reviewed" in page and "Change your application" not in page
    status = page.split('id="status"')[1].split("</p>")[0]
    assert "Being reviewed" in status and "submitted" not in status.lower()


def test_an_offered_person_sees_their_set_fee_how_to_pay_and_the_date_to_answer(app, client, confirmed):
    with app.app_context():
        current_programme().payment_instructions = "Bank: Northern Bank\nSort code: 12-34-56"
        db.session.commit()
    person = person_with(app, S.SELECTED)
    page = client.get(person.path).get_data(as_text=True)
    assert "Offered a place" in page
    assert "Please accept or decline it by Monday 16 November 2026" in page
    assert person.set_name in page
    application = _application(app, person.reference)
    with app.app_context():
        slot_label = set_of(db.session.merge(application)).slot_label
    assert slot_label in page
    assert "£300" in page and "Due by" in page and "Still to pay" in page
    assert "Bank: Northern Bank<br>Sort code: 12-34-56" in page
    assert f"Quote your reference {person.reference}" in page
    assert "Accept your place" in page and "Decline your place" in page
    assert "We will email them to you" in page, "no dates until the schedule is published"
    assert "selected" not in page.split('id="status"')[1].split("</p>")[0].lower()


def test_without_payment_instructions_the_page_still_says_how_payment_works(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    page = client.get(person.path).get_data(as_text=True)
    assert "Our finance officer will be in touch about how to pay" in page


@pytest.mark.parametrize(("status", "words"), [
    (S.WAITING_LIST, "On the waiting list"),
    (S.NOT_SELECTED, "Not selected this time"),
])
def test_other_decisions_are_said_in_words(app, client, confirmed, status, words):
    person = someone_who_is(app, status)
    page = client.get(person.path).get_data(as_text=True)
    assert words in page
    assert "Accept your place" not in page and "Change your application" not in page
    assert status.value not in page


def test_accepting_records_it_says_so_and_emails_with_the_link(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    page = client.post(person.path + "/accept", follow_redirects=True).get_data(as_text=True)
    assert f"You have accepted your place in {person.set_name}" in page
    assert "Place accepted" in page and "Accept your place" not in page
    assert "we will refund what you have paid" in page, "declining later is leaving, said plainly"
    assert _application(app, person.reference).accepted_at is not None
    [email] = emails_of(app, "place_accepted", person.email)
    assert link_from(email) == person.path


def test_declining_with_a_reason_leaves_the_set_closes_the_fee_and_promises_the_refund(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == person.reference)).one()
        account = account_of(application)
        record_payment(account, 10000, date(2026, 11, 2), "bank transfer", "BACS", "finance", utcnow())
        db.session.commit()
    client.post(person.path + "/accept")
    confirm = client.get(person.path + "/decline").get_data(as_text=True)
    assert "Are you sure you want to give up your place?" in confirm
    assert "You have paid £100. We will refund what you have paid" in confirm

    page = client.post(person.path + "/decline", data={"reason": "  New job\u0007 in London  "},
                       follow_redirects=True).get_data(as_text=True)
    assert "You have given up your place" in page and "Place given up" in page, "accepted, then given up"
    assert "You gave up your place on 2 November 2026" in page
    assert "We will refund what you have paid (£100)" in page
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == person.reference)).one()
        assert application.status is S.DECLINED
        assert application.decline_reason == "New job in London"
        assert set_of(application) is None
        account = account_of(application)
        assert account.closed_at is not None and account.refund_due_pence == 10000
    [email] = emails_of(app, "place_declined", person.email)
    assert "We will refund what you have paid" in email.body and link_from(email) == person.path


def test_a_reason_that_is_too_long_is_refused_and_nothing_changes(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    page = client.post(person.path + "/decline", data={"reason": "x" * 1001}).get_data(as_text=True)
    assert "Your reason must be 1,000 characters or fewer" in page
    assert _application(app, person.reference).status is S.SELECTED


def test_after_the_offer_answers_are_read_only_with_how_to_ask_for_a_change(app, client, confirmed):
    for status in (S.SELECTED, S.WAITING_LIST):
        person = person_with(app, status)
        response = client.get(person.path + "/change")
        page = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "Your answers can no longer be changed here" in page
        assert "organiser@localhost" in page and person.reference in page
        before = _application(app, person.reference).job_title
        client.post(person.path + "/change", data=answers(app, job_title="Changed"), content_type="multipart/form-data")
        assert _application(app, person.reference).job_title == before
        assert "Change your application" not in client.get(person.path).get_data(as_text=True)


def test_the_calendar_is_offered_only_once_the_dates_are_published(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    assert client.get(person.path + "/calendar.ics").status_code == 404
    assert "calendar.ics" not in client.get(person.path).get_data(as_text=True)

    _publish(app, person.reference)
    page = client.get(person.path).get_data(as_text=True)
    assert "Tuesday 12 January 2027" in page and "Session 6" in page and "Facilitation training" in page
    assert "You present at session" in page
    response = client.get(person.path + "/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 7 and "DTSTART" in body and "20270112" in body
    assert f"{person.set_name}: session 1 of 6" in body


def test_other_people_and_unknown_links_get_no_calendar(app, client, confirmed):
    person = person_with(app, S.WAITING_LIST)
    assert client.get(person.path + "/calendar.ics").status_code == 404
    assert client.get("/application/not-a-token/calendar.ics").status_code == 404


def test_changing_the_email_address_tells_the_old_address_without_the_link(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    response = client.post(link + "/change", data=answers(app, email="siobhan.new@example.org"),
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Your changes have been saved" in response.get_data(as_text=True)
    [old] = emails_of(app, "email_changed", "siobhan@example.org")
    assert "siobhan.new@example.org" in old.body and "If this was not you" in old.body
    assert "/application/" not in old.body
    [new] = emails_of(app, "application_changed", "siobhan.new@example.org")
    assert link_from(new) == link, "the change keeps the link they used"
    assert not emails_of(app, "email_changed", "siobhan.new@example.org")


def test_other_changes_do_not_write_to_the_old_address(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    client.post(link + "/change", data=answers(app, job_title="Chief Executive"), content_type="multipart/form-data")
    assert not [e for e in outbox(app) if e.template == "email_changed"]


def test_withdrawing_sends_one_email_with_the_link(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    page = client.post(link + "/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Your application has been withdrawn" in page and "Withdrawn" in page
    [email] = emails_of(app, "application_withdrawn", "siobhan@example.org")
    assert link_from(email) == link


def test_the_waiting_list_can_take_themselves_off(app, client, confirmed):
    person = person_with(app, S.WAITING_LIST)
    assert "Take me off the waiting list" in client.get(person.path).get_data(as_text=True)
    client.post(person.path + "/withdraw")
    assert _application(app, person.reference).status is S.WITHDRAWN
    assert len(emails_of(app, "application_withdrawn", person.email)) == 1


def test_offer_and_decision_emails_carry_the_link_and_what_to_do(app, confirmed):
    person = person_with(app, S.SELECTED)
    [offer] = emails_of(app, "offer", person.email)
    assert link_from(offer) == person.path
    assert "accept or decline your place by Monday 16 November 2026" in offer.body
    assert person.set_name in offer.body and "£300" in offer.body
    assert "We will email you the dates of the sessions as soon as the organiser publishes them" in offer.body
    assert "We will send the dates soon" not in offer.body
    assert "Please quote your reference" in offer.body and ", by " in offer.body
    waiting = person_with(app, S.WAITING_LIST)
    [email] = emails_of(app, "waiting_list", waiting.email)
    assert link_from(email) == waiting.path


def test_someone_offered_a_place_after_the_dates_are_published_gets_them_in_the_offer(app, client, confirmed):
    member = person_with(app, S.SELECTED)
    _publish(app, member.reference)
    waiting = person_with(app, S.WAITING_LIST)
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == waiting.reference)).one()
        learning_set = set_of(db.session.scalars(select(Application)
                                                 .where(Application.reference == member.reference)).one())
        current_programme().max_set_size += 1  # room for one more, without anyone leaving
        change_status(application, S.SELECTED, "organiser@example.org", utcnow(), learning_set=learning_set)
        db.session.commit()
    [offer] = emails_of(app, "offer", waiting.email)
    assert "Your dates:" in offer.body and "- Session 1: Tuesday 12 January 2027" in offer.body
    assert "We will email you the dates" not in offer.body
    page = client.get(waiting.path).get_data(as_text=True)
    assert "Offered a place" in page and "You present at session" in page


def test_a_member_moved_to_another_set_is_told_both_names_with_the_link(app, confirmed):
    from app.applications.lifecycle import move_to_set
    from app.models import LearningSet

    person = person_with(app, S.SELECTED)
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == person.reference)).one()
        other = db.session.scalars(select(LearningSet).where(LearningSet.name != person.set_name)).first()
        current_programme().max_set_size += 1  # room for one more in a full set
        move_to_set(application, other, "organiser@example.org", utcnow())
        db.session.commit()
        new_name, new_slot = other.name, other.slot_label
    [email] = emails_of(app, "set_changed", person.email)
    assert f"from {person.set_name} to {new_name}" in email.body and new_slot in email.body
    assert link_from(email) == person.path


def test_a_place_already_declined_cannot_then_be_accepted(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    client.post(person.path + "/decline", data={"reason": ""})
    response = client.post(person.path + "/accept")
    assert response.status_code == 409
    assert "This place can no longer be accepted" in response.get_data(as_text=True)
    application = _application(app, person.reference)
    assert application.status is S.DECLINED and application.accepted_at is None and application.decline_reason is None
    assert client.get(person.path + "/decline", follow_redirects=False).status_code == 302


def test_a_link_from_before_links_were_derived_leads_back_to_the_page_after_accepting(app, client, confirmed):
    from app.applications.service import token_hash

    person = person_with(app, S.SELECTED)
    old_token = "an-old-random-token-from-the-first-email"
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == person.reference)).one()
        application.link_salt = None
        application.access_token_hash = token_hash(old_token)
        db.session.commit()
    response = client.post(f"/application/{old_token}/accept", follow_redirects=True)
    assert response.status_code == 200
    assert "You have accepted your place" in response.get_data(as_text=True)
    [email] = emails_of(app, "place_accepted", person.email)
    assert client.get(link_from(email)).status_code == 200, "the emailed link is the one that works now"
