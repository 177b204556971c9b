"""One account: payments, part payments, refunds, waivers and reversals only ever add entries."""
from __future__ import annotations

import re

import pytest

URL = "/manage/finance/accounts/{}"


@pytest.fixture
def account(client, auth, confirmed, ledger) -> str:
    auth.login("finance")
    return ledger.references()[0]


def post(client, account_ref: str, what: str, **data: str):
    path = {"payment": "payments", "refund": "refunds", "waiver": "waivers"}[what]
    return client.post(f"{URL.format(account_ref)}/{path}", data={f"{what}-{k}": v for k, v in data.items()},
                       follow_redirects=True)


def reverse(client, reference: str, entry_id: int, reason: str):
    return client.post(f"{URL.format(reference)}/entries/{entry_id}/reverse",
                       data={f"reverse-{entry_id}-reason": reason}, follow_redirects=True)


def test_part_payment_refund_waiver_and_reversal_move_the_balance_and_only_add_entries(client, account, ledger):
    assert ledger.outstanding(account) == 30_000
    page = post(client, account, "payment", amount="£150.50", on="01/11/2026", method="bank transfer",
                reference="BACS 991").get_data(as_text=True)
    assert "Payment of £150.50 recorded" in page
    assert ledger.outstanding(account) == 14_950

    post(client, account, "payment", amount="149.50", method="cheque")
    assert ledger.outstanding(account) == 0

    page = post(client, account, "refund", amount="50", method="bank transfer",
                reason="Withdrew from one session").get_data(as_text=True)
    assert "Refund of £50 recorded" in page
    assert ledger.outstanding(account) == 5_000

    post(client, account, "waiver", amount="50", reason="Bursary from the network")
    assert ledger.outstanding(account) == 0
    balance = ledger.balance(account)
    assert (balance.charged_pence, balance.paid_pence, balance.waived_pence) == (25_000, 25_000, 5_000)

    before = ledger.entries(account)
    cheque = next(entry for entry in before if entry[1] == "payment" and entry[2] == -14_950)
    page = reverse(client, account, cheque[0], "Cheque bounced").get_data(as_text=True)
    assert "Entry reversed" in page
    assert ledger.outstanding(account) == 14_950
    after = ledger.entries(account)
    # Nothing edited or deleted: the old entries are unchanged and one reversal was added.
    assert after[:len(before)] == before
    assert len(after) == len(before) + 1
    assert after[-1][1:] == ("reversal", 14_950, "finance@example.org", cheque[0])
    assert all(entry[3] == "finance@example.org" for entry in after[1:])
    history = page.split('id="history"')[1]
    assert "Reversal of payment" in history and "Cheque bounced" in history and "BACS 991" in history


def test_an_entry_cannot_be_reversed_twice_and_a_reason_is_required(client, account, ledger):
    post(client, account, "payment", amount="300", method="card")
    payment = ledger.entries(account)[-1][0]
    page = reverse(client, account, payment, "")
    assert page.status_code == 400
    assert "Enter the reason for reversing this entry" in page.get_data(as_text=True)
    assert reverse(client, account, payment, "Card charge-back").status_code == 200
    count = len(ledger.entries(account))
    again = reverse(client, account, payment, "Again")
    assert again.status_code == 400
    assert "already been reversed" in again.get_data(as_text=True)
    assert len(ledger.entries(account)) == count
    reversal = ledger.entries(account)[-1][0]
    assert "cannot itself be reversed" in reverse(client, account, reversal, "undo").get_data(as_text=True)
    assert ledger.outstanding(account) == 30_000


@pytest.mark.parametrize("amount, message", [
    ("", "Enter an amount in pounds"),
    ("0", "The amount must be more than £0"),
    ("£0.00", "The amount must be more than £0"),
    ("-20", "no minus sign"),
    ("12.345", "pounds and pence"),
    ("three hundred", "pounds and pence"),
])
def test_a_bad_amount_is_explained_next_to_the_field(client, account, ledger, amount, message):
    response = post(client, account, "payment", amount=amount, method="card")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert 'href="#payment-amount"' in page
    assert ledger.entry_count() == len(ledger.references())


def test_a_date_in_the_future_or_unreadable_is_refused(client, account, ledger):
    page = post(client, account, "payment", amount="10", on="01/01/2030", method="card").get_data(as_text=True)
    assert "The date must be today or in the past" in page
    page = post(client, account, "payment", amount="10", on="31/02/2026", method="card").get_data(as_text=True)
    assert "Enter the date as day/month/year" in page
    assert 'href="#payment-on"' in page
    assert ledger.outstanding(account) == 30_000


def test_a_method_is_required(client, account, ledger):
    page = post(client, account, "payment", amount="10", method="").get_data(as_text=True)
    assert "Select how the money was paid" in page
    assert ledger.outstanding(account) == 30_000


def test_an_overpayment_needs_an_explicit_yes(client, account, ledger):
    response = post(client, account, "payment", amount="350", method="card")
    assert response.status_code == 400
    assert "£350 is more than the £300 outstanding" in response.get_data(as_text=True)
    assert ledger.outstanding(account) == 30_000
    post(client, account, "payment", amount="350", method="card", accept_overpayment="y")
    assert ledger.outstanding(account) == -5_000
    assert "In credit" in client.get("/manage/finance/").get_data(as_text=True)


