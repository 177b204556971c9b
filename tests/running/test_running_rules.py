"""The rules of running a set that a probe of the pages found missing, each at the service."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.applications.lifecycle import change_status
from app.extensions import db
from app.models import ActionOutcome, ApplicationStatus, Attendance, LearningSet, Programme
from app.running import service
from app.running.service import RecordRefused, SessionEntry
from app.schedule.planner import Interval


def _set(running) -> LearningSet:
    return db.session.get(LearningSet, running.set_id)


def _record(learning_set: LearningSet, number: int, marks: dict[int, Attendance] | None = None,
            presented: list[int] | None = None):
    session = service.sessions_of(learning_set)[number - 1]
    members = service.members_of(learning_set)
    attendance = {m.id: Attendance.PRESENT for m in members} | (marks or {})
    chosen = presented if presented is not None else [p.application_id for p in session.presenters
                                                      if attendance[p.application_id] is Attendance.PRESENT]
    service.record_session(session, SessionEntry(attendance=attendance, presented=chosen), by="f@x.org",
                           today=session.on)
    return session


def test_a_facilitator_already_running_a_set_at_the_same_time_is_warned_about(app, running):
    with app.app_context():
        learning_set = _set(running)
        other = db.session.get(LearningSet, running.other_set_id)
        other.slot_label = learning_set.slot_label   # two sets meeting at the same place and time
        busy = other.facilitator
        warnings = service.facilitator_warnings(learning_set, busy)
        assert any(f"already facilitates {other.name}" in w for w in warnings)


def test_a_session_needs_a_presenter_and_keeps_those_with_actions(app, running):
    with app.app_context():
        learning_set = _set(running)
        with pytest.raises(RecordRefused, match="at least one member presents"):
            _record(learning_set, 1, presented=[])
        session = _record(learning_set, 1)
        presenter = session.presenters[0].application
        service.add_action(session, presenter, "Ask the board for a decision", None, by="member", today=session.on)
        others = [p.application_id for p in session.presenters if p.application_id != presenter.id]
        with pytest.raises(RecordRefused, match=f"{presenter.full_name} presented"):
            _record(learning_set, 1, presented=others or [m.id for m in service.members_of(learning_set)
                                                          if m.id != presenter.id][:1])


def test_the_same_action_twice_is_refused(app, running):
    with app.app_context():
        session = _record(_set(running), 1)
        presenter = session.presenters[0].application
        service.add_action(session, presenter, "Meet the union reps", None, by="member", today=session.on)
        with pytest.raises(RecordRefused, match="recorded already"):
            service.add_action(session, presenter, "Meet the union reps", None, by="member", today=session.on)


def test_a_member_who_leaves_takes_their_open_actions_with_them(app, clock, running):
    with app.app_context():
        learning_set = _set(running)
        session = _record(learning_set, 1)
        presenter = session.presenters[0].application
        action = service.add_action(session, presenter, "Draft the new rota", None, by="member", today=session.on)
        db.session.commit()
        clock.now = datetime.combine(session.on + timedelta(days=2), datetime.min.time(), tzinfo=timezone.utc)
        change_status(presenter, ApplicationStatus.WITHDRAWN, "applicant", clock.now)
        db.session.commit()
        assert not action.is_open
        second = service.sessions_of(learning_set)[1]
        assert action not in service.to_review_at(second)


def test_the_last_sessions_actions_are_reviewed_at_the_last_session(app, running):
    with app.app_context():
        learning_set = _set(running)
        last = service.sessions_of(learning_set)[-1]
        session = _record(learning_set, last.number)
        presenter = session.presenters[0].application
        action = service.add_action(session, presenter, "Write to my successor", None, by="member", today=session.on)
        assert action in service.to_review_at(last)
        service.review_action(action, last, ActionOutcome.DONE, "It helped", by="f@x.org", today=last.on)
        assert not action.is_open


def test_the_missed_twice_flag_goes_once_they_are_back(app, running):
    with app.app_context():
        learning_set = _set(running)
        member = next(m for m in service.members_of(learning_set)
                      if all(p.application_id != m.id for p in service.sessions_of(learning_set)[0].presenters
                             + service.sessions_of(learning_set)[1].presenters
                             + service.sessions_of(learning_set)[2].presenters))
        _record(learning_set, 1, {member.id: Attendance.APOLOGIES})
        _record(learning_set, 2, {member.id: Attendance.ABSENT})
        programme = db.session.get(Programme, learning_set.programme_id)
        assert [f.application.id for f in service.missed_in_a_row(programme)] == [member.id]
        _record(learning_set, 3)
        assert service.missed_in_a_row(programme) == []


def test_re_planning_after_session_two_says_why_in_one_sentence(app, running):
    with app.app_context():
        learning_set = _set(running)
        second = service.sessions_of(learning_set)[1]
        plan = service.replan_from_first(learning_set, Interval("weeks", 4), by="f@x.org",
                                         today=second.on + timedelta(days=1), save=False)
        assert plan.problems == ("Session 2 has happened: the remaining dates can be re-planned only before "
                                 "session 2",)


def test_a_crafted_attendance_answer_is_a_form_error_not_a_crash(app, client, auth, clock, running):
    auth.login("facilitator", email=running.facilitator)
    with app.app_context():
        learning_set = _set(running)
        session = service.sessions_of(learning_set)[0]
        members = service.members_of(learning_set)
        clock.now = datetime.combine(session.on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=20)
        data = {f"attendance_{m.id}": "present" for m in members}
        data[f"attendance_{members[0].id}"] = "sleeping"
        data["presented"] = [str(p.application_id) for p in session.presenters]
        data.update({"ground_rules": "", "issues": "", "interval": "monthly"})
        session_id = session.id
    response = client.post(f"/facilitate/sessions/{session_id}/record", data=data)
    assert response.status_code == 200
    assert "was present, sent apologies or was absent" in response.get_data(as_text=True)


def test_an_action_recorded_by_mistake_can_be_removed_until_it_is_reviewed(app, client, auth, clock, running):
    auth.login("facilitator", email=running.facilitator)
    with app.app_context():
        learning_set = _set(running)
        session = _record(learning_set, 1)
        presenter = session.presenters[0].application
        wrong = service.add_action(session, presenter, "Typed into the wrong box", None, by="f@x.org",
                                   today=session.on)
        kept = service.add_action(session, presenter, "Speak to HR", None, by="f@x.org", today=session.on)
        second = _record(learning_set, 2)
        service.review_action(kept, second, ActionOutcome.PARTLY, None, by="f@x.org", today=second.on)
        db.session.commit()
        wrong_id, kept_id, session_id = wrong.id, kept.id, session.id
        clock.now = datetime.combine(second.on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=20)
    page = client.get(f"/facilitate/sessions/{session_id}/actions").get_data(as_text=True)
    assert f"/facilitate/actions/{wrong_id}/remove" in page and f"/facilitate/actions/{kept_id}/remove" not in page
    client.post(f"/facilitate/actions/{wrong_id}/remove")
    refused = client.post(f"/facilitate/actions/{kept_id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "review it as dropped instead" in refused
    with app.app_context():
        remaining = [a.what for a in service.actions_of(_set(running))]
        assert remaining == ["Speak to HR"]


def test_an_action_date_more_than_a_year_after_the_session_is_refused(app, running):
    with app.app_context():
        session = _record(_set(running), 1)
        presenter = session.presenters[0].application
        with pytest.raises(RecordRefused, match="within a year"):
            service.add_action(session, presenter, "Retire", session.on + timedelta(days=400), by="member",
                               today=session.on)


def test_another_facilitator_cannot_remove_an_action(app, client, auth, running):
    with app.app_context():
        session = _record(_set(running), 1)
        action = service.add_action(session, session.presenters[0].application, "Mine", None, by="member",
                                    today=session.on)
        db.session.commit()
        action_id = action.id
    auth.login("facilitator", email=running.other_facilitator)
    assert client.post(f"/facilitate/actions/{action_id}/remove").status_code == 404
