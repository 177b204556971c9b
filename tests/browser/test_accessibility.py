"""axe-core finds no accessibility violations on any public page, at desktop and at phone width."""
from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

AXE = Axe()


def assert_accessible(page: Page, name: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"axe found violations on {name} ({page.url}):\n{results.generate_report()}"


def fill_in_form(page: Page, email: str = "kwame@example.org") -> None:
    page.get_by_label("Full name").fill("Kwame Mensah")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation", exact=True).fill("Tyne Logistics Ltd")
    page.get_by_label("Private sector").check()
    page.get_by_label("Job title").fill("Managing Director")
    page.get_by_label("What can you offer the set?").fill("Experience of growing a business.")
    page.get_by_label("What do you expect to get out of the set?").fill("Perspectives from the public sector.")
    page.get_by_label("Or type your note").fill("A short note about me and my organisation.")
    page.get_by_label("Newcastle City Centre, Tuesday mornings").check()
    page.get_by_label("I will pay", exact=True).check()
    for agreement in ("I can commit", "I understand the fee", "I will keep what is said", "I have read the privacy"):
        page.get_by_label(agreement).check()


def test_every_public_page_has_no_axe_violations(page: Page, live_server) -> None:
    url = live_server.url

    page.goto(url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply to join an Action Learning Set")
    assert_accessible(page, "the start page")

    page.goto(url + "/privacy")
    assert_accessible(page, "the privacy notice")

    page.goto(url + "/apply")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a place")
    assert_accessible(page, "the empty application form")

    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "the application form with every error")

    fill_in_form(page)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Check your answers"))
    assert_accessible(page, "check your answers")

    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-panel--confirmation")).to_be_visible()
    assert_accessible(page, "the confirmation page")

    link = live_server.private_link()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your application ALS-")
    assert_accessible(page, "the private link page")

    page.get_by_role("link", name="Change your application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your application")
    assert_accessible(page, "the change page")

    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "the change page with an error")

    page.get_by_label("Full name").fill("Kwame Mensah-Boateng")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your changes have been saved")
    assert_accessible(page, "the private link page after a change")

    page.get_by_role("link", name="Withdraw your application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to withdraw your application?")
    assert_accessible(page, "the withdraw page")

    page.get_by_role("button", name="Withdraw my application").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your application has been withdrawn")
    assert_accessible(page, "the private link page after withdrawing")

    page.goto(url + "/application/find")
    assert_accessible(page, "find your application")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "find your application with an error")
    page.get_by_label("Email address").fill("kwame@example.org")
    page.get_by_role("button", name="Send me a link").click()
    assert_accessible(page, "the link sent page")

    response = page.goto(url + "/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page, "the 404 page")

    response = page.goto(url + "/application/not-a-real-token")
    assert response is not None and response.status == 404
    assert_accessible(page, "a wrong private link")


def test_closed_pages_have_no_axe_violations(page: Page, live_server) -> None:
    live_server.clock.now = live_server.deadline.replace(second=1)
    page.goto(live_server.url + "/apply")
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications have closed")
    assert_accessible(page, "the closed page")

    page.goto(live_server.url + "/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Applications closed at")
    assert_accessible(page, "the start page after the deadline")


def test_phone_width_has_no_axe_violations(phone_page: Page, live_server, shots: Path) -> None:
    phone = phone_page
    phone.goto(live_server.url + "/")
    # Our own branding has loaded: the stylesheet (teal header), GOV.UK Frontend's scripts (allowed by
    # the Content-Security-Policy nonce), and no crown or GOV.UK logo.
    expect(phone.locator(".als-header")).to_have_css("background-color", "rgb(11, 61, 58)")
    expect(phone.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(phone.locator(".govuk-header__logotype, .govuk-logo")).to_have_count(0)
    expect(phone.get_by_text("GOV.UK")).to_have_count(0)
    phone.screenshot(path=str(shots / "start-phone.png"), full_page=True)
    assert_accessible(phone, "the start page at phone width")

    phone.goto(live_server.url + "/apply")
    assert_accessible(phone, "the application form at phone width")

    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    phone.screenshot(path=str(shots / "form-errors-phone.png"), full_page=True)
    assert_accessible(phone, "the application form with errors at phone width")

    # Nothing is wider than the screen (no sideways scrolling at 375px, WCAG 1.4.10 reflow).
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the form is {width}px wide at a 375px viewport"
