"""The presenter rota: who presents their issue at each session (call §1.5b: at least one a meeting).

Pure and deterministic: the same members in the same order always give the same rota, so a
re-plan or a test can rely on it.
"""
from __future__ import annotations

from collections import Counter
from typing import Hashable, Sequence, TypeVar

from app.schedule.planner import SESSIONS

K = TypeVar("K", bound=Hashable)


def presenters_per_session(members: int, sessions: int = SESSIONS) -> list[int]:
    """How many present at each session: everyone at least once, every session at least one, and
    the counts differ by at most one. The extra places go to later sessions, spread out, because
    the first session is mostly co-production (ground rules and topics, call §1.5a)."""
    if sessions <= 0:
        return []
    total = max(members, sessions) if members else 0
    base, extra = divmod(total, sessions)
    counts = [base] * sessions
    if extra:
        # Spread the extra places evenly over sessions 2..n (a remainder is always fewer than the
        # sessions, so they fit), so meetings with an extra presenter are not bunched together.
        pool = list(range(1, sessions)) or [0]
        step = len(pool) / extra
        for i in range(extra):
            counts[pool[int(i * step + step / 2)]] += 1
    return counts


def build_rota(members: Sequence[K], sessions: int = SESSIONS) -> list[list[K]]:
    """Presenters for each session, in the members' order, round robin: nobody presents twice
    before everyone has presented once, and nobody twice in one session."""
    people = list(dict.fromkeys(members))  # drop duplicates, keep order
    rota: list[list[K]] = []
    turn = 0
    for count in presenters_per_session(len(people), sessions):
        chosen: list[K] = []
        while len(chosen) < min(count, len(people)):
            person = people[turn % len(people)]
            turn += 1
            if person not in chosen:
                chosen.append(person)
        rota.append(chosen)
    return rota


def rota_problems(rota: Sequence[Sequence[K]], members: Sequence[K]) -> tuple[list[int], list[K]]:
    """Sessions (1-based) with no presenter, and members who never present."""
    empty = [number for number, presenters in enumerate(rota, start=1) if not presenters]
    presented = Counter(person for presenters in rota for person in presenters)
    never = [person for person in members if not presented[person]]
    return empty, never
