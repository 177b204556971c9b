"""In a real browser: finance signs in, records a payment and a refund, downloads fees.xlsx,
imports a payment, and every finance page passes axe.

The browser runs in a thread of its own. tests/browser keeps a session-wide Playwright running on
the main thread, and Playwright's sync API refuses a second one on the same thread, so a
separate thread lets this file run alone or in the whole suite.
"""
from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path
from typing import Callable

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect, sync_playwright

from app.auth.accounts import create_user
from app.models import Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _unavailable, live_server  # noqa: F401  (fixture)
from tests.browser.test_accessibility import assert_accessible
from tests.finance.fin_helpers import Ledger, confirm_sets

PASSWORD = "a long finance password"


def _drive(steps: Callable[[Page], None], outcome: dict[str, BaseException]) -> None:
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = chromium.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB",
                                               accept_downloads=True)
                context.set_default_timeout(10_000)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
                        if "/static/" in response.url and response.status >= 400 else None)
                steps(page)
                # Scripts blocked by the Content-Security-Policy would break the GOV.UK components.
                assert not errors, f"JavaScript or static file errors in the browser: {errors}"
            finally:
                chromium.close()
    except BaseException as error:  # noqa: BLE001 - handed back to the test's thread
        outcome["error"] = error


@pytest.fixture
def in_browser() -> Callable[[Callable[[Page], None]], None]:
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")

    def run(steps: Callable[[Page], None]) -> None:
        outcome: dict[str, BaseException] = {}
        thread = threading.Thread(target=_drive, args=(steps, outcome), name="finance-browser")
        thread.start()
        thread.join(timeout=300)
        assert not thread.is_alive(), "the browser steps did not finish within 5 minutes"
        if "error" in outcome:
            raise outcome["error"]

    return run


def prepare(live_server) -> str:  # noqa: F811
    app = live_server.app
    with app.app_context():
        confirm_sets(applicants=16, seed=5)
        create_user("finance@example.org", PASSWORD, Role.FINANCE, live_server.clock(), by="test")
        from app.extensions import db

        db.session.commit()
    return Ledger(app).references()[0]


def test_finance_records_a_payment_and_a_refund_and_downloads_fees(in_browser, live_server) -> None:  # noqa: F811
    reference = prepare(live_server)
    in_browser(lambda page: finance_steps(page, live_server.url, reference, Ledger(live_server.app)))


def finance_steps(page: Page, url: str, reference: str, ledger: Ledger) -> None:

    page.goto(url + "/manage/finance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill("finance@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fees")
    assert_accessible(page, "the fees overview")

    page.get_by_label("Search by name, reference or email").fill(reference)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#accounts tbody tr")).to_have_count(1)
    page.get_by_role("link", name=reference).click()
    expect(page.locator("#outstanding")).to_have_text("£300")
    assert_accessible(page, "an account")

    page.get_by_label("Amount received, in pounds").fill("0")
    page.get_by_role("button", name="Record payment").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The amount must be more than £0")
    assert_accessible(page, "an account with an error")

    page.get_by_label("Amount received, in pounds").fill("£300")
    page.get_by_label("How it was paid").select_option("bank transfer")
    page.get_by_label("Payment reference (optional)").fill("BACS 4471")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Payment of £300 recorded")
    expect(page.locator("#outstanding")).to_have_text("£0")

    page.get_by_label("Amount refunded, in pounds").fill("100")
    page.get_by_label("How it was refunded").select_option("bank transfer")
    page.get_by_label("Reason for the refund").fill("Withdrew before the first session")
    page.get_by_role("button", name="Record refund").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Refund of £100 recorded")
    expect(page.locator("#outstanding")).to_have_text("£100")
    expect(page.locator("#ledger tbody tr")).to_have_count(3)
    assert_accessible(page, "an account with a payment and a refund")
    assert [entry[1:3] for entry in ledger.entries(reference)] == [
        ("charge", 30_000), ("payment", -30_000), ("refund", 10_000)]

    page.get_by_role("link", name="All fee accounts").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download fees (.xlsx)").click()
    download = info.value
    assert download.suggested_filename == "fees.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    kinds = [row[3] for row in workbook["Ledger"].iter_rows(min_row=4, values_only=True) if row[0] == reference]
    assert sorted(kinds) == ["Charge", "Payment", "Refund"]

    page.get_by_role("link", name="Import payments from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import payments")
    assert_accessible(page, "the import page")
    page.get_by_label("Payments spreadsheet").set_input_files(files=[{
        "name": "bank.csv", "mimeType": "text/csv",
        "buffer": f"date,reference,amount\n01/11/2026,{reference},50\n01/11/2026,ALS-NOBODY,20\n".encode()}])
    page.get_by_role("button", name="Preview payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the payments before saving")
    assert_accessible(page, "the import preview")
    page.get_by_role("button", name="Save 1 payment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 payment saved")
    assert ledger.outstanding(reference) == 5_000
