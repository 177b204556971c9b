"""After the offer, in the browser: a person offered a place opens their private link, sees their set
and fee, and declines; the organiser refills the place from the waiting list; the replacement
accepts; finance sees the refund due. Every new page has no axe violations at desktop width and at
a 375 px phone width, where nothing scrolls sideways."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.applications.lifecycle import set_of
from app.applications.service import private_link_for
from app.auth.accounts import create_user
from app.extensions import db
from app.finance.accounts import account_of
from app.finance.ledger import record_payment
from app.models import Application, ApplicationStatus, Role
from app.sets.refill_views import describe
from app.web import format_money
from tests.browser.test_staff_phone import PASSWORD, sign_in
from tests.browser.test_staff_phone import accessible_at_both_widths as _check
from tests.factories import confirm_sets

PAID = 150_00
DECLINE_REASON = "My new role starts in January and I cannot commit to the sessions."


@dataclass(frozen=True)
class Offered:
    """The person who will decline, as the browser needs them: their link and what they should see."""

    path: str
    reference: str
    full_name: str
    set_name: str
    slot_label: str
    fee: str
    paid: str
    waiting: dict[str, str]  # how the refill preview describes each person on the waiting list -> reference


def _path(link: str) -> str:
    return urlsplit(link).path


@pytest.fixture
def offered(live_server) -> Offered:
    """Five confirmed sets from 60 demo applicants (the rest on the waiting list), staff accounts, and
    a member of a set that someone on the waiting list can attend, who has paid part of the fee."""
    with live_server.app.app_context():
        counts = confirm_sets(60, 3, sets=5)
        assert counts["waiting_list"] > 0, counts
        for email, role in (("organiser@example.org", Role.ORGANISER), ("finance@example.org", Role.FINANCE)):
            create_user(email, PASSWORD, role, live_server.clock(), by="test")
        applications = list(db.session.scalars(select(Application).order_by(Application.id)))
        waiting = [a for a in applications if a.status is ApplicationStatus.WAITING_LIST]
        waiting_places = {slot.label for a in waiting for slot in a.slots}
        person = next(a for a in applications if a.status is ApplicationStatus.SELECTED
                      and set_of(a).slot_label in waiting_places)
        learning_set = set_of(person)
        account = account_of(person)
        record_payment(account, PAID, date(2026, 11, 2), "bank transfer", "BACS 1234", "finance@example.org",
                       live_server.clock())
        db.session.commit()
        programme = person.programme
        return Offered(
            path=_path(private_link_for(person)), reference=person.reference, full_name=person.full_name,
            set_name=learning_set.name, slot_label=learning_set.slot_label,
            fee=format_money(programme.total_fee_pence), paid=format_money(PAID),
            waiting={describe(a, a.reference): a.reference for a in waiting},
        )




def test_a_declined_place_is_refilled_from_the_waiting_list_and_refunded(
        page: Page, phone_page: Page, live_server, offered: Offered) -> None:
    url = live_server.url
    phone = phone_page

    # The person offered a place opens their private link: their set, its place and time, and the fee.
    page.goto(url + offered.path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your application {offered.reference}")
    expect(page.locator("#status")).to_contain_text("Offered a place")
    expect(page.locator("#respond-by")).to_contain_text("Please accept or decline it by")
    your_set = page.locator("#your-set")
    expect(your_set).to_contain_text(offered.set_name)
    expect(your_set).to_contain_text(offered.slot_label)
    fee = page.locator("#fee")
    expect(fee).to_contain_text(offered.fee)
    expect(fee).to_contain_text(offered.paid)
    expect(page.get_by_role("button", name="Accept your place")).to_be_visible()
    _check(page, phone, "the member's page with an offer")

    # They decline, with a reason, through the confirmation page.
    page.get_by_role("link", name="Decline your place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to decline your place?")
    expect(page.locator("main")).to_contain_text(f"Your place in {offered.set_name} will be offered to someone else")
    expect(page.locator("#refund")).to_contain_text(f"You have paid {offered.paid}. We will refund what you have paid")
    _check(page, phone, "the decline confirmation page")
    page.get_by_label("Why are you declining? (optional)").fill(DECLINE_REASON)
    page.get_by_role("button", name="Decline my place").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have declined your place")
    expect(page.locator("#status")).to_contain_text("Declined")
    expect(page.locator("main")).to_contain_text(f"We will refund what you have paid ({offered.paid})")
    expect(page.locator("#your-set")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept your place")).to_have_count(0)
    _check(page, phone, "the member's page after declining")

    # The organiser sees the decline and the reason on the offers page.
    page.context.clear_cookies()
    sign_in(page, url, "organiser@example.org")
    sign_in(phone, url, "organiser@example.org")
    page.get_by_role("link", name="Offers", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offers of places")
    declined = page.locator("#declined-list")
    expect(declined).to_contain_text(offered.full_name)
    expect(declined).to_contain_text(f"Reason: {DECLINE_REASON}")
    _check(page, phone, "the offers page")

    # The vacancies page shows the free place; the optimiser proposes someone from the waiting list.
    page.get_by_role("link", name="Selection", exact=True).click()
    page.get_by_role("link", name="See vacancies and offer places from the waiting list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vacancies and the waiting list")
    expect(page.locator("main")).to_contain_text(f"{len(offered.waiting)} people are on the waiting list")
    expect(page.locator("main")).to_contain_text("1 set is short of members: 1 place to fill")
    row = page.locator(".govuk-summary-list__row", has_text=offered.set_name)
    expect(row).to_contain_text("1 place free")
    _check(page, phone, "the vacancies page")

    page.get_by_role("button", name="Propose replacements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Replacements from the waiting list")
    expect(page.get_by_text("Nothing is sent until you confirm")).to_be_visible()
    card = page.locator(".govuk-summary-card", has=page.get_by_role(
        "heading", name=re.compile(rf"^{re.escape(offered.set_name)}: ")))
    expect(card).to_have_count(1)
    expect(card.locator(".govuk-summary-list__key").first).to_have_text("Offer a place to")
    proposed = card.locator(".govuk-summary-list__value").first.inner_text().strip()
    assert proposed in offered.waiting, f"{proposed!r} is not on the waiting list: {sorted(offered.waiting)}"
    _check(page, phone, "the refill preview")

    page.get_by_role("button", name="Confirm and send offers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vacancies and the waiting list")
    replacement_name = proposed.split(" (")[0]
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Offers sent to 1 person: {replacement_name}")
    expect(page.locator("main")).to_contain_text("Every set has all its places filled.")
    _check(page, phone, "the vacancies page after the refill")

    # The replacement opens the link in their offer email, sees the place, and accepts it.
    with live_server.app.app_context():
        replacement = db.session.scalars(
            select(Application).where(Application.reference == offered.waiting[proposed])).one()
        replacement_path, replacement_email = _path(private_link_for(replacement)), replacement.email
    offer = [e for e in live_server.outbox() if e.to_address == replacement_email and e.template == "offer"]
    assert len(offer) == 1, [e.subject for e in offer]
    assert url + replacement_path in offer[0].body
    page.goto(url + replacement_path)
    expect(page.locator("#status")).to_contain_text("Offered a place")
    expect(page.locator("#your-set")).to_contain_text(offered.set_name)
    expect(page.locator("#fee")).to_contain_text(offered.fee)
    page.get_by_role("button", name="Accept your place").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You have accepted your place in {offered.set_name}")
    expect(page.locator("#status")).to_contain_text("Place accepted")
    expect(page.get_by_role("button", name="Accept your place")).to_have_count(0)
    _check(page, phone, "the member's page after accepting")

    page.goto(url + "/manage/offers/")
    expect(page.locator("#accepted-list")).to_contain_text(replacement_name)
    _check(page, phone, "the offers page after the replacement accepted")

    # The organiser's settings pages.
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme settings")
    _check(page, phone, "the programme settings")
    page.goto(url + "/manage/settings/emails")
    expect(page.get_by_role("heading", level=1)).to_have_text("Email wording")
    _check(page, phone, "the list of emails")

    # Finance sees the refund due for the person who declined, on the fees page and their account.
    page.context.clear_cookies()
    phone.context.clear_cookies()
    sign_in(page, url, "finance@example.org")
    sign_in(phone, url, "finance@example.org")
    page.goto(url + "/manage/finance/")
    expect(page.locator("#refunds-due")).to_contain_text(
        f"1 person has left their set after paying: {offered.paid} to refund")
    account_row = page.locator("#accounts tbody tr", has_text=offered.full_name)
    expect(account_row.locator("[data-status]")).to_have_text(f"Refund due {offered.paid}")
    _check(page, phone, "the fees page with a refund due")
    account_row.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text(f"Refund due: {offered.paid}")
    expect(page.get_by_role("link", name="Record the refund")).to_be_visible()
    _check(page, phone, "the fee account with a refund due")
