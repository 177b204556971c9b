"""Payments import: download the template, fill it in, upload, preview, save, and upload again."""
from __future__ import annotations

import gc
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

IMPORT = "/manage/finance/payments/import"


def filled_template(client, rows: list[list[object]]) -> bytes:
    """The payments template as finance would fill it in Excel: rows under the header on row 3."""
    response = client.get("/manage/finance/payments/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[3]] == ["Date", "Reference", "Email", "Amount", "Payment reference"]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, 1):
            sheet.cell(row=4 + offset, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name: str = "payments.xlsx"):
    return client.post(IMPORT, data={"upload-file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def save(client, page: str):
    expected = re.search(r'name="save-expected" type="hidden" value="([^"]*)"', page).group(1)
    return client.post(f"{IMPORT}/save", data={"save-expected": expected}, follow_redirects=True)


def section(page: str, id_: str) -> str:
    match = re.search(rf'<table class="govuk-table" id="{id_}">(.*?)</table>', page, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def finance(client, auth, confirmed):
    auth.login("finance")
    return client


def test_round_trip_previews_saves_once_and_adds_nothing_the_second_time(finance, ledger, private_instance):
    refs = ledger.references()
    email = ledger.account_row(refs[1]).finance_email
    data = filled_template(finance, [
        [date(2026, 10, 30), refs[0], None, 300, "BACS-0001"],         # paid in full, by reference
        [date(2026, 10, 31), None, email, 120.5, None],                # part payment, by email
        [date(2026, 10, 31), "ALS-NOBODY", None, 50, "BACS-0002"],     # no such account
        [date(2026, 10, 30), refs[0], None, 300, "BACS-0001"],         # the same row again
        [date(2026, 10, 30), refs[2], None, 500, "BACS-0003"],         # more than is owed
        ["next Tuesday", refs[3], None, 300, "BACS-0004"],             # not a date
    ])
    before = ledger.entry_count()
    response = upload(finance, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing has been saved yet" in page
    matched = section(page, "matched")
    assert "Payments to save (2, £420.50)" in matched and refs[0] in matched and refs[1] in matched
    assert "no account has reference" in section(page, "unmatched")
    assert "same payment as row 4" in section(page, "duplicates")
    assert "£500.00 is more than the £300.00 outstanding" in section(page, "misfit")
    assert "Rows with errors (1)" in section(page, "errors")
    assert "Save 2 payments" in page
    assert ledger.entry_count() == before
    assert len(list((private_instance / "payment-imports").glob("*.bin"))) == 1

    saved = save(finance, page).get_data(as_text=True)
    assert "2 payments saved (£420.50)" in saved
    assert ledger.entry_count() == before + 2
    assert ledger.outstanding(refs[0]) == 0
    assert ledger.outstanding(refs[1]) == 30_000 - 12_050
    payment = ledger.entries(refs[1])[-1]
    assert payment[1:4] == ("payment", -12_050, "finance@example.org")
    assert list((private_instance / "payment-imports").glob("*.bin")) == []
    assert len(ledger.audit("fee.payments_imported")) == 1

    again = upload(finance, data).get_data(as_text=True)
    assert "Payments to save (0, £0)" in again
    # Both saved rows and the repeat of the first are now "already imported".
    assert section(again, "duplicates").count("already imported") == 3
    assert "Save 0 payments" not in again and "save-expected" not in again
    # Saving without a waiting upload (a second click, the back button) adds nothing either.
    assert "There is no upload waiting" in finance.post(f"{IMPORT}/save", follow_redirects=True).get_data(as_text=True)
    assert ledger.entry_count() == before + 2


def test_a_csv_file_works_too_and_a_negative_amount_is_a_refund(finance, ledger):
    refs = ledger.references()
    first = upload(finance, f"date,reference,amount\n30/10/2026,{refs[0]},300\n".encode(), "bank.csv")
    save(finance, first.get_data(as_text=True))
    refund = upload(finance, f"date,reference,amount,payment reference\n01/11/2026,{refs[0]},-75,RF1\n".encode(),
                    "refunds.csv").get_data(as_text=True)
    assert "(refund)" in section(refund, "matched")
    save(finance, refund)
    assert [entry[1:3] for entry in ledger.entries(refs[0])] == [("charge", 30_000), ("payment", -30_000),
                                                                  ("refund", 7_500)]


def test_nothing_is_saved_if_the_accounts_changed_since_the_preview(finance, ledger):
    ref = ledger.references()[0]
    page = upload(finance, f"date,reference,amount\n30/10/2026,{ref},300\n".encode(), "bank.csv").get_data(as_text=True)
    finance.post(f"/manage/finance/accounts/{ref}/payments", data={"payment-amount": "100", "payment-method": "card"})
    response = save(finance, page)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "The accounts changed since you previewed this file" in text
    assert "£300.00 is more than the £200.00 outstanding" in section(text, "misfit")
    assert ledger.outstanding(ref) == 20_000


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.csv", "Select a CSV file or Excel workbook of payments"),
    (b"PK\x03\x04 this is not really a workbook", "broken.xlsx", "The workbook could not be opened: it may be damaged"),
    (b"%PDF-1.7 not a spreadsheet", "payments.pdf", "missing required column(s): date"),
])
def test_a_file_that_is_not_a_payments_spreadsheet_is_explained(finance, ledger, data, name, message):
    before = ledger.entry_count()
    page = upload(finance, data, name).get_data(as_text=True)
    assert message in page
    assert "save-expected" not in page
    assert ledger.entry_count() == before


def test_the_cli_previews_then_commits_and_never_doubles(app, runner, confirmed, ledger, tmp_path):
    refs = ledger.references()
    path = tmp_path / "bank.csv"
    path.write_text(f"date,reference,amount,payment reference\n30/10/2026,{refs[0]},300,T1\n"
                    f"31/10/2026,{refs[1]},100,T2\n31/10/2026,ALS-NOBODY,5,T3\n")
    before = ledger.entry_count()
    result = runner.invoke(args=["import-payments", str(path)])
    assert result.exit_code == 0, result.output
    assert "Matched: 2 payment(s), £400" in result.output
    assert "Unmatched: 1" in result.output and "Preview only: nothing saved" in result.output
    assert ledger.entry_count() == before

    result = runner.invoke(args=["import-payments", str(path), "--commit"])
    assert result.exit_code == 0, result.output
    assert "Saved 2 payment(s), £400." in result.output
    assert ledger.entry_count() == before + 2
    assert ledger.entries(refs[0])[-1][3] == "cli"

    result = runner.invoke(args=["import-payments", str(path), "--commit"])
    assert result.exit_code == 0
    assert "Saved 0 payment(s)" in result.output and "Duplicates (not saved again): 2" in result.output
    assert ledger.entry_count() == before + 2


def test_the_cli_exits_non_zero_on_row_errors_and_saves_nothing(runner, confirmed, ledger, tmp_path):
    refs = ledger.references()
    path = tmp_path / "bank.csv"
    path.write_text(f"date,reference,amount\n30/10/2026,{refs[0]},300\nyesterday,{refs[1]},100\n")
    before = ledger.entry_count()
    result = runner.invoke(args=["import-payments", str(path), "--commit"])
    assert result.exit_code == 1
    assert "Rows with errors: 1" in result.output and "row 3" in result.output
    assert ledger.entry_count() == before


def test_a_payment_reference_too_long_to_keep_is_refused_not_cut(finance, ledger):
    ref = ledger.references()[0]
    long_reference = "X" * 201  # the manual payment form's limit is 200 characters
    page = upload(finance, f"date,reference,amount,payment reference\n30/10/2026,{ref},300,{long_reference}\n"
                  .encode(), "bank.csv").get_data(as_text=True)
    assert "Payments to save (0, £0)" in page
    assert "payment reference is longer than 200 characters" in section(page, "errors")


def test_the_same_bank_reference_from_three_accounts_is_three_payments_saved_once(finance, ledger):
    refs = ledger.references()[:3]
    data = "date,reference,amount,payment reference\n" + "".join(
        f"30/10/2026,{ref},100,BACS PAYMENT\n" for ref in refs)
    page = upload(finance, data.encode(), "bank.csv").get_data(as_text=True)
    assert "Payments to save (3, £300)" in section(page, "matched")
    before = ledger.entry_count()
    save(finance, page)
    assert ledger.entry_count() == before + 3
    again = upload(finance, data.encode(), "bank.csv").get_data(as_text=True)
    assert section(again, "duplicates").count("already imported") == 3
    assert ledger.entry_count() == before + 3


def test_dates_in_the_future_and_impossible_amounts_are_refused_as_the_manual_form_does(finance, ledger):
    ref = ledger.references()[0]
    # "today" in the tests is 2 November 2026
    data = (f"date,reference,amount\n03/11/2026,{ref},100\n01/01/2999,{ref},100\n"
            f"02/11/2026,{ref},99999999999999999999\n02/11/2026,{ref},100001\n02/11/2026,{ref},100\n")
    page = upload(finance, data.encode(), "bank.csv").get_data(as_text=True)
    errors = section(page, "errors")
    assert "Rows with errors (4)" in errors
    assert errors.count("the date must be today or in the past") == 2
    assert "is too large to be an amount of money" in errors
    assert "£100,001 is more than one entry may record (£100,000)" in errors
    assert "Payments to save (1, £100)" in section(page, "matched")


def test_control_characters_in_cells_are_cleaned_never_an_error_page(finance, ledger):
    ref = ledger.references()[0]
    data = f"date,reference,amount,payment reference\n30/10/2026,{ref}\x00,300,BACS\x00\x1b 42\n".encode()
    page = upload(finance, data, "bank\x00.csv").get_data(as_text=True)
    assert "Payments to save (1, £300)" in section(page, "matched")
    saved = save(finance, page)
    assert saved.status_code == 200
    with finance.application.app_context():
        from app.extensions import db
        from app.models import LedgerEntry

        entry = db.session.query(LedgerEntry).order_by(LedgerEntry.id.desc()).first()
        assert entry.reference == "BACS 42"
        assert "\x00" not in entry.reason


# The test client spools a large upload to a temporary file it never closes; not the app's file.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_hostile_workbooks_are_refused_with_a_clear_message(finance, ledger):
    from tests.exports.hostile import xlsx_bomb, xlsx_with_dimension, xlsx_with_rows

    ref = ledger.references()[0]
    claimed = xlsx_with_dimension([["date", "reference", "amount"], ["30/10/2026", ref, 300]])
    page = upload(finance, claimed).get_data(as_text=True)
    assert "Payments to save (1, £300)" in section(page, "matched")  # the claim is ignored, the row read
    for data, message in [
        (xlsx_bomb(2500), "The workbook is larger than 50 MB once unzipped"),
        (xlsx_with_rows(5_001, ["date", "reference", "amount"], ["30/10/2026", ref, 1]),
         "The file has more than 5,000 rows"),
    ]:
        response = upload(finance, data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    gc.collect()  # surface the test client's warning here, where it is ignored


def test_payments_saved_when_the_bank_reference_alone_was_the_identity_are_still_recognised(finance, ledger, app):
    from datetime import datetime, timezone

    from app.extensions import db
    from app.models import EntryKind, LedgerEntry

    ref = ledger.references()[0]
    with app.app_context():
        db.session.add(LedgerEntry(account=ledger._account(ref), kind=EntryKind.PAYMENT, amount_pence=-30_000,
                                   on=date(2026, 10, 30), reference="BACS-0001", reason="Imported from bank.csv, row 2",
                                   recorded_by="finance@example.org", recorded_at=datetime(2026, 10, 31, tzinfo=timezone.utc),
                                   import_identity="bacs-0001"))
        db.session.commit()
    page = upload(finance, f"date,reference,amount,payment reference\n30/10/2026,{ref},300,BACS-0001\n".encode(),
                  "bank.csv").get_data(as_text=True)
    assert "already imported" in section(page, "duplicates")
    assert "Payments to save (0, £0)" in page
