"""The fees overview: who may see it, accounts opened on confirmation, totals per set, filters."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import FeeAccount, LearningSet, SetMember


def cell(page: str, row: str, column: str) -> str:
    """The text of one totals cell, e.g. cell(page, "All sets", "outstanding")."""
    match = re.search(rf'data-set="{re.escape(row)}">.*?data-total="{column}">([^<]*)<', page, re.S)
    assert match, f"no {column} cell for {row}"
    return match.group(1).strip()


def test_anonymous_visitors_are_sent_to_sign_in(client, confirmed, ledger):
    reference = ledger.references()[0]
    for url in ("/manage/finance/", f"/manage/finance/accounts/{reference}", "/manage/finance/fees.xlsx",
                "/manage/finance/payments/import"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login"), url
    response = client.post(f"/manage/finance/accounts/{reference}/payments", data={"payment-amount": "300"})
    assert response.headers["Location"].startswith("/staff/login")
    assert ledger.outstanding(reference) == 30_000


def test_finance_and_organisers_may_see_fees(client, auth, confirmed):
    auth.login("finance")
    assert client.get("/manage/finance/").status_code == 200
    auth.logout()
    auth.login("organiser")
    page = client.get("/manage/finance/").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Fees</h1>" in page


def test_confirming_sets_opens_an_account_per_participant_charged_six_sessions(app, confirmed, ledger):
    with app.app_context():
        members = db.session.query(SetMember).count()
        accounts = db.session.scalars(select(FeeAccount)).all()
        assert len(accounts) == members == confirmed["selected"] > 0
        assert all(account.set_id is not None for account in accounts)
    for reference in ledger.references():
        entries = ledger.entries(reference)
        assert [(kind, amount) for _, kind, amount, _, _ in entries] == [("charge", 30_000)]
        assert entries[0][3] == "organiser@example.org"


def test_the_overview_shows_due_paid_outstanding_per_set_and_in_total(client, auth, app, confirmed, ledger):
    auth.login("finance")
    first = ledger.references()[0]
    client.post(f"/manage/finance/accounts/{first}/payments",
                data={"payment-amount": "100", "payment-method": "card"})
    page = client.get("/manage/finance/").get_data(as_text=True)
    count = confirmed["selected"]
    assert cell(page, "All sets", "accounts") == str(count)
    assert cell(page, "All sets", "due") == f"£{300 * count:,}"
    assert cell(page, "All sets", "paid") == "£100"
    assert cell(page, "All sets", "outstanding") == f"£{300 * count - 100:,}"
    assert cell(page, "All sets", "overdue") == "£0"
    with app.app_context():
        sets = db.session.scalars(select(LearningSet)).all()
        account = db.session.scalars(select(FeeAccount)).all()
        first_set = next(a.learning_set for a in account if a.reference == first)
        for learning_set in sets:
            size = len(learning_set.members)
            paid = 100 if learning_set is first_set else 0
            assert cell(page, learning_set.name, "due") == f"£{300 * size:,}"
            assert cell(page, learning_set.name, "outstanding") == f"£{300 * size - paid:,}"


def test_accounts_can_be_searched_and_filtered(client, auth, app, confirmed, ledger):
    auth.login("finance")
    references = ledger.references()
    paid, part = references[0], references[1]
    client.post(f"/manage/finance/accounts/{paid}/payments", data={"payment-amount": "300", "payment-method": "card"})
    client.post(f"/manage/finance/accounts/{part}/payments", data={"payment-amount": "50", "payment-method": "card"})

    def listed(**query: str) -> set[str]:
        page = client.get("/manage/finance/", query_string=query).get_data(as_text=True)
        return set(re.findall(r'<tr class="govuk-table__row" data-reference="([^"]+)"', page))

    assert listed(status="paid") == {paid}
    assert listed(status="outstanding") == set(references) - {paid}
    assert listed(status="overdue") == set()
    assert listed(q=part.lower()) == {part}
    name = ledger.account_row(part).application.full_name
    assert part in listed(q=name)
    assert listed(q="nobody-has-this-name") == set()
    assert len(listed()) == len(references)


def test_an_unknown_account_is_not_found(client, auth, confirmed):
    auth.login("finance")
    assert client.get("/manage/finance/accounts/ALS-NOPE1").status_code == 404
