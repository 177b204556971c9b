"""Importing candidates and emailed applications: tolerant of how people save files, and
every bad row reported at once."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pytest

from exports import RowError, read_applications, read_candidates, write_applications
from exports._tabular import parse_pence
from tests.exports.exp_helpers import application, written

CANDIDATES_CSV = (
    "\ufeff ID ,Name,E-mail,Organisation,SECTOR,Availability,Priority,Previous set,Region\r\n"
    "c1,Ada Lovelace,ada@example.org,Analytical,Private,Newcastle Tue am; Durham Fri pm ;,2,"
    "Set 3,North\r\n"
    "c2,Grace Hopper,grace@example.org,Navy,PUBLIC ,Newcastle Tue am,,,\r\n"
    ",,,,,,,,\r\n"  # blank line: skipped, not an error
    "c3,\"Hopper, G.\",g@example.org,Library,voluntary,Durham Fri pm,1.5,,South\r\n"
)


def xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_candidates_csv_with_bom_and_messy_headers() -> None:
    sheet = read_candidates(CANDIDATES_CSV.encode("utf-8"))
    assert sheet.errors == []
    ada, grace, hopper = sheet.rows
    assert (ada.id, ada.name, ada.email, ada.sector) == (
        "c1", "Ada Lovelace", "ada@example.org", "private")
    assert ada.availability == ["Newcastle Tue am", "Durham Fri pm"]
    assert ada.priority == 2 and ada.previous_set == "Set 3"
    assert ada.attributes == {"Region": "North"}
    assert grace.sector == "public" and grace.priority is None and grace.previous_set is None
    assert hopper.name == "Hopper, G." and hopper.row == 5 and hopper.priority == 1.5


def test_candidates_xlsx_detected_by_content_not_name(tmp_path) -> None:
    data = xlsx([["id", "name", "email", "organisation", "sector", "availability"],
                 [101, "Ada", "ada@example.org", "Org", "Voluntary", "A;B"]])
    path = tmp_path / "candidates.csv"  # misleading name: content decides
    path.write_bytes(data)
    sheet = read_candidates(path)
    assert sheet.errors == []
    assert sheet.rows[0].id == "101" and sheet.rows[0].availability == ["A", "B"]
    with open(path, "rb") as stream:
        assert read_candidates(stream).rows[0].sector == "voluntary"


def test_candidates_every_bad_row_reported_at_once() -> None:
    data = xlsx([
        ["id", "name", "email", "organisation", "sector", "availability", "priority"],
        ["a", "Ada", "ada@example.org", "Org", "public", "X", 1],
        ["b", "Bob", "not-an-email", "Org", "charity", "X", "high"],
        ["a", "Ann", "ann@example.org", "Org", "private", "X", None],
        ["c", "", "c@example.org", "", "private", "", None],
        ["d", "Dee", "dee@example.org", "Org", "public", "X", None],
    ])
    sheet = read_candidates(data)
    assert [r.id for r in sheet.rows] == ["a", "d"]
    assert sorted((e.row, e.message.split(" ")[0]) for e in sheet.errors) == [
        (3, "email"), (3, "priority"), (3, "sector"), (4, "id"),
        (5, "availability"), (5, "name"), (5, "organisation")]
    assert any("charity" in e.message and "public, private, voluntary" in e.message
               for e in sheet.errors)
    assert RowError(4, "id 'a' is also used on row 2") in sheet.errors


def test_missing_columns_named_in_one_error() -> None:
    sheet = read_candidates(b"id,name,email\nc1,Ada,ada@example.org\n")
    assert sheet.rows == []
    assert len(sheet.errors) == 1
    assert sheet.errors[0].row == 1
    for col in ("organisation", "sector", "availability"):
        assert col in sheet.errors[0].message


def test_applications_import_reads_our_own_export_back() -> None:
    """The header sits on row 3 under a title; Excel-style headers map to fields."""
    apps = [application(), application(reference="R2", email="g@example.org",
                                       full_name="Grace", sector="public")]
    sheet = read_applications(written(write_applications, apps))
    assert sheet.errors == []
    first = sheet.rows[0]
    assert first.full_name == "Ada Lovelace" and first.sector == "private"
    assert first.availability == ["Newcastle Tue am", "Durham Fri pm"]
    assert first.offer == "Maths" and first.expectations == "Peers"
    assert first.submitted_at == apps[0].submitted_at  # London cell back to the same instant
    assert first.row == 4


def test_applications_csv_dates_and_errors() -> None:
    text = (
        "Full Name;Email;Organisation;Sector;Job title;Submitted at;Note\n"
        "Ada;ada@example.org;Org;private;CEO;01/07/2025 09:30;I offer...\n"
        "Bob;bob@example.org;Org;public;;2025-01-15;\n"
        "Ann;ADA@example.org;Org;Public;;31/02/2025;\n"
        "Cy;cy@example.org;Org;public;;yesterday;\n"
    )
    sheet = read_applications(text.encode("cp1252"))
    ada, bob = sheet.rows
    assert ada.submitted_at == datetime(2025, 7, 1, 8, 30, tzinfo=timezone.utc)  # BST
    assert bob.submitted_at == datetime(2025, 1, 15, 0, 0, tzinfo=timezone.utc)
    assert ada.job_title == "CEO" and ada.note == "I offer..."
    rows_with_errors = sorted({e.row for e in sheet.errors})
    assert rows_with_errors == [4, 5]
    assert any("already applied on row 2" in e.message for e in sheet.errors)


@pytest.mark.parametrize("raw,pence", [
    ("£1,234.50", 123_450), ("300", 30_000), ("300.00", 30_000), (300, 30_000),
    (299.99, 29_999), ("-£50", -5_000), ("£-50.5", -5_050), ("(12.00)", -1_200),
    (" £ 1 234 ", 123_400), (12.35, 1_235),  # Excel's double for 12.35 is 12.3499999...
])
def test_amounts_parse_to_exact_pence(raw, pence) -> None:
    assert parse_pence(raw) == pence


@pytest.mark.parametrize("raw", ["12.345", 12.345, "abc", "1,23", "", None, "--5", "£", "1e3",
                                 True, float("nan")])
def test_bad_amounts_refused(raw) -> None:
    with pytest.raises(ValueError):
        parse_pence(raw)


def test_a_national_candidates_file_is_read_while_an_applications_file_keeps_its_bound():
    """`als select --input` takes a whole national programme; application imports stay at 5,000 rows."""
    from exports import SpreadsheetRefused, read_applications, read_candidates

    header = "id,name,email,organisation,sector,availability\n"
    body = "".join(f"A{i:05d},Person {i},p{i}@x.test,Org {i},public,Durham\n" for i in range(6_000))
    data = (header + body).encode()
    sheet = read_candidates(data)
    assert len(sheet.rows) == 6_000 and not sheet.errors
    with pytest.raises(SpreadsheetRefused, match="more than 5,000 rows"):
        read_applications(data)
