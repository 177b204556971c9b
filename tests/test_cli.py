"""The `als` command line: programme settings and demo data."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from app.extensions import db
from app.models import Application, AuditEvent, Programme


def test_programme_shows_the_settings_from_the_brief(runner):
    result = runner.invoke(args=["programme"])
    assert result.exit_code == 0, result.output
    assert "Sessions:         6" in result.output
    assert "£50.00 (total £300.00, paid up front)" in result.output
    assert "Set size:         6–8" in result.output
    assert "5pm on Friday 4 December 2026 (UK time, GMT)" in result.output


def test_programme_changes_settings_and_records_who_changed_them(runner, app):
    result = runner.invoke(args=["programme", "--deadline", "2027-01-15 12:00", "--fee", "47.50", "--max-size", "10",
                                 "--slot", "Durham, Wednesday mornings", "--slot", "Hexham, Monday evenings"])
    assert result.exit_code == 0, result.output
    assert "midday on Friday 15 January 2027" in result.output
    assert "£47.50" in result.output and "6–10" in result.output
    assert "Hexham, Monday evenings" in result.output and "Tuesday mornings" not in result.output
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="programme.changed").count() == 1


def test_programme_refuses_impossible_settings(runner):
    assert "must not be larger" in runner.invoke(args=["programme", "--min-size", "9"]).output
    assert "YYYY-MM-DD HH:MM" in runner.invoke(args=["programme", "--deadline", "next friday"]).output
    for fee in ("1e3", "50p", "-5"):
        result = runner.invoke(args=["programme", "--fee", fee])
        assert result.exit_code != 0 and "fee per session" in result.output, (fee, result.output)
    assert "£50" in runner.invoke(args=["programme"]).output, "a refused fee changes nothing"


def test_a_new_database_gets_a_programme_open_six_weeks_ahead(database_url):
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["programme"])
    assert "Created a programme open for applications" in result.output
    with app.app_context():
        programme = db.session.query(Programme).one()
        now = app.config["CLOCK"]()
        assert 41 <= (programme.deadline - now).days <= 42
        assert programme.is_open(now) and len(programme.slots) == 4


def test_demo_fills_the_database_with_varied_applications_and_is_repeatable(runner, app, clock):
    clock.now = app_deadline(app) + timedelta(days=2)  # after the deadline, so some came in late
    result = runner.invoke(args=["demo", "--applicants", "140", "--seed", "7"])
    assert "Added 140 demo application(s)" in result.output
    assert "Added 0 demo application(s)" in runner.invoke(args=["demo", "--applicants", "140", "--seed", "7"]).output
    with app.app_context():
        rows = db.session.query(Application).all()
        sectors = Counter(row.sector.value for row in rows)
        organisations = Counter(row.organisation for row in rows)
        assert set(sectors) == {"public", "private", "voluntary"}
        assert max(organisations.values()) >= 2, "some organisations have several applicants"
        assert any(not name.isascii() for name in (row.full_name for row in rows))
        assert any(row.late for row in rows)
        assert all(row.slots for row in rows)


def test_demo_before_the_deadline_has_nobody_applying_late_or_in_the_future(runner, app, clock):
    runner.invoke(args=["demo", "--applicants", "140", "--seed", "7"])
    with app.app_context():
        rows = db.session.query(Application).all()
        assert len(rows) == 140
        assert not any(row.late for row in rows)
        assert all(row.submitted_at <= clock.now for row in rows)


def app_deadline(app):
    with app.app_context():
        return db.session.query(Programme).one().deadline


def _als(monkeypatch, tmp_path, args, **env):
    from click.testing import CliRunner

    from app.cli import main

    for name in ("PUBLIC_URL", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALS_INSTANCE_PATH", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(main, args)


def test_a_missing_setting_is_one_sentence_not_a_traceback(monkeypatch, tmp_path):
    result = _als(monkeypatch, tmp_path, ["users"], SECRET_KEY="k" * 40)
    assert "Error: PUBLIC_URL is not set" in result.output
    assert "Traceback" not in result.output and result.exit_code != 0


def test_a_database_that_cannot_be_opened_is_one_sentence_not_a_traceback(monkeypatch, tmp_path):
    result = _als(monkeypatch, tmp_path, ["users"], SECRET_KEY="k" * 40, PUBLIC_URL="https://als.example.org",
                  DATABASE_URL=f"sqlite:///{tmp_path / 'no-such-folder' / 'als.sqlite3'}")
    assert "Error: The database could not be used: unable to open database file" in result.output
    assert "Traceback" not in result.output and result.exit_code == 1
