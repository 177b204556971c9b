"""fees.xlsx recalculated by a real spreadsheet program: the live totals equal the ledger."""
from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from exports import write_fees
from tests.exports.exp_helpers import account, entry, written

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; cannot recalculate")


def recalculated_rows(xlsx: bytes, tmp_path: Path) -> list[list[str]]:
    src = tmp_path / "fees.xlsx"
    src.write_bytes(xlsx)
    out = tmp_path / "out"
    # a private profile: no clash with another soffice, no first-run dialogs
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         # raw values (not formatted): field sep ',', quote '"', UTF-8, first sheet
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false",
         "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180,
    )
    with open(out / "fees.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_live_balances_and_totals_equal_the_ledger(tmp_path: Path) -> None:
    accounts = [account("F1", due=date(2020, 1, 1)), account("F2", due=date(2099, 1, 1)),
                account("F3", due=None), account("F4", due=date(2020, 1, 1))]
    entries = [
        entry("F1", "charge", 30_000), entry("F1", "payment", -12_345),
        entry("F2", "charge", 30_000), entry("F2", "payment", -30_000),
        entry("F2", "refund", 5_000), entry("F2", "waiver", -5_000),
        entry("F3", "charge", 30_000), entry("F3", "payment", -30_000),
        entry("F3", "reversal", 30_000, reverses_kind="payment", reason="cheque bounced"),
        entry("F4", "charge", 30_000), entry("F4", "payment", -40_000),
    ]
    rows = recalculated_rows(written(write_fees, accounts, entries), tmp_path)
    head = rows[2]
    by_ref = {r[0]: dict(zip(head, r, strict=True)) for r in rows[3:7]}

    def expect(ref: str, side: set[str]) -> int:
        return sum(e.amount_pence for e in entries if e.account_ref == ref and (
            (e.reverses_kind if e.kind == "reversal" else e.kind) in side))

    for ref in ("F1", "F2", "F3", "F4"):
        charged = expect(ref, {"charge", "waiver"})
        paid = -expect(ref, {"payment", "refund"})
        got = by_ref[ref]
        assert round(float(got["Charged"]) * 100) == charged, ref
        assert round(float(got["Paid"]) * 100) == paid, ref
        assert round(float(got["Outstanding"]) * 100) == charged - paid, ref
    assert by_ref["F1"]["Outstanding"] == "176.55" and by_ref["F1"]["Status"] == "Overdue"
    assert by_ref["F2"]["Status"] == "Settled"  # 300 - (300 - 50) charged 250, paid 250
    assert by_ref["F3"]["Status"] == "Outstanding"  # bounced cheque, not yet due
    assert by_ref["F4"]["Status"] == "In credit"

    totals = dict(zip(head, rows[7], strict=True))
    assert totals["Account"] == "Total"
    ledger_total = sum(e.amount_pence for e in entries)
    assert round(float(totals["Outstanding"]) * 100) == ledger_total
    assert round(float(totals["Charged"]) * 100) == expect("F1", {"charge"}) * 4 - 5_000
    assert round(float(totals["Fee"]) * 100) == 4 * 30_000
