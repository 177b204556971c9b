"""Planning a set's six sessions and its halfway training: pure date arithmetic, no Flask, no database.

The call for applications (§1.7, §1.9) asks for six sessions over about eight months, monthly or at
an interval the set agrees, training around the halfway mark, a review at the end of every session,
a formal review at the mid-point and a formal evaluation at the end. Everything here is a pure
function of its inputs so the same first date always gives the same plan.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

SESSIONS = 6
MAX_MONTHS = 8
WEEK = timedelta(days=7)
# Never look further than this for a free date: a year of blocked weeks means bad input, not a plan.
MAX_SHIFTS = 52

REVIEW_END = "Review at the end of the session"
REVIEW_MIDPOINT = "Formal mid-point review at the end of the session"
REVIEW_FINAL = "Formal evaluation at the end of the session"

# Times for the part of the day named in a slot label; anything else gets a late-morning default.
TIMES: dict[str, tuple[time, time]] = {
    "morning": (time(9, 30), time(12, 30)),
    "afternoon": (time(13, 30), time(16, 30)),
    "evening": (time(18, 0), time(20, 30)),
}
DEFAULT_TIMES = (time(10, 0), time(13, 0))
WEEKDAYS = list(calendar.day_name)  # Monday first, as date.weekday() counts


def uk_date(on: date) -> str:
    """'Tuesday 13 October 2026': GOV.UK style, no leading zero."""
    return f"{on:%A} {on.day} {on:%B %Y}"


@dataclass(frozen=True)
class WinterBreak:
    """A break that recurs every year, given as day and month (default 20 December to 3 January)."""

    start_day: int = 20
    start_month: int = 12
    end_day: int = 3
    end_month: int = 1

    def contains(self, on: date) -> bool:
        here = (on.month, on.day)
        start, end = (self.start_month, self.start_day), (self.end_month, self.end_day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end  # wraps over the new year

    def describe(self) -> str:
        return (f"{self.start_day} {calendar.month_name[self.start_month]} to "
                f"{self.end_day} {calendar.month_name[self.end_month]}")


@dataclass(frozen=True)
class Interval:
    """'monthly' keeps the weekday of the month (2nd Tuesday); 'weeks' repeats every N weeks."""

    kind: Literal["monthly", "weeks"] = "monthly"
    weeks: int = 4

    def describe(self) -> str:
        if self.kind == "monthly":
            return "monthly, on the same weekday of the month"
        return "every week" if self.weeks == 1 else f"every {self.weeks} weeks"


@dataclass(frozen=True)
class SlotTimes:
    venue: str
    starts_at: time
    ends_at: time
    weekday: int | None  # 0 = Monday, when the label names a day


def slot_times(slot_label: str) -> SlotTimes:
    """'Newcastle City Centre, Tuesday mornings' -> venue 'Newcastle City Centre', 09:30–12:30, Tuesday."""
    venue = slot_label.split(",", 1)[0].strip() or slot_label.strip()
    lower = slot_label.lower()
    starts_at, ends_at = next((times for word, times in TIMES.items() if word in lower), DEFAULT_TIMES)
    weekday = next((i for i, name in enumerate(WEEKDAYS) if name.lower() in lower), None)
    return SlotTimes(venue, starts_at, ends_at, weekday)


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> dict[date, str]:
    # The offline calendar shipped with the `holidays` package: never a web call.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def bank_holiday(on: date) -> str | None:
    """The name of the bank holiday in England on that date, if there is one."""
    return _bank_holidays(on.year).get(on)


def blocked_because(on: date, winter: WinterBreak | None) -> str | None:
    """Why nobody should meet on that date, in words, or None if the date is free."""
    name = bank_holiday(on)
    if name:
        return f"{uk_date(on)} is a bank holiday ({name})"
    if winter is not None and winter.contains(on):
        return f"{uk_date(on)} is in the winter break ({winter.describe()})"
    return None


def add_months(on: date, months: int) -> date:
    """The same day of the month, months later, clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = on.month - 1 + months
    year, month = on.year + index // 12, index % 12 + 1
    return date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def nth_weekday(year: int, month: int, weekday: int, n: int | None) -> date:
    """The nth weekday of a month (n from 1 to 4), or the last one when n is None."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, days[-1] if n is None else days[n - 1])


def week_of_month(on: date) -> int | None:
    """1–4 for the 1st–4th weekday of its kind; None for a 5th, which is 'the last' from then on,
    because most months have no 5th Tuesday."""
    n = (on.day - 1) // 7 + 1
    return None if n == 5 else n


def nominal_dates(first: date, interval: Interval, count: int = SESSIONS) -> list[date]:
    """The dates the interval alone gives, before holidays and breaks are taken into account."""
    if interval.kind == "weeks":
        return [first + WEEK * (interval.weeks * i) for i in range(count)]
    n = week_of_month(first)
    dates = [first]
    for i in range(1, count):
        month_start = add_months(first.replace(day=1), i)
        dates.append(nth_weekday(month_start.year, month_start.month, first.weekday(), n))
    return dates


@dataclass(frozen=True)
class Meeting:
    """One planned meeting: a session (1–6) or the halfway training (number 1)."""

    kind: Literal["session", "training"]
    number: int
    on: date
    starts_at: time
    ends_at: time
    venue: str
    review_point: str | None = None
    moved_from: date | None = None  # the date the interval gave, when a holiday or break moved it
    moved_because: str | None = None


@dataclass(frozen=True)
class Plan:
    sessions: tuple[Meeting, ...]
    training: Meeting | None
    problems: tuple[str, ...] = ()  # any problem means the plan cannot be saved
    notes: tuple[str, ...] = field(default=())  # worth knowing, but the plan can be saved

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Sessions and training in date order."""
        extra = (self.training,) if self.training else ()
        return tuple(sorted(self.sessions + extra, key=lambda m: (m.on, m.kind == "session")))


