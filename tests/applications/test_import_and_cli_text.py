"""Text from files and the command line: control characters cleaned, limits kept, hostile files
refused with a message instead of a traceback."""
from __future__ import annotations

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from app.cli import main
from app.extensions import db
from app.models import Application, Programme
from tests.exports.hostile import xlsx_bomb

HEADER = "Full name,Email,Organisation,Sector,Job title,Availability,Offer\n"
SLOT = '"Durham, Wednesday mornings"'


def import_file(app, tmp_path, content: bytes | str):
    path = tmp_path / ("emailed.xlsx" if isinstance(content, bytes) else "emailed.csv")
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return CliRunner().invoke(main, ["import-applications", str(path)], obj=ScriptInfo(create_app=lambda: app))


def test_control_characters_in_imported_cells_are_cleaned(app, tmp_path):
    result = import_file(app, tmp_path, HEADER + f"Ada\x00 Lovelace,ada@example.org\x00,Acme\x1b,private,CEO,{SLOT},"
                                                 '"Line one\x00\nline two"\n')
    assert result.exit_code == 0, result.output
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert (application.full_name, application.email, application.organisation) == (
            "Ada Lovelace", "ada@example.org", "Acme")
        assert application.offer == "Line one\nline two"


def test_answers_longer_than_the_form_allows_are_refused_not_cut(app, tmp_path):
    result = import_file(app, tmp_path, HEADER + f"{'A' * 201},ada@example.org,Acme,private,CEO,{SLOT},{'x' * 2501}\n")
    assert result.exit_code != 0
    assert "row 2: full name is longer than 200 characters" in result.output
    assert "row 2: offer is longer than 2,500 characters" in result.output
    with app.app_context():
        assert db.session.query(Application).count() == 0


def test_a_hostile_workbook_is_refused_with_a_message(app, tmp_path):
    result = import_file(app, tmp_path, xlsx_bomb(2500))
    assert result.exit_code != 0
    assert "The workbook is larger than 50 MB once unzipped" in result.output
    assert "Traceback" not in result.output


def test_programme_names_and_places_are_cleaned_or_refused(app, runner):
    result = runner.invoke(args=["programme", "--name", "Sets\x00 2027", "--slot", "Durham,\x1b Friday", "--slot", "\x00"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        assert programme.name == "Sets 2027"
        assert [slot.label for slot in programme.slots] == ["Durham, Friday"]
    assert "must not be empty" in runner.invoke(args=["programme", "--name", "\x00\x01"]).output
    assert "must be 200 characters or fewer" in runner.invoke(args=["programme", "--slot", "x" * 201]).output


def test_a_fee_beyond_what_the_ledger_records_is_refused(app, runner):
    for fee in ("1e30", "NaN", "20000"):
        result = runner.invoke(args=["programme", "--fee", fee])
        assert result.exit_code != 0
        assert "--fee" in result.output
