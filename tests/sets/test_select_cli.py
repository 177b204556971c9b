"""`als select` and `als import-applications` from the command line."""
from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import load_workbook
from sqlalchemy import select

from app.cli import main
from app.extensions import db
from app.models import Application, ApplicationStatus, SelectionRun

HEADER = "id,name,email,organisation,sector,availability,priority,region\n"


def people_file(tmp_path, rows: list[str]) -> str:
    path = tmp_path / "candidates.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def twelve(slot: str = "Newcastle Tuesdays") -> list[str]:
    sectors = ["public", "Private", "VOLUNTARY"]
    return [f"{i},Person {i},p{i}@example.org,Org {i},{sectors[i % 3]},{slot},{i % 2},{'North' if i % 2 else 'South'}"
            for i in range(12)]


def test_select_from_a_file_needs_no_server_database_or_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ALS_INSTANCE_PATH", str(tmp_path / "no-instance"))
    out = tmp_path / "sets.xlsx"
    result = CliRunner().invoke(main, ["select", "--input", people_file(tmp_path, twelve()), "--json",
                                       "--balance", "region", "--out", str(out), "--seed", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "optimal"
    assert set(data) >= {"status", "gap", "seconds", "sets", "unplaced", "explanation"}
    placed = [member for s in data["sets"] for member in s["members"]]
    assert sorted(placed, key=int) == [str(i) for i in range(12)]
    assert all(6 <= len(s["members"]) <= 8 and s["slot"] == "Newcastle Tuesdays" for s in data["sets"])
    workbook = load_workbook(out)
    assert "Summary" in workbook.sheetnames and len(workbook.sheetnames) == 1 + len(data["sets"])
    assert not (tmp_path / "no-instance").exists()


def test_bad_rows_are_all_reported_with_row_numbers(tmp_path):
    rows = twelve()[:2] + ["1,Dup,dup@example.org,Org X,public,Newcastle Tuesdays,,", "13,Bad,bad@example.org,Org Y,government,,,"]
    result = CliRunner().invoke(main, ["select", "--input", people_file(tmp_path, rows)])
    assert result.exit_code != 0
    assert "row 4: id '1' is also used on row 3" in result.output
    assert "row 5: sector 'government'" in result.output
    assert "row 5: availability is missing" in result.output


def test_people_who_cannot_form_a_set_are_left_out_with_the_reason(tmp_path):
    rows = twelve() + ["20,Lonely,l@example.org,Org L,public,Hexham Mondays,,"]
    result = CliRunner().invoke(main, ["select", "--input", people_file(tmp_path, rows), "--json"])
    data = json.loads(result.stdout)
    [left_out] = data["unplaced"]
    assert left_out["id"] == "20" and "Hexham Mondays" in left_out["reason"]


def test_select_from_the_database_saves_the_run_and_can_confirm_it(app, runner):
    runner.invoke(args=["demo", "--applicants", "60", "--seed", "2"])
    with app.app_context():
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED:
                application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()
    cli = CliRunner()
    result = cli.invoke(main, ["select", "--json", "--confirm", "--before-deadline", "--seed", "3"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["run"] >= 1 and data["sets"]
    with app.app_context():
        run = db.session.get(SelectionRun, data["run"])
        assert run.confirmed_by == "cli"
        selected = db.session.query(Application).filter_by(status=ApplicationStatus.SELECTED).count()
        assert selected == sum(len(s["members"]) for s in data["sets"])


def test_import_applications_loads_emailed_applications_all_or_nothing(app, tmp_path):
    path = tmp_path / "emailed.csv"
    path.write_text(
        "Full name,Email,Organisation,Sector,Job title,Availability,Note,Submitted at\n"
        "Zoë Ní Bhriain,zoe@example.org,Gateshead Council,Public,Director,Durham, Wednesday mornings,Hello,01/09/2026 10:00\n"
        "=HYPERLINK(\"x\"),h@example.org,Acme,private,CEO,\"Newcastle City Centre, Tuesday mornings\",,\n",
        encoding="utf-8",
    )
    cli = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    result = cli.invoke(main, ["import-applications", str(path)], obj=info)
    assert result.exit_code != 0
    assert "row 2: not a place and time of this programme: Durham; Wednesday mornings" in result.output or "row 2" in result.output
    with app.app_context():
        assert db.session.query(Application).count() == 0, "nothing is saved when a row is bad"

    path.write_text(path.read_text(encoding="utf-8").replace("Durham, Wednesday mornings", '"Durham, Wednesday mornings"'),
                    encoding="utf-8")
    result = cli.invoke(main, ["import-applications", str(path)], obj=info)
    assert result.exit_code == 0, result.output
    assert "Imported 2 application(s)" in result.output
    again = cli.invoke(main, ["import-applications", str(path)], obj=info)
    assert "Imported 0 application(s); 2 already in the database" in again.output
    with app.app_context():
        names = {a.full_name: a for a in db.session.scalars(select(Application))}
        assert names['=HYPERLINK("x")'].source == "import"
        assert [s.label for s in names["Zoë Ní Bhriain"].slots] == ["Durham, Wednesday mornings"]