def next_free(on: date, after: date | None, winter: WinterBreak | None) -> tuple[date, str | None]:
    """The first date from `on`, a week at a time (same weekday), that is free and after `after`.
    Returns the date and the reason the original date could not be used, if it was moved."""
    reason = None
    candidate = on
    for _ in range(MAX_SHIFTS):
        blocked = blocked_because(candidate, winter)
        if blocked is None and (after is None or candidate > after):
            return candidate, reason
        if reason is None:
            reason = blocked or f"it must come after {uk_date(after)}"  # type: ignore[arg-type]
        candidate += WEEK
    raise ValueError(f"No free date within a year of {uk_date(on)}")


def review_point(number: int, midpoint_at: int, count: int = SESSIONS) -> str:
    if number == count:
        return REVIEW_FINAL
    if number == midpoint_at:
        return REVIEW_MIDPOINT
    return REVIEW_END


def place_training(before: date, after: date, winter: WinterBreak | None) -> date | None:
    """A date strictly between two sessions, as near the middle as possible: the sessions' weekday
    if one fits (members keep that day free), otherwise the working day nearest the middle."""
    middle = before + (after - before) / 2
    between = [before + timedelta(days=d) for d in range(1, (after - before).days)]
    free = [d for d in between if d.weekday() < 5 and blocked_because(d, winter) is None]
    same_day = [d for d in free if d.weekday() == before.weekday()]
    for pool in (same_day, free):
        if pool:
            # Nearest the middle; on a tie the earlier date, so the result never depends on order.
            return min(pool, key=lambda d: (abs((d - middle).days), d))
    return None


def months_between(first: date, last: date) -> bool:
    """True when last is no more than MAX_MONTHS calendar months after first."""
    return last <= add_months(first, MAX_MONTHS)


def earliest_first_date(today: date, deadline_day: date | None) -> date:
    """The first day a set's first session may be on: not in the past, and after the day
    applications close (people are still applying until then)."""
    if deadline_day is None:
        return today
    return max(today, deadline_day + timedelta(days=1))


def first_date_problem(first: date, today: date | None, deadline_day: date | None) -> str | None:
    """Why a first session on `first` is refused (in the past, or not after the deadline), or None."""
    if today is not None and first < today:
        return (f"The first session cannot be in the past: choose {uk_date(earliest_first_date(today, deadline_day))} "
                "or later")
    if deadline_day is not None and first <= deadline_day:
        return (f"The first session must be after the deadline for applications on {uk_date(deadline_day)}: "
                f"choose {uk_date(deadline_day + timedelta(days=1))} or later")
    return None


