"""Every workbook says things as people do: "Private sector", "Waiting list", "Their organisation"."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import SelectionRun
from tests.factories import confirm_sets

RAW = {"public", "private", "voluntary", "waiting_list", "not_selected", "selected", "eligible", "organisation",
       "self", "person", "upload", "typed"}


def cells(data: bytes) -> dict[str, list[list[object]]]:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def column(rows: list[list[object]], name: str) -> list[object]:
    header = next(row for row in rows if name in row)
    index = header.index(name)
    start = rows.index(header) + 1
    return [row[index] for row in rows[start:] if row[0] not in (None, "Total")]


def assert_no_raw_values(sheets: dict[str, list[list[object]]]) -> None:
    for title, rows in sheets.items():
        for row in rows:
            for value in row:
                assert not (isinstance(value, str) and value in RAW), f"{value!r} in sheet {title}"


def test_the_applications_workbook_uses_labels(client, auth, app):
    with app.app_context():
        confirm_sets(30, seed=5, sets=2)
    auth.login()
    sheets = cells(client.get("/manage/downloads/applications.xlsx").data)
    rows = sheets["Applications"]
    assert set(column(rows, "Sector")) <= {"Public sector", "Private sector", "Voluntary sector"}
    assert "Private sector" in column(rows, "Sector")
    statuses = set(column(rows, "Status"))
    assert "Selected" in statuses and "Waiting list" in statuses
    assert_no_raw_values(sheets)


def test_the_confirmed_sets_workbook_uses_labels(client, auth, app):
    with app.app_context():
        confirm_sets(30, seed=5)
    auth.login()
    sheets = cells(client.get("/manage/downloads/sets.xlsx").data)
    summary = sheets["Summary"]
    header = next(row for row in summary if "Set" in row)
    assert {"Public sector", "Private sector", "Voluntary sector"} <= set(header)
    roster = next(rows for title, rows in sheets.items() if title != "Summary")
    assert set(column(roster, "Sector")) <= {"Public sector", "Private sector", "Voluntary sector"}
    assert_no_raw_values(sheets)


def test_a_selection_runs_workbook_uses_labels(client, auth, app):
    with app.app_context():
        confirm_sets(30, seed=5)
        run_id = db.session.scalars(select(SelectionRun.id)).first()
    auth.login()
    response = client.get(f"/manage/selection/runs/{run_id}/sets.xlsx")
    assert response.status_code == 200
    sheets = cells(response.data)
    roster = next(rows for title, rows in sheets.items() if title != "Summary")
    assert set(column(roster, "Sector")) <= {"Public sector", "Private sector", "Voluntary sector"}
    assert_no_raw_values(sheets)
