"""The application factory: configuration, refusing weak keys, headers, and the database setup."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from app.instance_setup import ensure_local_config
from tests.databases import on_postgresql


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "short"])
def test_outside_testing_the_app_refuses_a_missing_or_development_key(tmp_path, key):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": key}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_first_run_writes_a_random_key_once(tmp_path):
    assert ensure_local_config(tmp_path) == ["SECRET_KEY", "PUBLIC_URL"]
    first = (tmp_path / "config.py").read_text()
    assert ensure_local_config(tmp_path) == []
    assert (tmp_path / "config.py").read_text() == first
    assert "PUBLIC_URL = 'http://127.0.0.1:5000'" in first
    other = tmp_path / "other"
    ensure_local_config(other)
    assert (other / "config.py").read_text() != first
    namespace: dict = {}
    exec(first, namespace)
    create_app({"SECRET_KEY": namespace["SECRET_KEY"], "PUBLIC_URL": namespace["PUBLIC_URL"],
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.db'}"})


def test_environment_variables_configure_the_database_and_mail(tmp_path, monkeypatch):
    monkeypatch.setenv("ALS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("PUBLIC_URL", "https://als.example.org")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app()
    assert app.config["TRUSTED_PROXIES"] == 1 and app.config["PUBLIC_URL"] == "https://als.example.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True


@pytest.mark.skipif(on_postgresql(), reason="SQLite's own tuning")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True), "the inline script must carry the nonce"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_use_our_branding_not_gov_uk(client):
    page = client.get("/").get_data(as_text=True)
    assert "GOV.UK" not in page and "crown" not in page.lower()
    assert "/static/css/app.css" in page


def test_migrations_build_the_same_schema_as_the_models(database_url):
    """`als db upgrade` (what `make run` does) must give every table and column the models use."""
    url = database_url
    migrated = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    result = migrated.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with migrated.app_context():
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"application", "programme", "slot", "outbox_email", "audit_event"} <= tables
