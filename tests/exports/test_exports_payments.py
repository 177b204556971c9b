"""Finance fills in the payments workbook, uploads it, and uploads it again by mistake:
nothing is ever counted twice."""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl

from exports import (
    PaymentRow,
    PaymentTarget,
    payment_identity,
    preview_payments,
    read_payments,
    write_payments_template,
)
from tests.exports.exp_helpers import load, written

TARGETS = [
    PaymentTarget("FEE-1", "ALS-0001", "ada@example.org", 30_000, paid_pence=0),
    PaymentTarget("FEE-2", "ALS-0002", "bob@example.org", 30_000, paid_pence=0),
    PaymentTarget("FEE-3", "ALS-0003", "cy@example.org", 0, paid_pence=30_000),
]


def fill_in(template: bytes, rows: list[list[object]]) -> bytes:
    """What finance does: open the downloaded workbook, type rows under the header, save."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for r in rows:
        wb["Payments"].append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def apply(preview, targets: list[PaymentTarget], imported: set[str]) -> list[PaymentTarget]:
    """The app's side: record matched payments and remember their identities."""
    paid = {}
    for m in preview.matched:
        paid[m.account_ref] = paid.get(m.account_ref, 0) + m.row.amount_pence
        imported.add(m.identity)
    return [PaymentTarget(t.account_ref, t.application_reference, t.email,
                          t.outstanding_pence - paid.get(t.account_ref, 0),
                          (t.paid_pence or 0) + paid.get(t.account_ref, 0)) for t in targets]


def test_template_lists_who_owes_and_has_the_import_columns() -> None:
    wb = load(written(write_payments_template, TARGETS))
    assert wb.sheetnames == ["Payments", "Outstanding"]
    assert [c.value for c in wb["Payments"][3]] == [
        "Date", "Reference", "Email", "Amount", "Payment reference"]
    owing = [list(r) for r in wb["Outstanding"].iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in owing] == ["FEE-1", "FEE-2"]  # FEE-3 owes nothing
    assert owing[0][3] == 300


def test_round_trip_second_import_adds_nothing() -> None:
    template = written(write_payments_template, TARGETS)
    first_file = fill_in(template, [
        [datetime(2025, 7, 2), "FEE-1", None, 300, "BACS-881"],
        [datetime(2025, 7, 3), "als-0002", None, "£100.00", None],  # application ref, any case
        [datetime(2025, 7, 3), None, "BOB@example.org", 50.5, ""],  # by email, no bank ref
    ])
    sheet = read_payments(first_file)
    assert sheet.errors == []
    assert [r.row for r in sheet.rows] == [4, 5, 6]
    imported: set[str] = set()
    first = preview_payments(sheet.rows, TARGETS, imported)
    assert [(m.account_ref, m.row.amount_pence) for m in first.matched] == [
        ("FEE-1", 30_000), ("FEE-2", 10_000), ("FEE-2", 5_050)]
    assert first.duplicates == first.unmatched == first.misfit == []
    targets = apply(first, TARGETS, imported)

    again = preview_payments(read_payments(first_file).rows, targets, imported)
    assert again.matched == [] and again.matched_pence == 0
    assert [d.reason for d in again.duplicates] == ["already imported"] * 3

    # finance adds one more payment to the same file and uploads it a third time
    wb = openpyxl.load_workbook(io.BytesIO(first_file))
    wb["Payments"].append([datetime(2025, 7, 9), "FEE-2", None, 149.5, "BACS-990"])
    buf = io.BytesIO()
    wb.save(buf)
    third = preview_payments(read_payments(buf.getvalue()).rows, targets, imported)
    assert [(m.account_ref, m.row.amount_pence) for m in third.matched] == [("FEE-2", 14_950)]
    assert len(third.duplicates) == 3


def test_fingerprint_is_the_same_from_csv_and_xlsx() -> None:
    csv_rows = read_payments(
        b"\xef\xbb\xbfDATE,Reference,AMOUNT\n03/07/2025,FEE-2,\"\xc2\xa3100.00\"\n").rows
    xlsx_rows = read_payments(fill_in(written(write_payments_template, TARGETS),
                                      [[datetime(2025, 7, 3), "FEE-2", None, 100, None]])).rows
    assert payment_identity(csv_rows[0]) == payment_identity(xlsx_rows[0])
    assert payment_identity(csv_rows[0]).startswith("fp:")
    # a bank reference counts whatever its case or spacing
    row = PaymentRow(1, date(2025, 7, 1), "FEE-1", "", 100, "  bacs  881 ")
    assert payment_identity(row) == payment_identity(PaymentRow(9, date(2025, 7, 1), "fee-1", "", 100, "BACS 881"))


