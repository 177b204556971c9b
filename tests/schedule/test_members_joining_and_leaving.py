"""The rota when members leave or join after planning (app.schedule.service.member_left/member_joined,
reached through the application lifecycle): history kept, no future session without a presenter, a
joiner presenting once in a session still to come."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from app.applications.lifecycle import change_status
from app.clock import utcnow
from app.demo import add_demo_applications
from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet
from app.programmes import current_programme
from app.schedule import service
from tests.schedule.sched_helpers import outbox

# Sessions 1 (8 December) and 2 (12 January) have been held; 3–6 are still to come.
AFTER_SESSION_2 = datetime(2027, 1, 20, 10, 0, tzinfo=timezone.utc)
TODAY = date(2027, 1, 20)


def rota(learning_set: LearningSet) -> dict[int, list[str]]:
    return {s.number: sorted(p.application.reference for p in s.presenters) for s in service.sessions_of(learning_set)}


def upcoming(learning_set: LearningSet) -> list:
    return [s for s in service.sessions_of(learning_set) if s.on >= TODAY]


def test_a_leaver_keeps_their_past_turns_and_no_future_session_is_left_without_a_presenter(
        app, clock, client, planned):
    client.post(f"/manage/schedule/sets/{planned}/publish", data={"submit": "y"})
    clock.now = AFTER_SESSION_2
    with app.app_context():
        learning_set = db.session.get(LearningSet, planned)
        past_presenter = service.sessions_of(learning_set)[0].presenters[0].application
        # Someone who is the only presenter of a session still to come.
        alone = next(s for s in upcoming(learning_set) if len(s.presenters) == 1
                     and s.presenters[0].application_id != past_presenter.id)
        sole_presenter = alone.presenters[0].application
        before = rota(learning_set)
        for leaver, reason in ((past_presenter, "Moving abroad"), (sole_presenter, "New job")):
            change_status(leaver, ApplicationStatus.DECLINED, "applicant", clock.now, reason=reason)
        db.session.commit()

        after = rota(learning_set)
        leavers = {past_presenter.reference, sole_presenter.reference}
        # History: the sessions already held keep exactly who presented.
        assert after[1] == before[1] and after[2] == before[2]
        assert past_presenter.reference in after[1]
        # The future: no leaver, and never a session without a presenter.
        for session in upcoming(learning_set):
            assert session.presenters, f"session {session.number} has no presenter"
            assert not leavers & {p.application.reference for p in session.presenters}
        # Everyone still in the set presents at least once.
        presenting = {reference for references in after.values() for reference in references}
        assert {m.application.reference for m in learning_set.members} <= presenting
        everyone_before = {reference for references in before.values() for reference in references}
        assert {m.application.reference for m in learning_set.members} == everyone_before - leavers
        remaining = {m.application.email for m in learning_set.members}
        taken_over = [s for s in upcoming(learning_set) if rota(learning_set)[s.number] != before[s.number]]
    # The dates were published, so the members still in the set are told whose turn it now is, with
    # the new calendar; the leavers are not.
    emails = outbox(app, "schedule_changed")
    assert emails and {e.to_address for e in emails} == remaining
    latest = emails[-1]
    assert "presenting now" in latest.body and latest.attachment_text.startswith("BEGIN:VCALENDAR")
    assert taken_over


def newcomer() -> Application:
    """A new eligible applicant, not in any set (inside an app context)."""
    programme = current_programme()
    known = set(db.session.scalars(select(Application.id)))
    add_demo_applications(programme, 1, 977)
    [joiner] = db.session.scalars(select(Application).where(Application.id.not_in(known))).all()
    change_status(joiner, ApplicationStatus.ELIGIBLE, "organiser@example.org", utcnow(), notify=False)
    programme.max_set_size += 1  # room for one more in a full set, without anyone leaving
    return joiner


def test_a_joiner_presents_once_at_a_session_still_to_come(app, clock, planned):
    clock.now = AFTER_SESSION_2
    with app.app_context():
        learning_set = db.session.get(LearningSet, planned)
        joiner = newcomer()
        before = rota(learning_set)
        change_status(joiner, ApplicationStatus.SELECTED, "organiser@example.org", clock.now,
                      learning_set=learning_set)
        db.session.commit()
        turns = [s for s in service.sessions_of(learning_set) for p in s.presenters if p.application_id == joiner.id]
        assert len(turns) == 1 and turns[0].on >= TODAY and turns[0].number > 2
        after = rota(learning_set)
        # Nobody else's turn moved.
        for number, references in before.items():
            assert [r for r in after[number] if r != joiner.reference] == references


def test_joining_a_set_whose_sessions_are_all_over_adds_no_turn(app, clock, planned):
    clock.now = datetime(2027, 6, 1, 10, 0, tzinfo=timezone.utc)
    with app.app_context():
        learning_set = db.session.get(LearningSet, planned)
        joiner = newcomer()
        before = rota(learning_set)
        change_status(joiner, ApplicationStatus.SELECTED, "organiser@example.org", clock.now,
                      learning_set=learning_set)
        db.session.commit()
        assert rota(learning_set) == before
