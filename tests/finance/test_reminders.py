"""Overdue is judged by the UK date from the app's clock; reminders go once a week at most."""
from __future__ import annotations

import re

import pytest

REMIND = "/manage/finance/reminders"


@pytest.fixture
def finance(client, auth, confirmed):
    auth.login("finance")
    return client


def overdue_refs(client) -> set[str]:
    page = client.get("/manage/finance/", query_string={"status": "overdue"}).get_data(as_text=True)
    return set(re.findall(r'data-reference="([^"]+)"', page))


def test_accounts_become_overdue_the_day_after_the_due_date_while_money_is_owed(finance, clock, ledger):
    references = ledger.references()
    due = ledger.account_row(references[0]).due_date
    paid, part = references[0], references[1]
    finance.post(f"/manage/finance/accounts/{paid}/payments", data={"payment-amount": "300", "payment-method": "card"})
    finance.post(f"/manage/finance/accounts/{part}/payments", data={"payment-amount": "200", "payment-method": "card"})
    # Late November: London is on GMT, so 23:30 UTC is still the due date and an hour later the next day.
    clock.now = clock.now.replace(year=due.year, month=due.month, day=due.day, hour=23, minute=30)
    assert overdue_refs(finance) == set()
    clock.advance(hours=1)
    assert overdue_refs(finance) == set(references) - {paid}
    page = finance.get(f"/manage/finance/accounts/{part}").get_data(as_text=True)
    assert "Overdue" in page
    totals = finance.get("/manage/finance/").get_data(as_text=True)
    overdue_total = re.search(r'data-set="All sets">.*?data-total="overdue">([^<(]*)', totals, re.S).group(1).strip()
    assert overdue_total == f"£{300 * (len(references) - 2) + 100:,}"


def test_reminders_are_queued_once_per_overdue_account_per_week(finance, clock, ledger):
    references = ledger.references()
    finance.post(f"/manage/finance/accounts/{references[0]}/payments",
                 data={"payment-amount": "300", "payment-method": "card"})
    assert "0 reminders queued" in finance.post(REMIND, follow_redirects=True).get_data(as_text=True)
    assert ledger.emails("fee_reminder") == []

    clock.advance(days=30)
    page = finance.post(REMIND, follow_redirects=True).get_data(as_text=True)
    expected = len(references) - 1
    assert f"{expected} reminders queued" in page
    emails = ledger.emails("fee_reminder")
    assert len(emails) == expected
    reminded = ledger.account_row(references[1])
    email = next(e for e in emails if references[1] in e.subject)
    assert email.to_address == reminded.finance_email
    assert email.subject == f"Fee reminder: £300 outstanding for {references[1]}"
    assert "£300" in email.body and references[1] in email.body
    assert len(ledger.audit("fee.reminder_queued")) == expected

    clock.advance(days=3)
    page = finance.post(REMIND, follow_redirects=True).get_data(as_text=True)
    assert "0 reminders queued" in page and f"{expected} overdue accounts were reminded in the last 7 days" in page
    assert len(ledger.emails("fee_reminder")) == expected

    clock.advance(days=4)
    finance.post(REMIND)
    assert len(ledger.emails("fee_reminder")) == 2 * expected


def test_organisers_may_queue_reminders_but_anonymous_visitors_may_not(client, auth, confirmed, clock, ledger):
    clock.advance(days=30)
    assert client.post(REMIND).headers["Location"].startswith("/staff/login")
    assert ledger.emails("fee_reminder") == []
    auth.login("organiser")
    client.post(REMIND)
    assert len(ledger.emails("fee_reminder")) == len(ledger.references())
