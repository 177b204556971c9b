"""Planning six sessions: intervals, bank holidays, the winter break, eight months, training, reviews."""
from __future__ import annotations

from datetime import date, time, timedelta
from itertools import pairwise

import pytest

from app.schedule.planner import (
    REVIEW_END,
    REVIEW_FINAL,
    REVIEW_MIDPOINT,
    Interval,
    WinterBreak,
    add_months,
    bank_holiday,
    move_check,
    plan_sessions,
    slot_times,
    uk_date,
)

TUESDAY_MORNINGS = "Newcastle City Centre, Tuesday mornings"
MONTHLY = Interval("monthly")


def dates(plan) -> list[date]:
    return [s.on for s in plan.sessions]


DEFAULT_WINTER = WinterBreak()


def in_break(on: date, winter: WinterBreak = DEFAULT_WINTER) -> bool:
    return winter.contains(on)


def test_monthly_keeps_the_weekday_of_the_month_over_six_sessions():
    plan = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS)  # the 2nd Tuesday
    assert plan.ok
    assert dates(plan) == [date(2026, 10, 13), date(2026, 11, 10), date(2026, 12, 8),
                           date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    assert all(d.weekday() == 1 and 8 <= d.day <= 14 for d in dates(plan))
    assert [s.number for s in plan.sessions] == [1, 2, 3, 4, 5, 6]


def test_times_and_venue_come_from_the_place_and_time():
    plan = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS)
    assert {(s.starts_at, s.ends_at, s.venue) for s in plan.sessions} == {
        (time(9, 30), time(12, 30), "Newcastle City Centre")}
    def parts(label: str) -> tuple:
        slot = slot_times(label)
        return slot.venue, slot.starts_at, slot.ends_at, slot.weekday

    assert parts("Durham, Thursday afternoons") == ("Durham", time(13, 30), time(16, 30), 3)
    assert parts("Sunderland, Monday evenings") == ("Sunderland", time(18, 0), time(20, 30), 0)
    assert parts("Online, by arrangement") == ("Online", time(10, 0), time(13, 0), None)
    assert parts("Hexham")[0] == "Hexham"


def test_a_session_that_would_fall_on_christmas_day_moves_a_week_on_past_new_year():
    # 25 September 2026 is the 4th Friday, and so is Christmas Day 2026; 1 January 2027 is a bank holiday too.
    plan = plan_sessions(date(2026, 9, 25), MONTHLY, "Gateshead, Friday mornings", winter=None)
    assert plan.ok
    assert date(2026, 12, 25) not in dates(plan)
    assert dates(plan)[3] == date(2027, 1, 8)
    assert not [d for d in dates(plan) if bank_holiday(d)]
    assert any("Christmas Day" in note and "Session 4" in note for note in plan.notes)


def test_bank_holidays_in_england_are_skipped_including_the_early_may_bank_holiday():
    # Every 4 weeks on Mondays from 9 March 2026 lands on Easter Monday (6 April) and 4 May 2026.
    assert bank_holiday(date(2026, 5, 4))
    plan = plan_sessions(date(2026, 3, 9), Interval("weeks", 4), "Durham, Monday mornings")
    assert plan.ok
    assert dates(plan) == [date(2026, 3, 9), date(2026, 4, 13), date(2026, 5, 11),
                           date(2026, 6, 1), date(2026, 6, 29), date(2026, 7, 27)]
    assert not [d for d in dates(plan) if bank_holiday(d)]


def test_the_winter_break_is_skipped_and_the_order_kept():
    # The 4th Tuesday of December 2026 is the 22nd; the 29th is still in the break.
    plan = plan_sessions(date(2026, 9, 22), MONTHLY, TUESDAY_MORNINGS)
    assert dates(plan)[3] == date(2027, 1, 5)
    assert not [d for d in dates(plan) if in_break(d)]
    assert dates(plan) == sorted(set(dates(plan)))


def test_the_winter_break_can_be_changed():
    winter = WinterBreak(15, 12, 10, 1)
    plan = plan_sessions(date(2026, 9, 22), MONTHLY, TUESDAY_MORNINGS, winter=winter)
    assert dates(plan)[3] == date(2027, 1, 12)
    assert not [d for d in dates(plan) if winter.contains(d)]
    # With no break at all only the bank holidays count: 22 December stays.
    assert dates(plan_sessions(date(2026, 9, 22), MONTHLY, TUESDAY_MORNINGS, winter=None))[3] == date(2026, 12, 22)


def test_every_n_weeks():
    plan = plan_sessions(date(2026, 9, 9), Interval("weeks", 2), "Durham, Wednesday mornings")
    assert plan.ok
    assert [(b - a).days for a, b in pairwise(dates(plan))] == [14] * 5
    assert dates(plan)[-1] == date(2026, 11, 18)


def test_a_fifth_weekday_means_the_last_one_in_later_months():
    # 30 April 2026 is the 5th Thursday; most months have no 5th Thursday.
    plan = plan_sessions(date(2026, 4, 30), MONTHLY, "Sunderland, Thursday mornings")
    assert dates(plan) == [date(2026, 4, 30), date(2026, 5, 28), date(2026, 6, 25),
                           date(2026, 7, 30), date(2026, 8, 27), date(2026, 9, 24)]
    assert all((d + timedelta(days=7)).month != d.month for d in dates(plan))


