"""A set that is running: confirmed, planned from Tuesday 8 December 2026 (monthly), published,
with a facilitator; and a second set with its own facilitator, to prove what each may see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.accounts import create_user
from app.extensions import db
from app.models import LearningSet, Role, User
from app.running.setup import start_running
from tests.conftest import START
from tests.factories import confirm_sets, set_ids

FIRST = date(2026, 12, 8)
PASSWORD = "correct horse battery"


@dataclass
class Running:
    set_id: int
    other_set_id: int
    facilitator: str      # email of the first set's facilitator
    other_facilitator: str


def facilitator_user(email: str, name: str, organisation: str = "Facilitation Ltd",
                     can_attend: list[str] | None = None) -> User:
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        user = create_user(email, PASSWORD, Role.FACILITATOR, START, by="test")
    user.full_name, user.organisation, user.can_attend = name, organisation, can_attend or []
    return user


@pytest.fixture
def running(app) -> Running:
    with app.app_context():
        confirm_sets(60, 3)
        first, second = set_ids()[:2]
        emails = ("facilitator@example.org", "other.facilitator@example.org")
        for set_id, email, name in zip((first, second), emails, ("Fran Facil", "Olu Other"), strict=True):
            learning_set = db.session.get(LearningSet, set_id)
            user = facilitator_user(email, name, can_attend=[learning_set.slot_label])
            start_running(learning_set, FIRST, user, by="organiser@example.org", now=START)
        db.session.commit()
    return Running(first, second, *emails)
