"""Staff pages on a 375 px phone: the header navigation wraps and no page scrolls sideways; the
settings pages have no axe violations at desktop or phone width."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.accounts import create_user
from app.extensions import db
from app.models import Application, FeeAccount, LearningSet, Role, SelectionRun
from tests.browser.test_accessibility import assert_accessible
from tests.factories import confirm_sets

PASSWORD = "a long organiser password"
PHONE = 375


@pytest.fixture
def staff_data(live_server) -> dict[str, object]:
    """Confirmed sets from demo applicants (some on the waiting list), one planned schedule, and staff."""
    app = live_server.app
    with app.app_context():
        confirm_sets(40, seed=3, sets=3)
        for email, role in (("organiser@example.org", Role.ORGANISER), ("finance@example.org", Role.FINANCE)):
            create_user(email, PASSWORD, role, live_server.clock(), by="test")
        db.session.commit()
        return {
            "reference": db.session.scalars(select(Application.reference).order_by(Application.id)).first(),
            "run": db.session.scalars(select(SelectionRun.id)).first(),
            "set": db.session.scalars(select(LearningSet.id).order_by(LearningSet.id)).first(),
            "account": db.session.scalars(select(FeeAccount).limit(1)).first().reference,
        }


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def assert_fits(page: Page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{name} ({page.url}) is {width} px wide at {PHONE} px"


def test_staff_pages_fit_a_phone(phone_page: Page, live_server, staff_data) -> None:
    url = live_server.url
    page = phone_page
    sign_in(page, url, "organiser@example.org")
    # The navigation wraps onto several lines inside the header instead of running off the side.
    nav = page.get_by_role("navigation", name="Staff")
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    box = nav.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    assert page.evaluate("document.querySelector('.als-header').scrollWidth") <= PHONE

    pages = {
        "the applications list": "/manage/applications/",
        "an application": f"/manage/applications/{staff_data['reference']}",
        "the selection page": "/manage/selection/",
        "a run's sets": f"/manage/selection/runs/{staff_data['run']}",
        "the schedule": "/manage/schedule/",
        "a set's schedule planning": f"/manage/schedule/sets/{staff_data['set']}/plan",
        "the fees": "/manage/finance/",
        "a fee account": f"/manage/finance/accounts/{staff_data['account']}",
        "the staff page": "/manage/staff/",
        "the spreadsheets": "/manage/downloads/",
        "the programme settings": "/manage/settings/programme",
        "the email list": "/manage/settings/emails",
        "an email's wording": "/manage/settings/emails/offer",
    }
    if page.request.get(f"{url}/manage/offers/").ok:  # the offers page, once it is there
        pages["the offers"] = "/manage/offers/"
    for name, path in pages.items():
        response = page.goto(url + path)
        assert response is not None and response.ok, f"{name}: {response and response.status}"
        assert_fits(page, name)

    page.context.clear_cookies()
    sign_in(page, url, "finance@example.org")
    response = page.goto(url + "/manage/applications/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    assert_fits(page, "the page a finance officer may not see")
    assert_accessible(page, "the 403 page at phone width")


def test_settings_pages_are_accessible_at_desktop_and_phone_width(page: Page, phone_page: Page, live_server,
                                                                  staff_data) -> None:
    url = live_server.url
    for each in (page, phone_page):
        sign_in(each, url, "organiser@example.org")
        each.goto(url + "/manage/settings/programme")
        expect(each.get_by_role("heading", level=1)).to_have_text("Programme settings")
        assert_accessible(each, "the programme settings")

        each.get_by_label("Smallest set").fill("9")
        each.get_by_label("Largest set").fill("7")
        each.get_by_role("button", name="Save settings").click()
        expect(each.locator(".govuk-error-summary")).to_contain_text("must not be larger than the largest")
        assert_accessible(each, "the programme settings with an error")

        each.goto(url + "/manage/settings/programme")
        each.get_by_label("Days to accept or decline an offer").fill("10")
        each.get_by_label("How to pay").fill("Bank transfer to Northern Bank\nSort code 00-00-00")
        each.get_by_role("button", name="Save settings").click()
        expect(each.locator(".govuk-notification-banner")).to_contain_text(
            re.compile("Programme settings saved|You did not change any settings"))
        expect(each.locator("#history")).to_be_visible()
        assert_accessible(each, "the programme settings after saving")

        place = each.get_by_role("link", name=re.compile("^Rename")).first
        place.click()
        expect(each.get_by_role("heading", level=1)).to_contain_text("Rename")
        assert_accessible(each, "renaming a place and time")

        each.goto(url + "/manage/settings/emails")
        expect(each.get_by_role("heading", level=1)).to_have_text("Email wording")
        assert_accessible(each, "the list of emails")

        each.get_by_role("link", name="Offer", exact=True).click()
        expect(each.locator("#preview-body")).to_contain_text("Dear Sam Taylor,")
        assert_accessible(each, "an email's wording")

        each.get_by_label("Wording").fill("Dear {{ application.full_name }},\n\n{{ nothing_here }}")
        each.get_by_role("button", name="Preview").click()
        expect(each.locator(".govuk-error-summary")).to_contain_text("is not a placeholder this email can use")
        assert_accessible(each, "an email's wording with an error")
        if each is phone_page:
            assert_fits(each, "an email's wording with an error")


def on_phone(phone: Page, url: str, name: str) -> None:
    """The same page at 375 px: no axe violations and no sideways scrolling."""
    response = phone.goto(url)
    assert response is not None and response.ok, f"{name} at phone width: {response and response.status}"
    assert_accessible(phone, f"{name} at phone width")
    assert_fits(phone, f"{name} at phone width")


def accessible_at_both_widths(page: Page, phone: Page, name: str) -> None:
    assert_accessible(page, name)
    on_phone(phone, page.url, name)
