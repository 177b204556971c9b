"""What the person reads on their page and in their emails fits where they are: offered, accepted,
past the date to answer, given up, withdrawn, or on the waiting list; and a fee reminder sent to an
organisation's finance contact never carries the person's private link."""
from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from app.applications.lifecycle import change_status, set_of
from app.applications.service import private_link_for
from app.clock import utcnow
from app.extensions import db
from app.finance.accounts import account_of
from app.finance.ledger import record_payment
from app.models import Application, ApplicationStatus, OutboxEmail
from app.offers.service import queue_response_reminders
from app.programmes import current_programme
from tests.applications.member_helpers import someone_who_is, Person, emails_of, person_with
from tests.helpers import link_from

S = ApplicationStatus


def _one(reference: str) -> Application:
    return db.session.scalars(select(Application).where(Application.reference == reference)).one()


def test_the_accepted_banner_is_text_and_the_set_name_is_escaped(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    with app.app_context():
        set_of(_one(person.reference)).name = "Set <4> & co"
        db.session.commit()
    page = client.post(person.path + "/accept", follow_redirects=True).get_data(as_text=True)
    banner = page.split('govuk-notification-banner__content')[1].split('<span class="govuk-caption-l">')[0]
    assert "You have accepted your place in Set &lt;4&gt; &amp; co</p>" in banner
    assert "&lt;p" not in banner and "&amp;lt;" not in banner


def test_after_accepting_giving_up_is_said_as_giving_up(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    before = client.get(person.path).get_data(as_text=True)
    assert "Decline your place" in before and "Give up your place" not in before
    client.post(person.path + "/accept")
    page = client.get(person.path).get_data(as_text=True)
    assert "Give up your place" in page and "Decline your place" not in page
    confirm = client.get(person.path + "/decline").get_data(as_text=True)
    assert "Are you sure you want to give up your place?" in confirm
    assert "Why are you giving up your place? (optional)" in confirm and "Why are you declining" not in confirm
    done = client.post(person.path + "/decline", data={"reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "You have given up your place" in done and "You have declined" not in done
    [email] = emails_of(app, "place_declined", person.email)
    assert email.subject.startswith("You have given up your place") and "You have given up your place" in email.body


def test_before_accepting_declining_is_said_as_declining(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    confirm = client.get(person.path + "/decline").get_data(as_text=True)
    assert "Why are you declining? (optional)" in confirm and "giving up" not in confirm
    done = client.post(person.path + "/decline", data={"reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "You have declined your place" in done and "Declined" in done


def test_past_the_date_to_answer_the_page_does_not_ask_for_that_date(app, client, confirmed, clock):
    person = person_with(app, S.SELECTED)
    clock.now = clock.now + timedelta(days=20)  # the date to answer was Monday 16 November 2026
    page = client.get(person.path).get_data(as_text=True)
    assert "The date to answer, Monday 16 November 2026, has passed" in page
    assert "Please tell us by" not in page and "Please accept or decline it by" not in page
    answer = page.split('id="your-answer"')[1].split("</p>")[0]
    assert "as soon as you can" in answer


def test_the_read_only_page_speaks_of_a_set_only_to_someone_in_one(app, client, confirmed):
    waiting = person_with(app, S.WAITING_LIST)
    page = client.get(waiting.path + "/change").get_data(as_text=True)
    assert "Your answers can no longer be changed here" in page and "your set" not in page.lower()
    member = person_with(app, S.SELECTED)
    page = client.get(member.path + "/change").get_data(as_text=True)
    assert f"against the rules for {member.set_name}" in page


def test_withdrawn_from_a_set_the_page_and_email_say_what_it_means(app, client, confirmed):
    person = person_with(app, S.SELECTED)
    with app.app_context():
        application = _one(person.reference)
        record_payment(account_of(application), 30000, date(2026, 11, 2), "bank transfer", "BACS", "finance",
                       utcnow())
        change_status(application, S.WITHDRAWN, "organiser@example.org", utcnow(), reason="Moved abroad")
        db.session.commit()
    page = client.get(person.path).get_data(as_text=True)
    outcome = page.split('id="outcome"')[1].split("</p>")[0]
    assert "Your application was withdrawn on 2 November 2026" in outcome
    assert "no longer being considered for a place" in outcome and "no longer in a set" in outcome
    assert "We will refund what you have paid (£300)" in outcome
    [email] = emails_of(app, "application_withdrawn", person.email)
    assert f"you have left {person.set_name}" in email.body
    assert "Your place in the set will be offered to someone else" in email.body
    assert "You will not be considered" not in email.body
    assert "You have paid £300. We will refund what you have paid" in email.body


def test_an_organisation_that_pays_is_named_as_getting_the_invoice(app, client, confirmed):
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.status == S.SELECTED)
                                         .order_by(Application.reference)).first()
        account = account_of(application)
        account.payer_kind = account.payer_kind.__class__("organisation")
        account.invoice_name = "Tyne Logistics Ltd"
        account.finance_email = "invoices@tyne.example.org"
        db.session.commit()
        path = urlparse(private_link_for(application)).path
        db.session.commit()
    page = client.get(path).get_data(as_text=True)
    invoice = page.split('id="invoice"')[1].split("</p>")[0]
    assert "the invoice is made out to Tyne Logistics Ltd and sent to invoices@tyne.example.org" in invoice


@pytest.mark.parametrize(("status", "says", "never"), [
    (S.SELECTED, "We have offered you a place", "change or withdraw your application there until"),
    (S.WAITING_LIST, "You are on our waiting list", "change or withdraw your application there until"),
    (S.NOT_SELECTED, "we could not offer you a place this time", "if you tried to apply again"),
])
def test_a_new_link_email_fits_the_persons_status_and_replaces_the_old_link(app, client, confirmed, status, says,
                                                                            never):
    person = someone_who_is(app, status)
    client.post("/application/find", data={"email": person.email})
    [email] = emails_of(app, "private_link", person.email)
    assert says in email.body and never not in email.body
    assert "those links no longer work" in email.body
    assert "Your old link has stopped working and this is the new one" in email.body
    assert "your application has not changed" not in email.body
    assert client.get(person.path).status_code == 404, "the old link no longer works"
    assert client.get(link_from(email)).status_code == 200


def test_a_new_link_before_the_deadline_still_says_it_can_be_changed(apply, app, client):
    apply()
    client.post("/application/find", data={"email": "siobhan@example.org"})
    [email] = emails_of(app, "private_link", "siobhan@example.org")
    assert "You can see, change or withdraw your application there until 5pm on Friday 4 December 2026" in email.body


def test_the_reminder_to_answer_after_the_date_says_it_has_passed(app, confirmed, clock):
    clock.now = clock.now + timedelta(days=20)
    with app.app_context():
        queue_response_reminders(current_programme(), utcnow(), "organiser@example.org")
        db.session.commit()
    reminders = emails_of(app, "respond_reminder")
    assert reminders
    body = reminders[0].body
    assert "The date to answer, Monday 16 November 2026, has passed; please tell us as soon as you can" in body
    assert "Please accept or decline your place by" not in body


def test_the_reminder_to_answer_before_the_date_asks_for_the_date(app, confirmed, clock):
    clock.now = clock.now + timedelta(days=8)
    with app.app_context():
        queue_response_reminders(current_programme(), utcnow(), "organiser@example.org")
        db.session.commit()
    body = emails_of(app, "respond_reminder")[0].body
    assert "Please accept or decline your place by Monday 16 November 2026" in body and "has passed" not in body


def _fee_reminders(app, clock, finance_email: str | None) -> tuple[Person, OutboxEmail]:
    """Send the overdue fee reminders with the first member's account going to `finance_email`
    (None: the address they applied with, in capitals)."""
    from app.finance.queries import queue_reminders

    person = person_with(app, S.SELECTED)
    with app.app_context():
        programme = current_programme()
        programme.payment_instructions = "Bank: Northern Bank\nSort code: 12-34-56"
        account = account_of(_one(person.reference))
        account.finance_email = finance_email or person.email.upper()
        db.session.commit()
    clock.now = clock.now + timedelta(days=60)
    with app.app_context():
        queue_reminders(current_programme(), utcnow(), "finance@example.org")
        db.session.commit()
    [email] = [e for e in emails_of(app, "fee_reminder") if person.reference in e.subject]
    return person, email


def test_a_fee_reminder_to_the_person_says_how_to_pay_and_links_their_page(app, confirmed, clock):
    person, email = _fee_reminders(app, clock, None)
    assert "How to pay:\nBank: Northern Bank\nSort code: 12-34-56" in email.body
    assert f"Please quote the reference {person.reference} with your payment" in email.body
    assert link_from(email) == person.path


def test_a_fee_reminder_to_an_organisation_never_carries_the_private_link(app, confirmed, clock):
    person, email = _fee_reminders(app, clock, "accounts.payable@tyne.example.org")
    assert email.to_address == "accounts.payable@tyne.example.org"
    assert "Bank: Northern Bank" in email.body and person.reference in email.body
    assert "/application/" not in email.body
