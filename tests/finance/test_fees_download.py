"""fees.xlsx from the finance page: the right values in openpyxl, and totals equal to the ledger
when LibreOffice recalculates the live formulas."""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.finance.fin_helpers import Ledger


@pytest.fixture
def worked_ledger(client, auth, confirmed, ledger) -> list[str]:
    """Three accounts with different histories; the rest untouched at £300 owed."""
    auth.login("finance")
    a, b, c = ledger.references()[:3]
    url = "/manage/finance/accounts/{}/{}"
    client.post(url.format(a, "payments"), data={"payment-amount": "150.50", "payment-method": "bank transfer",
                                                 "payment-reference": "=HYPERLINK(\"x\")"})
    client.post(url.format(b, "payments"), data={"payment-amount": "300", "payment-method": "card"})
    client.post(url.format(b, "refunds"), data={"refund-amount": "50", "refund-method": "card",
                                                "refund-reason": "Missed a session"})
    client.post(url.format(c, "waivers"), data={"waiver-amount": "100", "waiver-reason": "Bursary"})
    client.post(url.format(c, "payments"), data={"payment-amount": "200", "payment-method": "cheque"})
    cheque = ledger.entries(c)[-1][0]
    client.post(f"/manage/finance/accounts/{c}/entries/{cheque}/reverse", data={f"reverse-{cheque}-reason": "Bounced"})
    return [a, b, c]


def download(client) -> bytes:
    response = client.get("/manage/finance/fees.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "fees.xlsx" in response.headers["Content-Disposition"]
    return response.data


def expected(ledger: Ledger, reference: str) -> tuple[int, int, int]:
    balance = ledger.balance(reference)
    return balance.charged_pence, balance.paid_pence, balance.outstanding_pence


def test_fees_xlsx_lists_every_account_and_every_ledger_entry(client, worked_ledger, ledger):
    workbook = load_workbook(io.BytesIO(download(client)))
    accounts, entries = workbook["Accounts"], workbook["Ledger"]
    header = [cell.value for cell in accounts[3]]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in accounts.iter_rows(min_row=4, values_only=True)
            if row[0] and row[0] != "Total"}
    assert set(rows) == set(ledger.references())
    a, b, c = worked_ledger
    account = ledger.account_row(a)
    assert rows[a]["Participant"] == account.application.full_name
    assert rows[a]["Fee"] == 300
    assert isinstance(rows[a]["Due date"], (date,)) and rows[a]["Due date"].date() == account.due_date
    assert str(rows[a]["Charged"]).startswith("=SUMIFS(")
    ledger_header = [cell.value for cell in entries[3]]
    lines = [dict(zip(ledger_header, row, strict=True)) for row in entries.iter_rows(min_row=4, values_only=True)]
    assert len(lines) == ledger.entry_count()
    by_account = {ref: [line for line in lines if line["Account"] == ref] for ref in worked_ledger}
    assert sorted((line["Kind"], line["Amount"]) for line in by_account[c]) == sorted([
        ("Charge", 300), ("Waiver", -100), ("Payment", -200), ("Reversal of a payment", 200)])
    assert [line["Recorded by"] for line in by_account[b]][1:] == ["finance@example.org"] * 2
    # A payment reference that looks like a formula stays text.
    [payment] = [line for line in by_account[a] if line["Kind"] == "Payment"]
    assert payment["Reference"] == '=HYPERLINK("x")'
    assert entries.cell(row=4 + lines.index(payment), column=8).data_type == "s"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def recalculated_accounts(xlsx: bytes, tmp_path: Path) -> list[list[str]]:
    """The Accounts sheet as LibreOffice computes it (raw values, not formatted text)."""
    src = tmp_path / "fees.xlsx"
    src.write_bytes(xlsx)
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: no clash with another soffice
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
         "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    with open(out / "fees.csv", newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_libreoffice_recalculates_fees_xlsx_to_the_ledger_totals(client, worked_ledger, ledger, tmp_path):
    if SOFFICE is None:
        if os.environ.get("ALS_REQUIRE_BROWSER", "").strip() == "1":
            pytest.fail("LibreOffice (soffice) is not installed and ALS_REQUIRE_BROWSER=1")
        pytest.skip("LibreOffice (soffice) is not installed; cannot recalculate fees.xlsx")
    rows = recalculated_accounts(download(client), tmp_path)
    header = rows[2]
    body = [dict(zip(header, row, strict=True)) for row in rows[3:]]
    accounts = {row["Account"]: row for row in body if row["Account"] not in ("", "Total")}
    total = next(row for row in body if row["Account"] == "Total")

    def pence(text: str) -> int:
        return round(float(text) * 100)

    references = ledger.references()
    assert set(accounts) == set(references)
    sums = [0, 0, 0]
    for reference in references:
        charged, paid, outstanding = expected(ledger, reference)
        row = accounts[reference]
        assert (pence(row["Charged"]), pence(row["Paid"]), pence(row["Outstanding"])) == (charged, paid, outstanding)
        sums = [sums[0] + charged, sums[1] + paid, sums[2] + outstanding]
    assert [pence(total["Charged"]), pence(total["Paid"]), pence(total["Outstanding"])] == sums
    a, b, c = worked_ledger
    assert accounts[a]["Outstanding"] == "149.5"
    assert accounts[b]["Outstanding"] == "50"
    assert accounts[c]["Outstanding"] == "200"
    assert accounts[b]["Status"] == "Outstanding"
