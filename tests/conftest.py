"""Fixtures: an app on a temporary database, a client, a CLI runner, a controllable clock, factories."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from app import create_app
from app.extensions import db
from app.models import Programme, Slot
from tests.databases import fresh_database
from tests.helpers import answers

# A fixed "now": Monday 2 November 2026, 10:00 UTC, with the deadline a month later.
START = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 12, 4, 17, 0, tzinfo=timezone.utc)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database_url(tmp_path):
    """A new, empty database: SQLite by default, PostgreSQL when ALS_TEST_DATABASE_URL names a server."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def app(database_url, clock):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "CLOCK": clock,
            "MAIL_ASYNC": False,
            "SELECTION_ASYNC": False,
            "PUBLIC_URL": "https://als.example.org",
        }
    )
    with app.app_context():
        db.create_all()
        programme = Programme(name="Action Learning Sets 2026–27", deadline=DEADLINE, created_at=START)
        programme.slots = [
            Slot(label="Newcastle City Centre, Tuesday mornings", position=0),
            Slot(label="Durham, Wednesday mornings", position=1),
        ]
        db.session.add(programme)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign staff in and out through the real login form."""

    def __init__(self, client, app) -> None:
        self._client = client
        self._app = app

    def create(self, email: str = "organiser@example.org", role: str = "organiser", password: str = "correct horse battery") -> str:
        from app.auth.accounts import create_user
        from app.models import Role, User

        with self._app.app_context():
            if db.session.query(User).filter_by(email=email).first() is None:
                create_user(email, password, Role(role), START, by="test")
                db.session.commit()
        return email

    def login(self, role: str = "organiser", email: str | None = None, password: str = "correct horse battery"):
        email = self.create(email or f"{role}@example.org", role, password)
        return self._client.post("/staff/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/staff/logout")


@pytest.fixture
def auth(client, app) -> AuthActions:
    return AuthActions(client, app)


@pytest.fixture
def apply(client, app):
    """Fill in the form and submit from Check your answers, as an applicant would."""

    def _apply(**overrides: Any):
        client.get("/apply")
        response = client.post("/apply", data=answers(app, **overrides), content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)
        return client.post("/apply/check", follow_redirects=True)

    return _apply
