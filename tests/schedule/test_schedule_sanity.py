"""Dates that make no sense are refused: a first session in the past or before applications close, a
session moved into the past; a session moved to another weekday warns first."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from app.models import SessionKind
from tests.schedule.sched_helpers import confirmation, edit, plan, presenters_of, rows, session_id


@pytest.mark.parametrize("first_date,message", [
    (["1", "11", "2026"], "The first session cannot be in the past: choose Saturday 5 December 2026 or later"),
    (["4", "12", "2026"], "The first session must be after the deadline for applications on Friday 4 December "
                          "2026: choose Saturday 5 December 2026 or later"),
    (["10", "11", "2026"], "The first session must be after the deadline for applications on Friday 4 December"),
])
def test_a_first_session_in_the_past_or_before_the_deadline_is_refused(client, app, organiser, confirmed_sets,
                                                                      first_date, message):
    page = plan(client, confirmed_sets[0], first_date=first_date).get_data(as_text=True)
    assert "There is a problem" in page and page.count(message) >= 2  # the summary and the field
    assert 'href="#first_date-day"' in page
    assert rows(app, confirmed_sets[0]) == []


def test_the_day_after_the_deadline_is_the_first_allowed(client, app, organiser, confirmed_sets):
    assert plan(client, confirmed_sets[0], first_date=["5", "12", "2026"]).status_code == 302
    assert min(r.on for r in rows(app, confirmed_sets[0])) == date(2026, 12, 5)


def test_after_the_deadline_only_past_dates_are_refused(client, app, clock, organiser, confirmed_sets):
    clock.now = datetime(2027, 1, 6, 10, 0, tzinfo=timezone.utc)
    page = plan(client, confirmed_sets[0], first_date=["5", "1", "2027"]).get_data(as_text=True)
    assert "The first session cannot be in the past: choose Wednesday 6 January 2027 or later" in page
    assert plan(client, confirmed_sets[0], first_date=["12", "1", "2027"]).status_code == 302


def test_the_date_hints_never_suggest_a_past_date(client, organiser, app, planned):
    page = client.get(f"/manage/schedule/sets/{planned}/plan").get_data(as_text=True)
    assert "Saturday 5 December 2026 or later: after the deadline" in page
    assert "For example, 8 12 2026" in page  # the first Tuesday after the deadline, as the set meets on Tuesdays
    assert "13 10 2026" not in page
    page = client.get(f"/manage/schedule/sets/{planned}/sessions/{session_id(app, planned, 2)}").get_data(as_text=True)
    assert "Today or later. For example, 12 1 2027" in page


def test_moving_a_session_or_the_training_into_the_past_is_refused(client, app, clock, planned):
    clock.now = datetime(2027, 1, 20, 10, 0, tzinfo=timezone.utc)  # sessions 1 and 2 have happened
    sid = session_id(app, planned, 3)
    page = edit(client, planned, sid, date(2027, 1, 19), presenters_of(app, planned, 3)).get_data(as_text=True)
    assert "Tuesday 19 January 2027 is in the past: choose Wednesday 20 January 2027 or later" in page
    training = session_id(app, planned, 1, SessionKind.TRAINING)
    page = edit(client, planned, training, date(2027, 1, 13), []).get_data(as_text=True)
    assert "Wednesday 13 January 2027 is in the past" in page
    on = {r.id: r.on for r in rows(app, planned)}
    assert on[sid] == date(2027, 2, 9) and on[training] == date(2027, 2, 23)


def test_moving_the_first_session_before_the_deadline_is_refused(client, app, planned):
    page = edit(client, planned, session_id(app, planned, 1), date(2026, 12, 1),
                presenters_of(app, planned, 1)).get_data(as_text=True)
    assert "Session 1 must be after the deadline for applications on Friday 4 December 2026" in page
    assert min(r.on for r in rows(app, planned)) == date(2026, 12, 8)


def test_a_session_held_in_the_past_keeps_its_date_when_only_presenters_change(client, app, clock, planned):
    clock.now = datetime(2027, 1, 20, 10, 0, tzinfo=timezone.utc)
    sid = session_id(app, planned, 1)
    before = presenters_of(app, planned, 1)
    others = sorted(set(presenters_of(app, planned, 2)) - set(before))
    assert edit(client, planned, sid, date(2026, 12, 8), before + others[:1]).status_code == 302
    assert presenters_of(app, planned, 1) == sorted(before + others[:1])


def test_moving_a_session_to_another_weekday_warns_then_saves_when_confirmed(client, app, planned):
    sid = session_id(app, planned, 3)
    presenters = presenters_of(app, planned, 3)
    page = edit(client, planned, sid, date(2027, 2, 10), presenters).get_data(as_text=True)
    assert "This set usually meets on Tuesdays, but Wednesday 10 February 2027 is a Wednesday" in page
    assert "Save anyway" in page
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 2, 9)
    assert edit(client, planned, sid, date(2027, 2, 10), presenters, confirmation(page)).status_code == 302
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 2, 10)
    # The same weekday as usual: no warning, saved at once.
    assert edit(client, planned, sid, date(2027, 2, 16), presenters).status_code == 302


