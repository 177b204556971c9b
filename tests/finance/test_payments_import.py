"""Payments import: download the template, fill it in, upload, preview, save, and upload again."""
from __future__ import annotations

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
    (b"PK\x03\x04 this is not really a workbook", "broken.xlsx", "The file must be a CSV file or an Excel workbook"),
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
    long_reference = "X" * 130
    page = upload(finance, f"date,reference,amount,payment reference\n30/10/2026,{ref},300,{long_reference}\n"
                  .encode(), "bank.csv").get_data(as_text=True)
    assert "Payments to save (0, £0)" in page
    assert "payment reference is longer than 120 characters" in section(page, "misfit")
