"""A national programme's sets.xlsx: hundreds of roster sheets, each findable and complete, and
the sheets written as XML directly are the file openpyxl would have written."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from exports import SetRecord, write_sets
from exports._sheet import (
    Column,
    add_table_sheet,
    new_workbook,
    save,
)
from exports._xlsx import TableSheet, write_table_sheets
from tests.exports.exp_helpers import NOW, data_rows, load, member, set_record, written

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(1)", "#N/A", "Ada\x00 Love\x07lace\x1b",
           "Fish & <Chips>", " padded ", "Zoë 😀", "line one\r\nline two\tend"]
LONG = "The Newcastle and Gateshead public service leaders set"  # collides when cut to 31


def many_sets(n: int) -> list[SetRecord]:
    sets = []
    for s in range(n):
        name = (f"{LONG} {s}" if s % 3 == 0 else HOSTILE[s % len(HOSTILE)] if s % 3 == 1
                else f"Set {s}")
        members = [member(s * 10 + m, ("public", "private", "voluntary")[m % 3],
                          org=HOSTILE[(s + m) % len(HOSTILE)]) for m in range(s % 9)]
        sets.append(set_record(name, members, slot="" if s % 5 == 0 else "Durham Fri pm"))
    return sets


def test_three_hundred_sets_each_on_its_own_findable_sheet_with_its_members() -> None:
    sets = many_sets(300)
    wb = load(written(write_sets, sets))
    assert len(wb.sheetnames) == 301 and wb.sheetnames[0] == "Summary"
    assert len({s.casefold() for s in wb.sheetnames}) == 301
    for name in wb.sheetnames:
        assert 0 < len(name) <= 31 and not any(c in name for c in "[]:*?/\\")
    summary = data_rows(wb["Summary"])
    assert summary[300][0] == "Total"
    for s, row in zip(sets, summary[:300], strict=True):
        set_name, sheet, slot, size = row[:4]
        assert set_name == s.name.replace("\x00", "").replace("\x07", "").replace("\x1b", "")
        assert (slot or "", size) == (s.slot, len(s.members))
        roster = wb[sheet]  # the Summary names the sheet that holds this set
        assert roster["A1"].value == (f"{set_name} ({s.slot})" if s.slot else set_name)
        rows = data_rows(roster)
        assert [r[0] for r in rows] == [m.reference for m in s.members]
        for m, r in zip(s.members, rows, strict=True):
            assert r[3] == m.organisation.replace("\x00", "").replace("\x07", "").replace("\x1b", "")
        for cells in roster.iter_rows(min_row=4):
            assert all(c.data_type == "s" for c in cells if c.value is not None)  # never a formula
    # the 100 long names all start alike: cut to 31 characters, and still 100 distinct sheets
    long_sheets = [r[1] for r in summary[:300:3]]
    assert len(set(long_sheets)) == 100 and all(s.startswith(LONG[:20]) for s in long_sheets)


def _via_openpyxl(sheets: list[TableSheet], out: Any, generated_at: Any) -> None:
    wb = new_workbook()
    for s in sheets:
        add_table_sheet(wb, s.name, s.title, generated_at, s.columns, s.rows, totals=s.totals)
    save(wb, out)


def _parts(data: bytes) -> dict[str, bytes]:
    """Every part of the file but docProps/core.xml, which holds the time it was written."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


COLUMNS = [Column("Name"), Column("Count", "int"), Column("Score", "number"), Column("Ready", "bool"),
           Column("Note", width=12.5)]
ROWS = [[text, i, i / 3, i % 2 == 0, text[::-1]] for i, text in enumerate(HOSTILE)] + [["", None, 0, False, None]]
WORKBOOKS = {
    "with totals": [
        TableSheet("Summary", "Sets: =1+1 & <more>", COLUMNS, ROWS,
                   totals=["Total", "=SUM(B4:B13)", None, None, ""]),
        TableSheet("Fish & <Chips> \"q\" Ab'c Zoë", "", COLUMNS[:2], []),
        TableSheet("Empty totals", " padded title ", COLUMNS[:2], [["x", 1]], totals=[None, None]),
    ],
    # no totals: styles.xml has no bold cell style either
    "without totals": [TableSheet("Only", "Title", COLUMNS, ROWS)],
}


@pytest.mark.parametrize("sheets", WORKBOOKS.values(), ids=WORKBOOKS.keys())
def test_sheets_written_directly_are_the_file_openpyxl_writes(sheets: list[TableSheet]) -> None:
    direct, expected = io.BytesIO(), io.BytesIO()
    write_table_sheets(sheets, direct, NOW)
    _via_openpyxl(sheets, expected, NOW)
    # byte for byte: Excel reads more than openpyxl does (xml:space="preserve" keeps the
    # spaces around " padded "; each <col> must cover one column)
    direct_parts, expected_parts = _parts(direct.getvalue()), _parts(expected.getvalue())
    assert list(direct_parts) == list(expected_parts)
    for name, part in expected_parts.items():
        assert direct_parts[name] == part, name
    first = load(direct.getvalue()).worksheets[0]
    assert first["A4"].value == HOSTILE[0] and first["A4"].data_type == "s"


def test_totals_formula_stays_live() -> None:
    out = io.BytesIO()
    write_table_sheets(WORKBOOKS["with totals"], out, NOW)
    cell = load(out.getvalue())["Summary"]["B14"]
    assert cell.value == "=SUM(B4:B13)" and cell.data_type == "f" and cell.font.b


@pytest.mark.parametrize("column", [Column("Paid", "money"), Column("Due", "date"),
                                    Column("Score", "number", number_format="0.0")])
def test_columns_needing_a_number_format_are_refused_not_written_plain(column: Column) -> None:
    out = io.BytesIO()
    with pytest.raises(ValueError, match="number format"):
        write_table_sheets([TableSheet("Sheet", "Title", [column], [[1]])], out, NOW)
    assert out.getvalue() == b""
