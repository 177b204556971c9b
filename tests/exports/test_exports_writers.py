"""What finance and organisers see when they open each export in Excel."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from exports import write_applications, write_fees, write_schedule, write_sets
from tests.exports.exp_helpers import (
    GBP,
    account,
    application,
    data_rows,
    entry,
    header,
    load,
    member,
    session,
    set_record,
    written,
)


def assert_standard_layout(ws, title: str, n_columns: int, n_rows: int) -> None:
    assert ws["A1"].value == title
    assert ws["A1"].font.b
    assert ws["A2"].value == "Generated at 01/07/2025 12:30 (UK time)"  # London, not UTC
    assert ws.freeze_panes == "A4"  # title, stamp and header stay put when scrolling
    last_col = ws.cell(3, n_columns).column_letter
    assert ws.auto_filter.ref == f"A3:{last_col}{3 + n_rows}"
    assert all(ws.cell(3, c).font.b for c in range(1, n_columns + 1))


def test_applications_real_types_and_layout() -> None:
    apps = [application(), application(reference="ALS-0002", late=True, score_average=None,
                                       note_words=None, offer="x" * 500)]
    wb = load(written(write_applications, apps))
    ws = wb["Applications"]
    assert_standard_layout(ws, "Applications", 17, 2)
    cols = header(ws)
    assert cols[:4] == ["Reference", "Submitted", "Status", "Full name"]
    row = dict(zip(cols, data_rows(ws)[0], strict=True))
    # 23:15 UTC on 30 June is 00:15 on 1 July in London: the date people saw
    assert row["Submitted"] == datetime(2025, 7, 1, 0, 15)
    assert ws["B4"].is_date and "dd" in ws["B4"].number_format and "hh:mm" in ws["B4"].number_format
    assert row["Can attend"] == "Newcastle Tue am; Durham Fri pm"
    assert row["Late"] == "No"
    assert row["Average score"] == 3.75
    assert ws.cell(4, cols.index("Average score") + 1).number_format == "0.0"
    assert row["Note words"] == 512
    second = dict(zip(cols, data_rows(ws)[1], strict=True))
    assert second["Late"] == "Yes"
    assert second["Average score"] is None and second["Note words"] is None
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["J"] == 60  # 500-character offer: capped, not 500 wide
    assert 6 <= widths["A"] < 20


def test_applications_winter_time_is_gmt() -> None:
    ws = load(written(write_applications, [application(
        submitted_at=datetime(2025, 1, 15, 9, 0, tzinfo=timezone.utc))]))["Applications"]
    assert ws["B4"].value == datetime(2025, 1, 15, 9, 0)


def test_empty_export_still_opens_with_header() -> None:
    ws = load(written(write_applications, []))["Applications"]
    assert header(ws)[0] == "Reference" and data_rows(ws) == []
    assert ws.auto_filter.ref == "A3:Q3"


def test_sets_summary_balance_and_rosters() -> None:
    s1 = set_record("Tyne", [member(1, "public", region="North"), member(2, "Private"),
                             member(3, "voluntary", region="South")])
    s2 = set_record("Wear", [member(4, "public", org="Same"), member(5, "public", org="same ")],
                    slot="Durham Fri pm")
    wb = load(written(write_sets, [s1, s2]))
    assert wb.sheetnames == ["Summary", "Tyne", "Wear"]
    ws = wb["Summary"]
    assert_standard_layout(ws, "Sets", 11, 2)
    cols = header(ws)
    assert cols == ["Set", "Sheet", "Slot", "Size", "Public sector", "Private sector", "Voluntary sector",
                    "Sector spread", "All sectors", "Organisations", "Organisations distinct"]
    tyne, wear = (dict(zip(cols, r, strict=True)) for r in data_rows(ws)[:2])
    assert (tyne["Size"], tyne["Public sector"], tyne["Private sector"], tyne["Voluntary sector"]) == (3, 1, 1, 1)
    assert tyne["All sectors"] == "Yes" and tyne["Sector spread"] == 0
    assert (wear["Public sector"], wear["Private sector"], wear["All sectors"]) == (2, 0, "No")
    assert wear["Organisations"] == 1 and wear["Organisations distinct"] == "No"
    totals = dict(zip(cols, data_rows(ws)[2], strict=True))
    assert totals["Set"] == "Total"
    assert totals["Size"] == "=SUM(D4:D5)" and totals["Voluntary sector"] == "=SUM(G4:G5)"
    assert ws.auto_filter.ref == "A3:K5"  # the totals row is outside the filter
    roster = wb["Tyne"]
    assert roster["A1"].value == "Tyne (Newcastle Tue am)"
    assert header(roster) == ["Reference", "Full name", "Email", "Organisation", "Sector",
                              "Job title", "region"]
    assert [r[6] for r in data_rows(roster)] == ["North", None, "South"]
    assert [r[4] for r in data_rows(roster)] == ["Public sector", "Private sector", "Voluntary sector"]
    assert roster.freeze_panes == "A4" and roster.auto_filter.ref == "A3:G6"


def test_set_sheet_names_are_valid_and_unique() -> None:
    names = ["A/B: [x]*?\\", "x" * 40, "x" * 40, "Summary", "history", "'quoted'", "", "tyne",
             "Tyne"]
    wb = load(written(write_sets, [set_record(n, [member(i)]) for i, n in enumerate(names)]))
    sheets = wb.sheetnames[1:]
    assert len(sheets) == len(names)
    assert len({s.casefold() for s in wb.sheetnames}) == len(wb.sheetnames)
    for s in sheets:
        assert 0 < len(s) <= 31
        assert not any(c in s for c in "[]:*?/\\")
        assert not s.startswith("'") and not s.endswith("'")
        assert s.casefold() != "history"
    assert sheets[0] == "A-B- -x----"
    # the Summary says which sheet holds which set, so truncated names stay findable
    summary = data_rows(wb["Summary"])
    assert [r[1] for r in summary[: len(names)]] == sheets
    assert summary[1][0] == "x" * 40


def test_fees_accounts_live_formulas_totals_and_highlighting() -> None:
    accounts = [account("F1", due=date(2020, 1, 1)), account("F2", due=None, fee=15_000)]
    entries = [entry("F1", "charge", 30_000), entry("F1", "payment", -12_345),
               entry("F2", "charge", 15_000), entry("F2", "reversal", -15_000,
                                                    reverses_kind="charge")]
    wb = load(written(write_fees, accounts, entries))
    assert wb.sheetnames == ["Accounts", "Ledger"]
    ws = wb["Accounts"]
    assert_standard_layout(ws, "Fees", 13, 2)
    cols = header(ws)
    f1 = dict(zip(cols, data_rows(ws)[0], strict=True))
    assert f1["Due date"] == datetime(2020, 1, 1) and ws["H4"].is_date
    assert f1["Fee"] == 300 and ws["I4"].number_format.startswith(GBP)
    assert f1["Charged"].startswith("=SUMIFS(Ledger!$F:$F,Ledger!$A:$A,$A4")
    assert '"Charged"' in f1["Charged"] and '"Paid"' in f1["Paid"]
    assert f1["Outstanding"] == "=ROUND(J4-K4,2)"
    for col in "JKL":
        assert ws[f"{col}4"].data_type == "f" and ws[f"{col}4"].number_format.startswith(GBP)
    totals = dict(zip(cols, data_rows(ws)[2], strict=True))
    assert totals["Account"] == "Total"
    assert totals["Outstanding"] == "=SUM(L4:L5)" and totals["Paid"] == "=SUM(K4:K5)"
    assert ws["L6"].font.b
    rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in ws.conditional_formatting}
    assert rules["L4:L5"] == [["0"]]  # outstanding > 0
    assert rules["A4:M5"] == [['AND($H4<>"",$H4<TODAY(),$L4>0)']]  # overdue: whole row
    overdue = next(cf for cf in ws.conditional_formatting if str(cf.sqref) == "A4:M5")
    assert overdue.rules[0].priority == 1  # red beats amber

    ledger = wb["Ledger"]
    lcols = header(ledger)
    rows = [dict(zip(lcols, r, strict=True)) for r in data_rows(ledger)]
    assert [r["Amount"] for r in rows] == [300, -123.45, 150, -150]
    assert [r["Counts towards"] for r in rows] == ["Charged", "Paid", "Charged", "Charged"]
    assert rows[3]["Kind"] == "Reversal of a charge"
    assert [row["Kind"] for row in rows[:3]] == ["Charge", "Payment", "Charge"]
    assert rows[0]["Participant"] == "Participant F1"
    assert all(ledger.cell(r, 3).is_date for r in range(4, 8))
    assert ledger["F5"].number_format.startswith(GBP)


def test_fees_refuses_reversal_without_kind_and_wildcard_refs() -> None:
    with pytest.raises(ValueError, match="reverses_kind"):
        written(write_fees, [account("F1")], [entry("F1", "reversal", 100)])
    with pytest.raises(ValueError, match="formula"):
        written(write_fees, [account("F*")], [])


def test_schedule_one_sheet_grouped_by_set_then_date() -> None:
    sessions = [
        session("Wear", 1, date(2025, 10, 7), start=time(10), end=time(13), venue="Durham"),
        session("Tyne", 2, date(2025, 11, 4), presenters=["Ada", "Grace"]),
        session("Tyne", 1, date(2025, 10, 2), start=time(9, 30), end=time(12, 30),
                venue="Civic Centre", review_point="Ground rules agreed?"),
        session("Tyne", None, date(2026, 2, 3), kind="midpoint"),
        session("Tyne", None, date(2025, 12, 1), kind="training"),
    ]
    ws = load(written(write_schedule, sessions))["Schedule"]
    assert_standard_layout(ws, "Schedule", 8, 5)
    rows = [dict(zip(header(ws), r, strict=True)) for r in data_rows(ws)]
    assert [(r["Set"], r["Session"]) for r in rows] == [
        ("Tyne", "Session 1"), ("Tyne", "Session 2"), ("Tyne", "Facilitation training"),
        ("Tyne", "Mid-point review"), ("Wear", "Session 1")]
    assert rows[0]["Date"] == datetime(2025, 10, 2) and ws["C4"].is_date
    assert ws["C4"].number_format == "ddd dd/mm/yyyy"
    assert rows[0]["Start"] == time(9, 30) and ws["D4"].number_format == "hh:mm"
    assert rows[1]["Presenters"] == "Ada, Grace"
    assert rows[0]["Review point"] == "Ground rules agreed?"