def test_a_refund_cannot_be_more_than_was_paid(client, account, ledger):
    post(client, account, "payment", amount="100", method="card")
    response = post(client, account, "refund", amount="150", method="card", reason="Withdrew")
    assert response.status_code == 400
    assert "You cannot refund £150: £100 has been paid" in response.get_data(as_text=True)
    assert "Enter the reason for the refund" in post(client, account, "refund", amount="10", method="card",
                                                     reason="").get_data(as_text=True)
    assert ledger.outstanding(account) == 20_000


def test_a_waiver_needs_a_reason_and_cannot_exceed_what_is_owed(client, account, ledger):
    page = post(client, account, "waiver", amount="50", reason="").get_data(as_text=True)
    assert "Enter the reason for the waiver or bursary" in page
    assert 'href="#waiver-reason"' in page
    page = post(client, account, "waiver", amount="301", reason="Bursary").get_data(as_text=True)
    assert "A waiver cannot be more than the £300 outstanding" in page
    assert ledger.outstanding(account) == 30_000


def test_payer_details_are_edited_with_an_audit_of_before_and_after(client, account, ledger):
    before = ledger.account_row(account)
    response = client.post(f"{URL.format(account)}/payer", data={
        "payer-payer_kind": "organisation", "payer-invoice_name": "Tyne Logistics Ltd",
        "payer-purchase_order": "PO-4471", "payer-finance_email": "accounts@tyne.example.org",
    }, follow_redirects=True)
    assert "Payer details saved" in response.get_data(as_text=True)
    after = ledger.account_row(account)
    assert (after.invoice_name, after.purchase_order, after.finance_email) == (
        "Tyne Logistics Ltd", "PO-4471", "accounts@tyne.example.org")
    [event] = ledger.audit("fee.payer_changed")
    assert event.actor == "finance@example.org"
    assert event.target == f"application:{account}"
    assert event.before["invoice_name"] == before.invoice_name
    assert event.after["invoice_name"] == "Tyne Logistics Ltd"
    assert event.after["purchase_order"] == "PO-4471"
    assert "finance_email" in event.after


def test_payer_details_are_checked(client, account, ledger):
    response = client.post(f"{URL.format(account)}/payer", data={
        "payer-payer_kind": "organisation", "payer-invoice_name": "", "payer-purchase_order": "",
        "payer-finance_email": "not an email",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the name to put on the invoice" in page and "Enter an email address like" in page
    assert ledger.audit("fee.payer_changed") == []


def test_the_account_page_shows_balance_and_history_with_who_recorded_each_entry(client, account):
    post(client, account, "payment", amount="120", method="cash", reference="Receipt 12")
    page = client.get(URL.format(account)).get_data(as_text=True)
    outstanding = re.search(r'id="outstanding">([^<]+)<', page).group(1)
    assert outstanding == "£180"
    history = page.split('id="history"')[1]
    assert history.index("Fee charged") < history.index("Payment")
    assert "organiser@example.org" in history and "finance@example.org" in history
    assert history.count("Reverse<span") == 2


def test_the_reverse_button_names_the_entry_by_its_amount_without_a_sign(client, account, ledger):
    post(client, account, "payment", amount="300", method="bank transfer", reference="BACS 1")
    page = client.get(URL.format(account)).get_data(as_text=True)
    assert re.search(r"Reverse<span class=\"govuk-visually-hidden\"> the £300 payment on ", page)
    assert re.search(r"Reverse<span class=\"govuk-visually-hidden\"> the £300 charge on ", page)
    assert "-£300" not in page.split('id="history"')[1].split("Amount owed")[1].split("Reverse")[1]


def test_a_closed_account_offers_the_refund_and_history_but_no_payment_or_payer_form(client, app, account, ledger):
    from app.applications.lifecycle import change_status
    from app.clock import utcnow
    from app.extensions import db
    from app.models import Application, ApplicationStatus

    post(client, account, "payment", amount="300", method="bank transfer", reference="BACS 1")
    with app.app_context():
        application = db.session.query(Application).filter_by(reference=account).one()
        change_status(application, ApplicationStatus.WITHDRAWN, "organiser@example.org", utcnow(), notify=False)
        db.session.commit()
    page = client.get(URL.format(account)).get_data(as_text=True)
    assert "Record a payment" not in page and 'id="payer"' not in page and "Record a waiver" not in page
    assert 'id="record-refund"' in page and "Refund due: £300" in page and 'id="ledger"' in page
    entries = len(ledger.entries(account))
    refused = post(client, account, "payment", amount="10", method="cash").get_data(as_text=True)
    assert "a payment cannot be recorded" in refused
    response = client.post(f"{URL.format(account)}/payer", data={"payer-payer_kind": "person",
                                                                 "payer-invoice_name": "Someone else",
                                                                 "payer-finance_email": "x@example.org"},
                           follow_redirects=True)
    assert "the payer cannot be changed" in response.get_data(as_text=True)
    assert len(ledger.entries(account)) == entries
    assert ledger.account_row(account).invoice_name != "Someone else"
