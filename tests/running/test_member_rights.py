"""A member's own words in their set are theirs: subject access shows them, erasure removes them."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import Action, Attendance, LearningSet, Presenter
from app.privacy.access import subject_access
from app.privacy.erasure import erase
from app.running import service
from tests.running.conftest import FIRST


def _session_one_with_an_action(app, clock, running):
    clock.now = datetime(2026, 12, 9, 10, tzinfo=timezone.utc)
    learning_set = db.session.get(LearningSet, running.set_id)
    first = service.sessions_of(learning_set)[0]
    members = service.members_of(learning_set)
    presenter = first.presenters[0].application
    service.set_issue_title(first, presenter, "Keeping a team through a merger", FIRST.replace(day=7))
    entry = service.SessionEntry(attendance={m.id: Attendance.PRESENT for m in members}, presented=[presenter.id])
    service.record_session(first, entry, by=running.facilitator, today=FIRST)
    service.add_action(first, presenter, "Talk to the two heads of service together", None, by="member",
                       today=FIRST)
    db.session.commit()
    return presenter


def test_subject_access_lists_their_attendance_titles_and_actions(app, clock, running):
    with app.app_context():
        presenter = _session_one_with_an_action(app, clock, running)
        data = subject_access(presenter)
        assert data["attendance"] == [{"session": 1, "on": "2026-12-08", "status": "present"}]
        assert data["presenting"][0]["issue_title"] == "Keeping a team through a merger"
        assert data["actions"][0]["what"] == "Talk to the two heads of service together"


def test_erasure_removes_their_actions_and_titles(app, clock, running):
    with app.app_context():
        presenter = _session_one_with_an_action(app, clock, running)
        erase(presenter, "organiser@example.org", clock.now)
        db.session.commit()
        assert db.session.scalars(select(Action).where(Action.application_id == presenter.id)).all() == []
        assert all(p.issue_title is None for p in db.session.scalars(
            select(Presenter).where(Presenter.application_id == presenter.id)))
