"""`als demo --through SESSION`: a whole programme up to a session, so every screen can be tried."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from app.clock import london
from app.extensions import db
from app.models import (
    Action,
    ActionReview,
    Application,
    AttendanceMark,
    LearningSet,
    Role,
    SessionRecord,
    User,
)
from app.programmes import current_programme
from app.running import service
from app.running.demo import first_session_on, run_through
from tests.factories import confirm_sets

SIGN_IN = re.compile(r"^\s+(organiser|finance|facilitator)\s+(\S+@\S+)\s+(\S+)", re.MULTILINE)
TODAY = date(2026, 11, 2)   # the clock fixture's day


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_through_session_2_fills_a_running_programme_and_prints_sign_ins_that_work(app, runner, client):
    result = runner.invoke(args=["demo", "--applicants", "60", "--seed", "2", "--through", "2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        programme = current_programme()
        sets = list(db.session.scalars(select(LearningSet).order_by(LearningSet.id)))
        assert len(sets) >= 2
        for learning_set in sets:
            facilitator = learning_set.facilitator
            assert facilitator is not None and facilitator.role is Role.FACILITATOR
            assert service.facilitator_warnings(learning_set, facilitator) == []
            assert learning_set.schedule_published_at is not None
            sessions = service.sessions_of(learning_set)
            assert len(sessions) == 6
            assert sessions[1].on < TODAY < sessions[2].on, "sessions 1-2 held, session 3 still to come"
            assert london(programme.deadline).date() < sessions[0].on
            members = {a.id for a in service.members_of(learning_set)}
            for session in sessions[:2]:
                assert service.record_of(session) is not None
                assert set(service.attendance_of(session)) == members
                assert any(p.presented for p in session.presenters)
            assert all(service.record_of(session) is None for session in sessions[2:])
            agreed = service.record_of(sessions[0])
            assert agreed.ground_rules and agreed.issues and agreed.agreed_interval == "monthly"
            assert service.counts_of(learning_set).actions_set >= 1
        reviewed_at = {review.session.number for review in db.session.scalars(select(ActionReview))}
        assert reviewed_at == {2}, "actions set at session 1 are reviewed at session 2"
        accepted = db.session.scalar(select(func.count()).select_from(Application)
                                     .where(Application.accepted_at.is_not(None)))
        assert accepted >= 0.8 * sum(len(s.members) for s in sets)
        facilitators = {s.facilitator.email for s in sets}

    assert "Demo data: the deadline for applications moved" in result.output
    assert "https://als.example.org/staff/login" in result.output
    assert "https://als.example.org/application/" in result.output, "members' private links"
    sign_ins = SIGN_IN.findall(result.output)
    roles = [role for role, _, _ in sign_ins]
    assert roles.count("organiser") == 1 and roles.count("finance") == 1
    assert {email for role, email, _ in sign_ins if role == "facilitator"} == facilitators
    for role in ("organiser", "finance", "facilitator"):
        _, email, password = next(s for s in sign_ins if s[0] == role)
        response = client.post("/staff/login", data={"email": email, "password": password})
        assert response.status_code == 302, f"{role} {email} could not sign in"
        client.post("/staff/logout")

    again = runner.invoke(args=["demo", "--applicants", "60", "--seed", "2", "--through", "2"])
    assert again.exit_code != 0 and "The sets are confirmed already" in again.output
    with app.app_context():
        assert _count(LearningSet) == len(sets) and _count(User) == 2 + len(sets), "nothing added"


def test_demo_through_0_publishes_dates_but_records_nothing(app, runner):
    result = runner.invoke(args=["demo", "--applicants", "60", "--seed", "2", "--through", "0"])
    assert result.exit_code == 0, result.output
    assert "no session held yet" in result.output
    with app.app_context():
        sets = list(db.session.scalars(select(LearningSet)))
        assert sets and all(s.facilitator is not None and s.schedule_published_at is not None for s in sets)
        assert all(service.sessions_of(s)[0].on > TODAY for s in sets)
        assert _count(SessionRecord) == _count(AttendanceMark) == _count(Action) == 0


def test_demo_without_through_only_adds_applications(app, runner):
    result = runner.invoke(args=["demo", "--applicants", "20", "--seed", "2"])
    assert result.exit_code == 0 and "Added 20 demo application(s)" in result.output
    with app.app_context():
        assert _count(LearningSet) == _count(User) == 0


def test_run_through_3_has_someone_miss_two_sessions_in_a_row_for_the_organiser(app):
    with app.app_context():
        confirm_sets(60, 3)
        programme = current_programme()
        made = run_through(programme, 3, seed=5, today=TODAY)
        db.session.commit()
        assert made.sessions_recorded == 3 * len(made.first_sessions)
        flags = service.missed_in_a_row(programme)
        assert flags and all(len(flag.sessions) >= 2 for flag in flags)
        assert made.reviews > 0


def test_the_first_date_puts_the_chosen_number_of_sessions_before_today():
    from app.schedule.planner import WinterBreak, plan_sessions
    from app.running.setup import MONTHLY

    label = "Newcastle City Centre, Tuesday mornings"
    for through in range(7):
        first = first_session_on(label, through, TODAY)
        assert first.weekday() == 1, "the set's own weekday"
        dates = [m.on for m in plan_sessions(first, MONTHLY, label, WinterBreak(), training_after=3).sessions]
        assert sum(on < TODAY for on in dates) == through and not any(on == TODAY for on in dates)