def plan_sessions(
    first: date,
    interval: Interval,
    slot_label: str,
    winter: WinterBreak | None = WinterBreak(),
    training_after: int | None = 3,
    midpoint_at: int = 3,
    count: int = SESSIONS,
    *,
    today: date | None = None,
    deadline_day: date | None = None,
) -> Plan:
    """Six sessions from the first date, moved off bank holidays and the winter break, plus the
    training between sessions `training_after` and `training_after + 1` (None: no training).
    With `today` and `deadline_day`, a first date in the past or not after the deadline is a problem."""
    slot = slot_times(slot_label)
    problems: list[str] = []
    notes: list[str] = []
    if interval.kind == "weeks" and not 1 <= interval.weeks <= 26:
        return Plan((), None, ("The number of weeks between sessions must be between 1 and 26",))
    too_early = first_date_problem(first, today, deadline_day)
    if too_early:
        problems.append(too_early)
    blocked_first = blocked_because(first, winter)
    if blocked_first:
        # The organiser chose this date: say so rather than quietly moving the first session.
        problems.append(f"The first session cannot be on that date: {blocked_first}")
    if slot.weekday is not None and first.weekday() != slot.weekday:
        notes.append(f"This set meets on {WEEKDAYS[slot.weekday]}s, but {uk_date(first)} is a "
                     f"{WEEKDAYS[first.weekday()]}")
    sessions: list[Meeting] = []
    previous: date | None = None
    for number, nominal in enumerate(nominal_dates(first, interval, count), start=1):
        try:
            on, reason = (nominal, None) if number == 1 else next_free(nominal, previous, winter)
        except ValueError:
            # Only a break covering (almost) the whole year does this: say so instead of failing.
            return Plan(tuple(sessions), None, (f"There is no free date for session {number}: "
                                                "check the winter break dates",))
        if reason:
            notes.append(f"Session {number} moved from {uk_date(nominal)} to {uk_date(on)}: {reason}")
        sessions.append(Meeting("session", number, on, slot.starts_at, slot.ends_at, slot.venue,
                                review_point(number, midpoint_at, count),
                                nominal if on != nominal else None, reason))
        previous = on
    last = sessions[-1].on
    if not months_between(first, last):
        problems.append(_too_long(first, last, interval, slot_label, winter, count))
    training = None
    if training_after is not None and 1 <= training_after < count:
        before, after = sessions[training_after - 1].on, sessions[training_after].on
        on_day = place_training(before, after, winter)
        if on_day is None:
            notes.append(f"There is no free working day between sessions {training_after} and "
                         f"{training_after + 1} for the training: add it by hand")
        else:
            training = Meeting("training", 1, on_day, slot.starts_at, slot.ends_at, slot.venue)
    return Plan(tuple(sessions), training, tuple(problems), tuple(notes))


def _too_long(first: date, last: date, interval: Interval, slot_label: str, winter: WinterBreak | None,
              count: int) -> str:
    """Plain English, with the longest shorter interval that would fit, so the fix is one click away."""
    message = (f"The six sessions do not fit in eight months: the last would be on {uk_date(last)}, "
               f"more than eight months after the first on {uk_date(first)}.")
    options: list[Interval] = []
    if interval.kind == "weeks":
        options = [Interval("monthly")] if interval.weeks > 4 else []
        options += [Interval("weeks", n) for n in range(interval.weeks - 1, 0, -1)]
    else:
        options = [Interval("weeks", n) for n in (4, 3, 2, 1)]
    for option in options:
        trial = plan_sessions(first, option, slot_label, winter, None, count=count)
        if trial.sessions and months_between(first, trial.sessions[-1].on):
            return f"{message} Choose a shorter interval, for example {option.describe()}."
    return f"{message} Choose a shorter interval or a different first date."


def move_check(dates: list[date], index: int, new: date, winter: WinterBreak | None, *, today: date | None = None,
               usual_weekday: int | None = None) -> tuple[str | None, list[str]]:
    """Check moving the session at `index` (0-based, in session order) to `new`.
    Returns (refusal, warnings): a date before `today` or out of order is refused; a holiday, the
    break, or a weekday other than the set's `usual_weekday` is a warning."""
    if today is not None and new < today:
        return (f"{uk_date(new)} is in the past: choose {uk_date(today)} or later", [])
    earlier, later = dates[index - 1] if index > 0 else None, dates[index + 1] if index + 1 < len(dates) else None
    if earlier is not None and new <= earlier:
        return (f"Session {index + 1} must come after session {index} on {uk_date(earlier)}", [])
    if later is not None and new >= later:
        return (f"Session {index + 1} must come before session {index + 2} on {uk_date(later)}", [])
    warnings = []
    blocked = blocked_because(new, winter)
    if blocked:
        warnings.append(blocked)
    if usual_weekday is not None and new.weekday() != usual_weekday:
        warnings.append(f"This set usually meets on {WEEKDAYS[usual_weekday]}s, but {uk_date(new)} is a "
                        f"{WEEKDAYS[new.weekday()]}")
    if dates and not months_between(dates[0] if index else new, dates[-1] if index + 1 < len(dates) else new):
        warnings.append("The sessions would then span more than eight months")
    return None, warnings
