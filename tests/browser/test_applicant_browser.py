"""An applicant applies in Chromium as a person would: by the words on the page, not by ids.

One failed attempt first (no email address, no sector), so the error summary, the "Error: " title
and the summary's links are tested for real; then Check your answers with a Change link, the
confirmation panel and the private link from the email.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

REFERENCE = re.compile(r"ALS-[2-9A-HJ-NP-Z]{5}")
NOTE = "I lead a team of two hundred people across the region and want fresh perspectives on change"


def answer(page: Page, key: str):
    """The value cell of the Check your answers row whose key reads exactly `key`."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key").get_by_text(key, exact=True)
    )
    expect(row).to_have_count(1)
    return row.locator(".govuk-summary-list__value")


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_applicant_applies_after_one_failed_attempt(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Apply to join an Action Learning Set – Action Learning Sets")
    page.get_by_role("button", name="Start now").click()

    expect(page).to_have_title("Apply for a place – Action Learning Sets")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a place")

    # First attempt: everything except the email address and the sector.
    page.get_by_label("Full name").fill("Siobhán Ní Bhriain")
    page.get_by_label("Telephone number (optional)").fill("0191 498 0000")
    page.get_by_label("Organisation", exact=True).fill("Gateshead Council")
    page.get_by_label("Job title").fill("Director of Operations")
    page.get_by_label("What can you offer the set?").fill("Twenty years of leading change in local government.")
    page.get_by_label("What do you expect to get out of the set?").fill("Space to think with peers from other sectors.")
    note = page.get_by_label("Or type your note")
    note.press_sequentially(NOTE, delay=0)
    page.get_by_label("Newcastle City Centre, Tuesday mornings").check()
    page.get_by_label("My organisation will pay").check()
    page.get_by_label("I can commit to all six sessions for the whole programme").check()
    page.get_by_label("I understand the fee is paid up front, before the first session").check()
    page.get_by_label("I will keep what is said in the set confidential, under Chatham House rules").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Continue").click()

    # The error summary, the page title, and a message next to each field.
    expect(page).to_have_title(re.compile(r"^Error: Apply for a place"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Enter your email address", "Select the sector your organisation works in"])
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    expect(page.locator("#sector-error")).to_contain_text("Select the sector your organisation works in")

    # Nothing typed is lost.
    expect(page.get_by_label("Full name")).to_have_value("Siobhán Ní Bhriain")
    expect(page.get_by_label("Or type your note")).to_have_value(NOTE)
    expect(page.get_by_label("Newcastle City Centre, Tuesday mornings")).to_be_checked()
    expect(page.get_by_label("I have read the privacy notice")).to_be_checked()

    # Each summary link moves focus to its field.
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert focused_id(page) == "email"
    summary.get_by_role("link", name="Select the sector your organisation works in").click()
    expect(page.get_by_label("Public sector")).to_be_focused()  # the first radio
    assert focused_id(page) == "sector"

    # Fix both and continue.
    page.get_by_label("Email address").fill("siobhan@example.org")
    page.get_by_label("Private sector").check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Check your answers before you apply – Action Learning Sets")
    expect(answer(page, "Full name")).to_have_text("Siobhán Ní Bhriain")
    expect(answer(page, "Email address")).to_have_text("siobhan@example.org")
    expect(answer(page, "Organisation")).to_have_text("Gateshead Council")
    expect(answer(page, "Sector")).to_have_text("Private sector")
    expect(answer(page, "Note")).to_have_text(NOTE)
    expect(answer(page, "Places and times you can attend")).to_have_text("Newcastle City Centre, Tuesday mornings")
    expect(answer(page, "Who will pay the fee")).to_have_text("My organisation will pay")

    # One Change link: the answer is there to change, and everything else is kept.
    page.get_by_role("link", name="Change organisation").click()
    expect(page).to_have_title("Apply for a place – Action Learning Sets")
    organisation = page.get_by_label("Organisation", exact=True)
    expect(organisation).to_have_value("Gateshead Council")
    expect(page.get_by_label("Email address")).to_have_value("siobhan@example.org")
    expect(page.get_by_label("Private sector")).to_be_checked()
    expect(page.get_by_label("I can commit to all six sessions for the whole programme")).to_be_checked()
    organisation.fill("Gateshead Council Adult Services")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Check your answers before you apply – Action Learning Sets")
    expect(answer(page, "Organisation")).to_have_text("Gateshead Council Adult Services")
    expect(answer(page, "Email address")).to_have_text("siobhan@example.org")
    expect(answer(page, "Note")).to_have_text(NOTE)

    page.get_by_role("button", name="Submit application").click()

    expect(page).to_have_title("Application submitted – Action Learning Sets")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(panel).to_contain_text(REFERENCE)
    reference = REFERENCE.search(panel.inner_text()).group(0)  # type: ignore[union-attr]
    expect(page.get_by_text("siobhan@example.org")).to_be_visible()

    # Refreshing the confirmation page is harmless, and the email's private link shows the application.
    page.reload()
    expect(panel).to_contain_text(reference)
    emails = live_server.outbox()
    assert [email.to_address for email in emails] == ["siobhan@example.org"]
    assert reference in emails[0].body
    page.goto(live_server.private_link())
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your application {reference}")
    expect(answer(page, "Organisation")).to_have_text("Gateshead Council Adult Services")


def test_note_word_count_is_live(page: Page, live_server) -> None:
    page.goto(live_server.url + "/apply")
    note = page.get_by_label("Or type your note")
    count = page.locator("#note_text-info").locator("xpath=..").locator(".govuk-character-count__status")
    expect(count).to_have_text("You have 1,000 words remaining")
    note.press_sequentially("one two three four five", delay=0)
    expect(count).to_have_text("You have 995 words remaining")
    note.press_sequentially(" six", delay=0)
    expect(count).to_have_text("You have 994 words remaining")
    note.fill("")
    expect(count).to_have_text("You have 1,000 words remaining")
    # Over the limit the count says so, and the server refuses it with the same rule.
    note.fill("word " * 1003)
    expect(count).to_have_text("You have 3 words too many")
    expect(note).to_have_class(re.compile(r"govuk-textarea--error"))


def test_upload_a_pdf_note(page: Page, live_server) -> None:
    from tests.helpers import pdf_bytes

    page.goto(live_server.url + "/apply")
    page.get_by_label("Full name").fill("Zoë Lee")
    page.get_by_label("Email address").fill("zoe@example.org")
    page.get_by_label("Organisation", exact=True).fill("North Tyneside Carers")
    page.get_by_label("Voluntary sector").check()
    page.get_by_label("Job title").fill("Chief Executive")
    page.get_by_label("What can you offer the set?").fill("Running a charity on a shoestring.")
    page.get_by_label("What do you expect to get out of the set?").fill("Challenge from other sectors.")
    page.get_by_label("Upload your note").set_input_files(
        {"name": "my note.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}
    )
    page.get_by_label("Durham, Wednesday mornings").check()
    page.get_by_label("I will pay", exact=True).check()
    for agreement in ("I can commit", "I understand the fee", "I will keep what is said", "I have read the privacy"):
        page.get_by_label(agreement).check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_title("Check your answers before you apply – Action Learning Sets")
    expect(answer(page, "Note")).to_have_text("Uploaded: my note.pdf (2 pages)")
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text(REFERENCE)
