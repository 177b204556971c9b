"""Applicant text is never turned into a formula, never breaks the file, never silently cut."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from exports import write_applications, write_fees, write_sets
from exports._sheet import MAX_CELL_CHARS, TRUNCATION_MARKER, safe_text
from tests.exports.exp_helpers import (
    account,
    application,
    data_rows,
    entry,
    load,
    member,
    set_record,
    sheet_xml,
    written,
)

NASTY = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(1)", "=1+1", "#N/A", "#REF!",
         "=cmd|' /C calc'!A0"]


def test_formula_like_names_stay_text_in_every_writer() -> None:
    apps = [application(reference=f"R{i}", full_name=n, organisation=n)
            for i, n in enumerate(NASTY)]
    data = written(write_applications, apps)
    ws = load(data)["Applications"]
    for i, name in enumerate(NASTY):
        cell = ws.cell(4 + i, 4)
        assert cell.value == name and cell.data_type == "s", name
    # and in the file itself: not one formula element anywhere in the sheet
    assert "<f>" not in sheet_xml(data) and "<f " not in sheet_xml(data)

    wb = load(written(write_sets, [set_record(NASTY[0], [member(1, org=NASTY[1])])]))
    assert wb["Summary"]["A4"].value == NASTY[0] and wb["Summary"]["A4"].data_type == "s"
    roster = wb.worksheets[1]
    assert roster["D4"].value == NASTY[1] and roster["D4"].data_type == "s"

    fees = load(written(write_fees, [account("F1", participant_name=NASTY[0])],
                        [entry("F1", "payment", -100, reason=NASTY[5])]))
    assert fees["Accounts"]["C4"].value == NASTY[0] and fees["Accounts"]["C4"].data_type == "s"
    assert fees["Ledger"]["I4"].value == "#N/A" and fees["Ledger"]["I4"].data_type == "s"


def test_control_characters_removed_not_raised() -> None:
    ws = load(written(write_applications, [application(
        full_name="Ada\x00 Love\x07lace\x1b", offer="line one\nline two\tend")]))["Applications"]
    assert ws["D4"].value == "Ada Lovelace"
    assert ws["J4"].value == "line one\nline two\tend"  # newline and tab are legitimate


def test_long_text_kept_whole_up_to_the_excel_limit() -> None:
    kept, cut = "k" * 30_000, "c" * 40_000
    ws = load(written(write_applications, [application(offer=kept, expectations=cut)]))[
        "Applications"]
    assert ws["J4"].value == kept
    value = ws["K4"].value
    assert len(value) == MAX_CELL_CHARS
    assert value.endswith(TRUNCATION_MARKER) and value.startswith("c" * 32_000)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=8))
def test_any_text_round_trips_as_text(names: list[str]) -> None:
    data = written(write_applications, [application(reference=str(i), full_name=n)
                                        for i, n in enumerate(names)])
    rows = data_rows(load(data)["Applications"])
    for name, row in zip(names, rows, strict=True):
        expected = safe_text(name)
        # XML keeps a lone CR only if escaped; openpyxl reads back what Excel would show
        got = row[3]
        assert (got or "") == expected or (got or "") == re.sub(r"\r\n?", "\n", expected)
    assert "<f>" not in sheet_xml(data)
