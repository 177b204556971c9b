"""The presenter rota: everyone presents, every session has a presenter, spread evenly, no repeats too soon."""
from __future__ import annotations

from collections import Counter

import pytest

from app.schedule.rota import build_rota, presenters_per_session, rota_problems


def names(n: int) -> list[str]:
    return [f"Member {i:02d}" for i in range(1, n + 1)]


@pytest.mark.parametrize("size", [1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13])
def test_everyone_presents_and_every_session_has_a_presenter_evenly(size):
    members = names(size)
    rota = build_rota(members)
    assert len(rota) == 6
    assert rota_problems(rota, members) == ([], [])
    per_session = [len(presenters) for presenters in rota]
    assert max(per_session) - min(per_session) <= 1
    turns = Counter(p for presenters in rota for p in presenters)
    assert max(turns.values()) - min(turns.values()) <= 1
    assert all(len(set(presenters)) == len(presenters) for presenters in rota)


@pytest.mark.parametrize("size,expected", [
    (6, [1, 1, 1, 1, 1, 1]),
    (7, [1, 1, 1, 2, 1, 1]),
    (8, [1, 1, 2, 1, 2, 1]),
    (3, [1, 1, 1, 1, 1, 1]),
    (10, [1, 2, 2, 1, 2, 2]),
])
def test_presenters_per_session(size, expected):
    assert [len(p) for p in build_rota(names(size))] == expected
    assert presenters_per_session(size) == expected


def test_eight_members_two_sessions_with_two_presenters_four_with_one():
    counts = Counter(len(p) for p in build_rota(names(8)))
    assert counts == {1: 4, 2: 2}


def test_six_members_present_once_each():
    rota = build_rota(names(6))
    assert [p for presenters in rota for p in presenters] == names(6)


@pytest.mark.parametrize("size", [3, 4, 5])
def test_nobody_presents_twice_before_everyone_has_presented_once(size):
    order = [p for presenters in build_rota(names(size)) for p in presenters]
    assert order[:size] == names(size)
    assert Counter(order).most_common(1)[0][1] == 2  # with fewer than six, some present twice


def test_the_rota_is_the_same_every_time_and_follows_the_members_order():
    members = ["Zoë", "Aoife", "Kwame", "Priya", "Seán", "Uma", "Ben"]
    assert build_rota(members) == build_rota(list(members))
    assert build_rota(members)[0] == ["Zoë"]


def test_problems_name_empty_sessions_and_members_who_never_present():
    members = names(3)
    assert rota_problems([["Member 01"], [], ["Member 02"]], members) == ([2], ["Member 03"])
