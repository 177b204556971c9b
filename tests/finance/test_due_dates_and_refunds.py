"""One due date everywhere; no reminders on the day accounts open; a person who leaves their set owes
nothing, is never reminded, and what they paid shows as a refund due until finance records it."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from app.applications.lifecycle import change_status
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, FeeAccount
from app.schedule.planner import uk_date
from tests.finance.test_fees_download import SOFFICE, recalculated_accounts

REMIND = "/manage/finance/reminders"


@pytest.fixture
def finance(client, auth, confirmed):
    auth.login("finance")
    return client


def overview(client, **query) -> str:
    return client.get("/manage/finance/", query_string=query).get_data(as_text=True)


def row_of(page: str, reference: str) -> str:
    found = re.search(rf'<tr class="govuk-table__row" data-reference="{reference}">(.*?)</tr>', page, re.S)
    assert found, f"{reference} is not listed"
    return found.group(1)


def cell(row: str, name: str) -> str:
    found = re.search(rf"data-{name}>(.*?)</td>", row, re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def total(page: str, name: str) -> str:
    found = re.search(rf'data-set="All sets">.*?data-total="{name}">([^<]*)', page, re.S)
    assert found
    return found.group(1).strip()


def workbook_accounts(client) -> dict[str, dict]:
    response = client.get("/manage/finance/fees.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["Accounts"]
    header = [c.value for c in sheet[3]]
    return {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)
            if row[0] and row[0] != "Total"}


def leave(app, reference: str, reason: str = "Moving abroad") -> None:
    """The person declines their place, as the lifecycle records it."""
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == reference)).one()
        change_status(application, ApplicationStatus.DECLINED, "applicant", utcnow(), reason=reason)
        db.session.commit()


def pay(client, reference: str, amount: str = "300") -> None:
    response = client.post(f"/manage/finance/accounts/{reference}/payments",
                           data={"payment-amount": amount, "payment-method": "bank transfer"})
    assert response.status_code == 302


def test_the_due_date_is_the_same_on_the_page_the_overview_the_reminder_and_the_workbook(finance, clock, ledger):
    reference = ledger.references()[0]
    due = ledger.account_row(reference).due_date
    assert due >= clock.now.date()  # never before the offer
    words = uk_date(due)
    page = finance.get(f"/manage/finance/accounts/{reference}").get_data(as_text=True)
    assert re.search(r'id="due-date">([^<]*)<', page).group(1) == words
    assert cell(row_of(overview(finance), reference), "due") == words
    assert workbook_accounts(finance)[reference]["Due date"].date() == due
    clock.now = clock.now + timedelta(days=40)
    finance.post(REMIND)
    [email] = [e for e in ledger.emails("fee_reminder") if reference in e.subject]
    assert f"It was due by {words}." in email.body


def test_no_reminder_goes_out_on_the_day_accounts_are_opened(finance, app, clock, ledger):
    # Accounts whose due date has already passed on the day they open (as a schedule in the past once
    # made them): still no reminder that day, only from the next.
    with app.app_context():
        for account in db.session.scalars(select(FeeAccount)):
            account.due_date = clock.now.date() - timedelta(days=3)
        db.session.commit()
    assert "0 reminders queued" in finance.post(REMIND, follow_redirects=True).get_data(as_text=True)
    assert ledger.emails("fee_reminder") == []
    clock.advance(days=1)
    finance.post(REMIND)
    assert len(ledger.emails("fee_reminder")) == len(ledger.references())


def test_an_account_is_not_overdue_until_the_day_after_it_is_due(finance, clock, ledger):
    reference = ledger.references()[0]
    due = ledger.account_row(reference).due_date
    clock.now = clock.now.replace(month=due.month, day=due.day, hour=12)
    assert reference not in overview(finance, status="overdue")
    clock.advance(days=1)
    assert reference in overview(finance, status="overdue")


def test_a_closed_account_with_nothing_paid_is_never_overdue_nor_reminded(finance, app, clock, ledger):
    reference = ledger.references()[0]
    leave(app, reference)
    clock.advance(days=40)
    page = overview(finance)
    assert cell(row_of(page, reference), "status") == "Closed – nothing to refund"
    assert cell(row_of(page, reference), "outstanding") == "£0"
    assert reference not in overview(finance, status="overdue")
    finance.post(REMIND)
    reminded = {e.subject.rsplit(" ", 1)[1] for e in ledger.emails("fee_reminder")}
    assert reminded == set(ledger.references()) - {reference}
    account = finance.get(f"/manage/finance/accounts/{reference}").get_data(as_text=True)
    assert "Place ended on Monday 2 November 2026: Moving abroad. Nothing to refund." in account
    assert workbook_accounts(finance)[reference]["Fee"] == 0


def test_a_member_who_paid_and_declined_shows_refund_due_until_the_refund_is_recorded(finance, app, ledger,
                                                                                      tmp_path):
    reference, other = ledger.references()[:2]
    pay(finance, reference)
    leave(app, reference)
    page = overview(finance)
    assert cell(row_of(page, reference), "status") == "Refund due £300"
    assert cell(row_of(page, reference), "outstanding") == "£0"  # a closed account owes nothing
    assert total(page, "refund") == "£300 (1 account)"
    owed_by_others = 300 * (len(ledger.references()) - 1)
    assert total(page, "outstanding") == f"£{owed_by_others:,}"
    assert "1 person has left their set after paying: £300 to refund" in page
    assert set(re.findall(r'data-reference="([^"]+)"', overview(finance, status="refund"))) == {reference}
    assert other not in overview(finance, status="refund")

    account = finance.get(f"/manage/finance/accounts/{reference}").get_data(as_text=True)
    assert "Place ended on Monday 2 November 2026: Moving abroad. Refund due: £300" in account
    # The refund form is ready for the amount due.
    assert re.search(r'name="refund-amount"[^>]*value="300.00"', account)
    reason = re.search(r'<textarea[^>]*name="refund-reason"[^>]*>\s*([^<]*)</textarea>', account).group(1).strip()
    assert reason == str(escape("Place ended: Moving abroad"))

    status = workbook_accounts(finance)[reference]["Status"]
    assert "Refund due" in status and "Overdue" not in status
    if SOFFICE:
        rows = recalculated_accounts(finance.get("/manage/finance/fees.xlsx").data, tmp_path)
        header = rows[2]
        body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[3:] if r[0]}
        assert body[reference]["Status"] == "Refund due £300.00"
        assert float(body[reference]["Outstanding"]) == 0
        assert round(float(body["Total"]["Outstanding"]) * 100) == owed_by_others * 100

    response = finance.post(f"/manage/finance/accounts/{reference}/refunds", data={
        "refund-amount": "300.00", "refund-method": "bank transfer", "refund-reason": "Place ended: Moving abroad"})
    assert response.status_code == 302
    page = overview(finance)
    assert cell(row_of(page, reference), "status") == "Closed – nothing to refund"
    assert total(page, "refund") == "£0"
    assert reference not in overview(finance, status="refund")
    assert "Refund due" not in finance.get(f"/manage/finance/accounts/{reference}").get_data(as_text=True)
