"""The organiser signs in, reviews, runs a selection on demo data, moves a person and confirms."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.accounts import create_user
from app.extensions import db
from app.models import Application, ApplicationStatus, Role
from tests.browser.test_accessibility import assert_accessible

PASSWORD = "a long organiser password"


def prepare(live_server, applicants: int = 90) -> None:
    app = live_server.app
    app.test_cli_runner().invoke(args=["demo", "--applicants", str(applicants), "--seed", "4"])
    with app.app_context():
        create_user("organiser@example.org", PASSWORD, Role.ORGANISER, live_server.clock(), by="test")
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED:
                application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()


def sign_in(page: Page, url: str) -> None:
    page.goto(url + "/manage/applications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page, "the sign-in page")
    page.get_by_label("Email address").fill("organiser@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_organiser_runs_a_selection_moves_a_person_and_confirms(page: Page, live_server) -> None:
    prepare(live_server)
    url = live_server.url
    sign_in(page, url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Applications")
    assert_accessible(page, "the applications list")

    page.get_by_role("link", name="Selection").click()
    # axe must read the new page, not the one being left
    expect(page.get_by_role("heading", level=1)).to_contain_text("Form sets")
    assert_accessible(page, "the selection page")
    page.get_by_label("Lottery seed").fill("7")
    page.get_by_role("button", name="Form sets").click()
    # The run solves in the background; the page checks on it and shows the result.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Sets from run \d+"), timeout=30_000)
    expect(page.get_by_text("Proven optimal").first).to_be_visible()
    assert_accessible(page, "the selection result")

    set_one = page.locator("#set-1")
    name = set_one.locator("tbody tr").first.locator("td").first.inner_text().split("\n")[0]
    set_one.get_by_role("link", name=re.compile("Move or swap")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move or swap {name}")
    assert_accessible(page, "the move page")
    page.get_by_role("radio", name=re.compile(r"^Set 2: ")).check()
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text(f"Moved {name} to Set 2.")).to_be_visible()
    expect(page.locator("#set-2")).to_contain_text(name)

    page.get_by_role("link", name="Confirm these sets").click()
    assert_accessible(page, "the confirm page")
    if page.get_by_text("There is a problem").count():
        # The move broke a rule (for example a colleague already in Set 2): put them back first.
        page.get_by_role("link", name="Back to the sets").click()
        page.locator("#set-2").get_by_role("link", name=re.compile(f"Move or swap {re.escape(name)}")).click()
        page.get_by_role("radio", name=re.compile(r"^Set 1: ")).check()
        page.get_by_role("button", name="Move").click()
        page.get_by_role("link", name="Confirm these sets").click()
    page.get_by_label("Confirm before the deadline").check()
    page.get_by_role("button", name="Confirm and send emails").click()
    expect(page.get_by_text(re.compile(r"Sets confirmed: \d+ offered a place"))).to_be_visible()
    with live_server.app.app_context():
        assert db.session.query(Application).filter_by(status=ApplicationStatus.SELECTED).count() > 0


def test_the_application_review_pages_are_accessible(page: Page, live_server) -> None:
    prepare(live_server, applicants=30)
    sign_in(page, live_server.url)
    page.get_by_role("link", name=re.compile(r"ALS-")).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "an application's review page")
    page.goto(live_server.url + "/manage/downloads/")
    assert_accessible(page, "the spreadsheets page")


def test_staff_accounts_and_erasure_pages_are_accessible(page: Page, live_server) -> None:
    prepare(live_server, applicants=12)
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/manage/staff")
    expect(page.get_by_role("rowheader", name="organiser@example.org (you)")).to_be_visible()
    assert_accessible(page, "the staff accounts page")
    page.goto(live_server.url + "/manage/applications/")
    page.get_by_role("link", name=re.compile(r"ALS-")).first.click()
    reference = page.get_by_role("heading", level=1).inner_text()
    page.goto(page.url.rstrip("/") + "/erase")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, f"the erasure confirmation page for {reference}")
