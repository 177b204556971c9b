"""`als backup` and `als restore`: a filled database, backed up and restored into an empty one,
gives every export cell for cell as before."""
from __future__ import annotations

import io

import openpyxl
import pytest

from app import create_app
from app.downloads.records import WRITERS
from app.extensions import db
from app.programmes import current_programme
from tests.databases import fresh_database
from tests.privacy.privacy_helpers import fill


def workbooks(app) -> dict[str, dict[str, list[tuple]]]:
    """Every export as {kind: {sheet: rows of cell values}}."""
    found = {}
    with app.app_context():
        programme = current_programme()
        for kind, write in sorted(WRITERS.items()):
            out = io.BytesIO()
            write(programme, out)
            out.seek(0)
            book = openpyxl.load_workbook(out)
            found[kind] = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    return found


@pytest.fixture
def empty_app(tmp_path, clock):
    """A second app on a new, empty database (no tables at all) on the same kind of server."""
    with fresh_database(tmp_path, "restored") as url:
        other = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url, "CLOCK": clock,
                            "PUBLIC_URL": "https://als.example.org"})
        yield other
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_backup_restored_into_an_empty_database_gives_identical_exports(app, client, auth, runner, empty_app,
                                                                          tmp_path):
    fill(app, client, auth)
    before = workbooks(app)
    assert len(before["sets"]) > 2 and len(before["schedule"][next(iter(before["schedule"]))]) > 6
    backup = tmp_path / "als.backup"
    result = runner.invoke(args=["backup", "--out", str(backup)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Backed up the database to {backup}"

    restore = empty_app.test_cli_runner().invoke(args=["restore", str(backup)])
    assert restore.exit_code == 0, restore.output
    assert "Restored" in restore.output and "40 application(s), 1 user(s)" in restore.output
    assert workbooks(empty_app) == before


def test_restore_refuses_a_database_that_holds_applications_unless_forced(app, client, auth, runner, tmp_path):
    fill(app, client, auth)
    backup = tmp_path / "als.backup"
    assert runner.invoke(args=["backup", "--out", str(backup)]).exit_code == 0
    before = workbooks(app)

    refused = runner.invoke(args=["restore", str(backup)])
    assert refused.exit_code != 0
    assert "The database is not empty (40 application(s), 1 user(s))" in refused.output
    assert "--force" in refused.output

    forced = runner.invoke(args=["restore", str(backup), "--force"])
    assert forced.exit_code == 0, forced.output
    assert workbooks(app) == before


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = runner.invoke(args=["restore", str(junk)])
    assert result.exit_code != 0 and "is not a backup made by `als backup`" in result.output


def test_backup_without_pg_dump_says_what_to_install(monkeypatch, tmp_path):
    from app.privacy import backup as backups

    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="pg_dump was not found on PATH"):
        backups.backup("postgresql+psycopg://als:secret@db.example.org/als", tmp_path / "out.backup")