def test_the_same_bank_reference_from_three_payers_is_three_payments() -> None:
    text = (
        "date,reference,amount,payment reference\n"
        "01/07/2025,FEE-1,100,BACS PAYMENT\n"
        "01/07/2025,FEE-2,100,BACS PAYMENT\n"
        "01/07/2025,FEE-3,-100,BACS PAYMENT\n"
    )
    imported: set[str] = set()
    first = preview_payments(read_payments(text.encode()).rows, TARGETS, imported)
    assert [m.account_ref for m in first.matched] == ["FEE-1", "FEE-2", "FEE-3"]
    assert first.duplicates == []
    apply(first, TARGETS, imported)
    again = preview_payments(read_payments(text.encode()).rows, TARGETS, imported)
    assert again.matched == [] and [d.reason for d in again.duplicates] == ["already imported"] * 3
    # the same payer, day and reference but another amount is another payment
    other = PaymentRow(5, date(2025, 7, 1), "FEE-1", "", 200, "BACS PAYMENT")
    assert payment_identity(other) not in imported


def test_duplicates_within_file_misfits_and_unmatched() -> None:
    text = (
        "date,reference,email,amount,payment_reference\n"
        "01/07/2025,FEE-1,,200,T1\n"
        "01/07/2025,FEE-1,,200,t1\n"         # same bank reference: repeated row
        "02/07/2025,FEE-1,,150,T2\n"         # 200 already matched: only 100 left
        "02/07/2025,FEE-2,,0,T3\n"           # zero
        "02/07/2025,FEE-9,,10,T4\n"          # nobody
        "02/07/2025,,nobody@example.org,10,T5\n"
        "02/07/2025,FEE-3,,-400,T6\n"        # refund more than was paid
        "02/07/2025,FEE-3,,-100,T7\n"        # a proper refund
    )
    sheet = read_payments(text.encode())
    p = preview_payments(sheet.rows, TARGETS, existing_payment_refs=set())
    assert [(m.row.row, m.account_ref) for m in p.matched] == [(2, "FEE-1"), (9, "FEE-3")]
    assert [(d.row.row, d.reason) for d in p.duplicates] == [
        (3, "same payment as row 2 of this file")]
    assert {m.row.row: m.reason for m in p.misfit} == {
        4: "£150.00 is more than the £100.00 outstanding on FEE-1",
        5: "amount is zero",
        8: "refund of £400.00 is more than the £300.00 paid",
    }
    assert [u.row.row for u in p.unmatched] == [6, 7]
    assert "FEE-9" in p.unmatched[0].reason


def test_email_with_two_accounts_needs_the_reference() -> None:
    targets = [PaymentTarget("A", "", "x@example.org", 30_000),
               PaymentTarget("B", "", "x@example.org", 30_000),
               PaymentTarget("C", "", "y@example.org", 0),
               PaymentTarget("D", "", "y@example.org", 30_000)]
    rows = read_payments(b"date,email,amount\n2025-07-01,x@example.org,10\n"
                         b"2025-07-01,y@example.org,10\n").rows
    p = preview_payments(rows, targets, set())
    assert "give the account reference" in p.unmatched[0].reason
    assert [m.account_ref for m in p.matched] == ["D"]  # the only one of y's still owing


def test_payment_errors_all_reported_and_good_rows_kept() -> None:
    text = (
        "Date,Email,Amount\n"
        "2025-07-01,ada@example.org,£300\n"
        "tomorrow,ada@example.org,£300\n"
        "2025-07-01,,12.345\n"
        "2025-07-01,not-email,ten pounds\n"
    )
    sheet = read_payments(text.encode())
    assert [r.row for r in sheet.rows] == [2]
    assert sorted((e.row, e.message.split(" ")[0]) for e in sheet.errors) == [
        (3, "date"), (4, "amount"), (4, "give"), (5, "amount"), (5, "email")]
    missing = read_payments(b"when,who,amount\n2025-07-01,x,1\n")
    assert missing.rows == [] and "date" in missing.errors[0].message
    assert "reference or email" in missing.errors[0].message
