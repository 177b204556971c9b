"""Running behind an HTTPS proxy: trusted forwarded headers, Secure cookies, HSTS, no caching of
staff pages, links in emails from PUBLIC_URL only, and engine options that suit each database."""
from __future__ import annotations

import pytest

from app import create_app
from app.database import engine_options
from tests.helpers import link_from, outbox


def _app(tmp_path, database_url, **config):
    settings = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": database_url, "PUBLIC_URL": "https://als.example.org"}
    settings.update(config)
    return create_app(settings)


def test_outside_tests_and_debug_the_app_refuses_to_start_without_public_url(tmp_path, database_url):
    with pytest.raises(RuntimeError, match="PUBLIC_URL is not set"):
        _app(tmp_path, database_url, PUBLIC_URL=None)
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be an http or https address"):
        _app(tmp_path, database_url, PUBLIC_URL="als.example.org")
    debugging = _app(tmp_path, database_url, PUBLIC_URL=None, DEBUG=True)
    assert debugging.config["PUBLIC_URL"] is None


def test_an_https_public_url_makes_the_cookies_secure(tmp_path, database_url):
    app = _app(tmp_path, database_url, PUBLIC_URL="https://als.example.org/")
    assert app.config["PUBLIC_URL"] == "https://als.example.org"
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    local = _app(tmp_path, database_url, PUBLIC_URL="http://127.0.0.1:5000")
    assert local.config["SESSION_COOKIE_SECURE"] is False


def _login_page(app, **headers):
    return app.test_client().get("/staff/login", headers=headers)


def test_forwarded_https_is_believed_only_from_trusted_proxies(tmp_path, database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusting = _app(tmp_path, database_url, PUBLIC_URL="http://127.0.0.1:5000")
    response = _login_page(untrusting, **forwarded)
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")

    trusting = _app(tmp_path, database_url, PUBLIC_URL="http://127.0.0.1:5000", TRUSTED_PROXIES=1)
    response = _login_page(trusting, **forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_staff_pages_and_downloads_are_never_cached(client, auth):
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    auth.login()
    for path in ("/manage/applications/", "/manage/downloads/applications.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_links_in_emails_come_from_public_url_not_the_host_header(apply, app):
    apply()
    # The test client sends Host: localhost; link_from finds only links under PUBLIC_URL.
    assert link_from(outbox(app)[0]).startswith("/application/")
    assert "localhost" not in outbox(app)[0].body


def test_engine_options_suit_each_database():
    sqlite = engine_options("sqlite:////tmp/x.db")
    assert sqlite["connect_args"] == {"timeout": 15}
    postgres = engine_options("postgresql+psycopg://als@localhost/als")
    assert "connect_args" not in postgres and postgres["pool_pre_ping"] is True
    assert engine_options("postgresql+psycopg://h/db", {"pool_size": 3})["pool_size"] == 3
