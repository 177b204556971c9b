"""The README's "Running it for real": gunicorn behind a proxy that terminates HTTPS, driven by
Chromium. Staff sign in, an applicant applies and changes the application through the private
link, with CSRF checks on (Flask-WTF demands a same-origin Referer over HTTPS), Secure cookies,
HSTS, and links in emails built from PUBLIC_URL."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, text

from tests.browser.test_accessibility import fill_in_form
from tests.browser.tls_proxy import TLSProxy, self_signed_certificate

ALS = str(Path(sys.executable).with_name("als"))


@dataclass
class Site:
    url: str
    database_url: str
    staff_email: str
    staff_password: str
    log: Path

    def server_log(self) -> str:
        return self.log.read_text()

    def newest_email_body(self) -> str:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text("SELECT body FROM outbox_email ORDER BY id DESC")).scalars().first()
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


@pytest.fixture
def https_site(tmp_path, database_url) -> Iterator[Site]:
    backend = _free_port()
    cert, key = self_signed_certificate(tmp_path)
    with TLSProxy(backend, cert, key) as proxy:
        url = f"https://127.0.0.1:{proxy.port}"
        env = {**os.environ, "SECRET_KEY": "s" * 48, "DATABASE_URL": database_url, "PUBLIC_URL": url,
               "TRUSTED_PROXIES": "1", "ALS_INSTANCE_PATH": str(tmp_path / "instance")}
        env.pop("MAIL_SERVER", None)
        for command in (["db", "upgrade"], ["programme"]):
            subprocess.run([ALS, *command], env=env, check=True, capture_output=True)
        created = subprocess.run([ALS, "create-user", "organiser@example.org", "--role", "organiser", "--generate"],
                                 env=env, check=True, capture_output=True, text=True).stdout
        password = created.split("Password:")[1].strip()
        log = tmp_path / "gunicorn.log"
        with open(log, "w") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{backend}",
                 "app:create_app()"],
                env=env, stdout=log_file, stderr=subprocess.STDOUT,
            )
            try:
                _wait_for(backend, server, log)
                yield Site(url, database_url, "organiser@example.org", password, log)
            finally:
                server.terminate()
                server.wait(timeout=20)


def test_forms_work_behind_a_tls_terminating_proxy(browser: Browser, https_site: Site) -> None:
    staff = browser.new_context(ignore_https_errors=True, locale="en-GB")
    page = staff.new_page()
    response = page.goto(https_site.url + "/staff/login")
    assert response is not None and response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    page.get_by_label("Email address").fill(https_site.staff_email)
    page.get_by_role("textbox", name="Password").fill(https_site.staff_password)
    page.get_by_role("button", name="Sign in").click()
    assert "Applications" in page.title(), https_site.server_log()
    [session] = [cookie for cookie in staff.cookies() if cookie["name"] == "session"]
    assert session["secure"] and session["httpOnly"]
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    staff.close()

    applicant = browser.new_context(ignore_https_errors=True, locale="en-GB")
    page = applicant.new_page()
    page.goto(https_site.url + "/apply")
    fill_in_form(page, email="zoe@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Check your answers before you apply – Action Learning Sets")
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("ALS-")

    link = next(line.strip() for line in https_site.newest_email_body().splitlines()
                if line.strip().startswith(https_site.url + "/application/"))
    page.goto(link)
    page.get_by_role("link", name="Change your application").click()
    page.get_by_label("Job title").fill("Chief Executive Officer")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes have been saved")).to_be_visible()
    expect(page.get_by_text("Chief Executive Officer")).to_be_visible()
    applicant.close()
