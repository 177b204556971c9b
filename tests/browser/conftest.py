"""Browser fixtures: the real app served over HTTP on a random port, and Chromium driven by Playwright.

The browser is the Debian package at /usr/bin/chromium (Playwright's own download is never used).
Without it the browser tests are skipped, unless ALS_REQUIRE_BROWSER=1 (set by CI), when they fail.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import OutboxEmail, Programme, Slot

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/shots")

# A fixed "now": Monday 2 November 2026, 10:00 UTC, with the deadline a month later.
START = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 12, 4, 17, 0, tzinfo=timezone.utc)


def _browser_required() -> bool:
    return os.environ.get("ALS_REQUIRE_BROWSER", "").strip() == "1"


def _unavailable(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason} (ALS_REQUIRE_BROWSER=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(f"{reason}; set ALS_REQUIRE_BROWSER=1 to make this a failure")


@dataclass
class BrowserClock:
    """The server's "now"; a test may move it (for example past the deadline)."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@dataclass
class LiveServer:
    url: str
    app: object
    clock: BrowserClock
    deadline: datetime = DEADLINE
    slot_labels: list[str] = field(default_factory=list)

    def outbox(self) -> list[OutboxEmail]:
        with self.app.app_context():  # type: ignore[attr-defined]
            emails = db.session.query(OutboxEmail).order_by(OutboxEmail.id).all()
            db.session.expunge_all()
            return emails

    def private_link(self) -> str:
        """The newest private link emailed, exactly as the applicant would click it."""
        for email in reversed(self.outbox()):
            for line in email.body.splitlines():
                line = line.strip()
                if line.startswith(self.url + "/application/"):
                    return line
        raise AssertionError("no private link in the outbox: " + repr([e.body for e in self.outbox()]))


@pytest.fixture
def live_server(database_url) -> Iterator[LiveServer]:
    clock = BrowserClock()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": True,
            "CLOCK": clock,
            "MAIL_ASYNC": False,
        }
    )
    labels = ["Newcastle City Centre, Tuesday mornings", "Durham, Wednesday mornings"]
    with app.app_context():
        db.create_all()
        programme = Programme(name="Action Learning Sets 2026–27", deadline=DEADLINE, created_at=START)
        programme.slots = [Slot(label=label, position=i) for i, label in enumerate(labels)]
        db.session.add(programme)
        db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, clock=clock, slot_labels=labels)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        _unavailable(f"the playwright package is not installed: {error}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text)
        if msg.type == "error" and not msg.text.startswith("Failed to load resource")
        else None,
    )
    # Stylesheets, scripts and images must load (a 404 page itself is fine).
    page.on(
        "response",
        lambda response: errors.append(f"{response.status} {response.url}")
        if "/static/" in response.url and response.status >= 400
        else None,
    )
    yield page
    # Scripts that fail (for example blocked by the Content-Security-Policy) break the components.
    assert not errors, f"JavaScript errors in the browser: {errors}"


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
