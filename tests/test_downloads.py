"""Spreadsheet downloads by role, and `als export`."""
from __future__ import annotations

import io

from openpyxl import load_workbook


def test_organisers_download_applications_with_text_kept_as_text(client, auth, apply, app):
    apply(full_name='=HYPERLINK("http://x","y")')
    auth.login()
    response = client.get("/manage/downloads/applications.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '=HYPERLINK("http://x","y")' in values
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")')
    assert cell.data_type == "s"


def test_finance_may_download_fees_but_not_applications(client, auth):
    auth.login("finance")
    assert client.get("/manage/downloads/applications.xlsx").status_code == 403
    assert client.get("/manage/downloads/sets.xlsx").status_code == 403
    page = client.get("/manage/downloads/").get_data(as_text=True)
    assert "Fees (.xlsx)" in page and "Applications (.xlsx)" not in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/manage/downloads/applications.xlsx")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_als_export_writes_each_workbook(runner, tmp_path, apply):
    apply()
    for kind in ("applications", "sets"):
        out = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(args=["export", kind, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert load_workbook(out).sheetnames