def test_sessions_that_do_not_fit_in_eight_months_are_refused_with_a_shorter_interval_suggested():
    plan = plan_sessions(date(2026, 10, 13), Interval("weeks", 8), TUESDAY_MORNINGS)
    assert not plan.ok
    [problem] = plan.problems
    assert "do not fit in eight months" in problem
    assert uk_date(plan.sessions[-1].on) in problem  # says when the last one would be
    assert "Choose a shorter interval, for example monthly" in problem
    shorter = plan_sessions(date(2026, 10, 13), Interval("weeks", 6), TUESDAY_MORNINGS)
    assert shorter.ok and shorter.sessions[-1].on <= add_months(date(2026, 10, 13), 8)


def test_a_first_date_on_a_bank_holiday_is_refused():
    plan = plan_sessions(date(2026, 5, 4), MONTHLY, "Durham, Monday mornings")
    assert not plan.ok
    assert "bank holiday" in plan.problems[0]


def test_a_first_date_on_another_weekday_than_the_sets_is_pointed_out():
    plan = plan_sessions(date(2026, 10, 14), MONTHLY, TUESDAY_MORNINGS)
    assert plan.ok
    assert any("meets on Tuesdays" in note and "Wednesday" in note for note in plan.notes)


def test_training_is_strictly_between_sessions_3_and_4_on_the_sets_weekday():
    plan = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS)
    third, fourth = plan.sessions[2].on, plan.sessions[3].on
    assert plan.training is not None
    assert third < plan.training.on < fourth
    assert plan.training.on.weekday() == third.weekday()
    assert not in_break(plan.training.on) and not bank_holiday(plan.training.on)
    assert plan.training.on == date(2026, 12, 15)  # nearest the middle, outside the break
    assert [m.kind for m in plan.meetings] == ["session"] * 3 + ["training"] + ["session"] * 3


def test_training_can_go_elsewhere_or_be_left_out():
    elsewhere = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS, training_after=2)
    assert elsewhere.sessions[1].on < elsewhere.training.on < elsewhere.sessions[2].on
    assert plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS, training_after=None).training is None


def test_reviews_every_session_formal_midpoint_at_3_and_evaluation_at_the_end():
    plan = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS)
    assert [s.review_point for s in plan.sessions] == [
        REVIEW_END, REVIEW_END, REVIEW_MIDPOINT, REVIEW_END, REVIEW_END, REVIEW_FINAL]
    moved = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS, midpoint_at=4)
    assert moved.sessions[3].review_point == REVIEW_MIDPOINT and moved.sessions[2].review_point == REVIEW_END


@pytest.mark.parametrize("interval", [MONTHLY, Interval("weeks", 1), Interval("weeks", 2), Interval("weeks", 4),
                                      Interval("weeks", 6)])
def test_any_first_date_gives_six_free_ordered_sessions_with_training_between_3_and_4(interval):
    """Every weekday start over two years: the rules hold whatever the calendar does."""
    winter = WinterBreak()
    start = date(2026, 1, 5)
    for offset in range(0, 730, 3):
        first = start + timedelta(days=offset)
        if first.weekday() > 4 or bank_holiday(first) or winter.contains(first):
            continue
        plan = plan_sessions(first, interval, TUESDAY_MORNINGS)
        on = dates(plan)
        assert len(on) == 6
        assert on == sorted(set(on)), first
        assert all(d.weekday() == first.weekday() for d in on), first
        assert not [d for d in on[1:] if bank_holiday(d) or winter.contains(d)], first
        assert plan.ok == (on[-1] <= add_months(first, 8)), first
        assert plan.training is not None and on[2] < plan.training.on < on[3], first
        assert not bank_holiday(plan.training.on) and not winter.contains(plan.training.on), first


def test_moving_a_session_is_refused_out_of_order_and_warned_on_a_holiday():
    on = dates(plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS))
    refusal, _ = move_check(on, 2, date(2026, 11, 3), WinterBreak())
    assert refusal == "Session 3 must come after session 2 on Tuesday 10 November 2026"
    refusal, _ = move_check(on, 2, on[3], WinterBreak())
    assert refusal and "must come before session 4" in refusal
    refusal, warnings = move_check(on, 2, date(2026, 12, 25), WinterBreak())
    assert refusal is None and "bank holiday (Christmas Day)" in warnings[0]
    refusal, warnings = move_check(on, 3, date(2027, 1, 2), WinterBreak())
    assert refusal is None and "winter break" in warnings[0]
    assert move_check(on, 3, date(2027, 1, 19), WinterBreak()) == (None, [])


def test_dates_read_the_gov_uk_way():
    assert uk_date(date(2026, 10, 13)) == "Tuesday 13 October 2026"
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_a_break_covering_the_whole_year_is_explained_not_a_crash():
    plan = plan_sessions(date(2026, 10, 13), MONTHLY, TUESDAY_MORNINGS, winter=WinterBreak(14, 10, 12, 10))
    assert not plan.ok and "check the winter break dates" in plan.problems[0]
