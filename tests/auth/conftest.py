"""An app built the way a test of rate limits or CSRF needs it (the shared `app` fixture turns both off)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import Programme, Slot


@pytest.fixture
def make_app(database_url, clock) -> Callable[..., Flask]:
    """make_app(RATELIMIT_LOGIN="3/minute", ...): the test configuration, rate limits on, plus overrides."""
    built: list[Flask] = []

    def _make(**overrides: Any) -> Flask:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False, "CLOCK": clock, "MAIL_ASYNC": False, "SELECTION_ASYNC": False,
            "PUBLIC_URL": "https://als.example.org", "RATELIMIT_ENABLED": True, **overrides,
        })
        with app.app_context():
            db.create_all()
            programme = Programme(name="Action Learning Sets 2026–27", deadline=clock.now + timedelta(days=30),
                                  created_at=clock.now)
            programme.slots = [Slot(label="Newcastle City Centre, Tuesday mornings", position=0)]
            db.session.add(programme)
            db.session.commit()
        built.append(app)
        return app

    yield _make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
