"""Concrete instances that once broke form_sets (found by the property tests), one per root cause."""
from __future__ import annotations

import time

import pulp
import pytest

import selection.solver as solver_module
from selection import Candidate, Rules, check_set, form_sets


def C(i: int, org: int, sector: str, slots: str = "A", priority: int = 0, previous: str | None = None) -> Candidate:
    return Candidate(id=f"c{i}", organisation=f"Org {org}", sector=sector, slots=frozenset(slots),
                     priority=priority, previous_set=previous)


def assert_valid(people: list[Candidate], rules: Rules, r) -> None:
    by_id = {c.id: c for c in people}
    seen = [m for s in r.sets for m in s.members]
    assert len(seen) == len(set(seen))
    assert set(seen) | {u.id for u in r.unplaced} == set(by_id)
    assert all(u.reason for u in r.unplaced)
    for s in r.sets:
        assert check_set(s.members, s.slot, by_id, rules, name=s.name).broken == []
    if r.status in ("optimal", "feasible"):
        if rules.sets is not None:
            assert len(r.sets) == rules.sets
        for pid, name in rules.pins.items():
            assert any(pid in s.members and s.name == name for s in r.sets)
    if r.status == "infeasible":
        assert r.explanation and r.sets == []


# Organisation 0 gave both the voluntary (c5) and the private (c10) people the second set would
# need, and never-together (c2, c8) rules out the other mix: the slot model's counting conditions
# allow 2 sets of 3, but only one valid set exists. The per-slot fallback used to leave a set
# empty, and the polish step then indexed n groups: IndexError (hypothesis seed 105).
SEED_105 = [C(0, 0, "public"), C(1, 0, "public"), C(2, 2, "voluntary"), C(3, 2, "public"),
            C(4, 1, "private"), C(5, 0, "voluntary"), C(6, 0, "public"), C(7, 0, "public"),
            C(8, 1, "public"), C(9, 0, "public"), C(10, 0, "private")]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_slot_plan_that_cannot_be_dealt_into_sets_is_replanned(solver):
    rules = Rules(min_size=3, max_size=4, never_together=[("c2", "c8")], solver=solver, time_limit=20)
    r = form_sets(SEED_105, rules)
    assert_valid(SEED_105, rules, r)
    # one set of 3 is the true optimum (a 4th member would repeat an organisation), and it is proven
    assert r.status == "optimal"
    assert [len(s.members) for s in r.sets] == [3]
    assert r.seconds < 5


def test_exact_set_count_that_only_the_counting_conditions_allow_is_infeasible():
    rules = Rules(min_size=3, max_size=4, sets=2, never_together=[("c2", "c8")], time_limit=20)
    r = form_sets(SEED_105, rules)
    assert_valid(SEED_105, rules, r)
    assert r.status == "infeasible" and r.sets == []
    assert any("cannot be dealt into sets" in line for line in r.explanation)


# c0 is pinned to Set 1 but may not be with c5, the only voluntary person outside c0's own
# organisation: no set with c0 can include every sector. The splitter's fallback used to drop
# everyone and report "feasible" with the pin broken (hypothesis seed 129).
SEED_129 = [C(0, 0, "public"), C(1, 0, "public"), C(2, 0, "public"), C(3, 2, "public"),
            C(4, 0, "public"), C(5, 2, "voluntary"), C(6, 0, "public"), C(7, 0, "public"),
            C(8, 0, "public"), C(9, 1, "private"), C(10, 1, "private"), C(11, 0, "voluntary"),
            C(12, 0, "public"), C(13, 0, "public")]


def test_pin_that_no_valid_set_can_hold_is_reported_infeasible_not_dropped():
    rules = Rules(min_size=3, max_size=4, pins={"c0": "Set 1"}, never_together=[("c0", "c5")], time_limit=20)
    r = form_sets(SEED_129, rules)
    assert_valid(SEED_129, rules, r)
    assert r.status == "infeasible"
    assert r.explanation and all(u.reason for u in r.unplaced)


# Many slot plans pass the counting conditions but cannot be dealt into sets (pins,
# never-together and a must-together pair across organisations). Cutting them off one at a time
# took 110 rounds (10 s with HiGHS); the exact full model now decides after a few rounds.
MANY_PLANS = [C(0, 3, "public", "AB", 1), C(1, 2, "private", "B", 2, "old 1"),
              C(2, 2, "public", "AB", 0, "old 2"), C(3, 2, "private", "B", 1), C(4, 5, "public", "B", 2),
              C(5, 1, "private", "AB", 0), C(6, 1, "private", "AB", 2, "old 2"),
              C(7, 0, "private", "A", 1, "old 2"), C(8, 1, "public", "AB", 1), C(9, 1, "private", "B", 2, "old 2"),
              C(10, 6, "private", "A", 1), C(11, 0, "voluntary", "AB", 0), C(12, 1, "private", "AB", 2),
              C(13, 5, "voluntary", "B", 1)]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_many_impossible_slot_plans_are_settled_quickly_and_exactly(solver):
    rules = Rules(min_size=3, max_size=5, pins={"c2": "Set 1"}, never_together=[("c11", "c12"), ("c2", "c5")],
                  must_together=[("c13", "c11")], seed=4, solver=solver, time_limit=20)
    start = time.monotonic()
    r = form_sets(MANY_PLANS, rules)
    assert time.monotonic() - start < 5
    assert_valid(MANY_PLANS, rules, r)
    assert r.status == "optimal"
    assert r.placed == 5


# Tiny model solved over and over (several slot plans cut off). With `threads 1` the bundled
# CBC 2.10 intermittently stalled 10 s per solve ("Thread 0 ... waiting to start 10.0"),
# eating the time limit: minutes for one hypothesis run.
STALL = [C(0, 6, "voluntary", "AB", 0, "old 2"), C(1, 1, "private", "A"), C(2, 0, "voluntary", "A", 0, "old 2"),
         C(3, 6, "public", "AB", 2, "old 1"), C(4, 2, "private", "B"), C(5, 2, "voluntary", "AB", 1),
         C(6, 6, "public", "AB", 1), C(7, 4, "private", "AB", 2, "old 1"), C(8, 2, "public", "AB", 2),
         C(9, 6, "private", "AB", 2, "old 2"), C(10, 1, "private", "AB", 0, "old 2"), C(11, 5, "voluntary", "AB"),
         C(12, 2, "private", "AB", 1, "old 1"), C(13, 2, "public", "A", 1, "old 2")]


def test_cbc_is_run_without_a_threads_option(monkeypatch):
    seen: list[dict] = []
    real = pulp.PULP_CBC_CMD

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(solver_module.pulp, "PULP_CBC_CMD", spy)
    rules = Rules(min_size=3, max_size=4, pins={"c4": "Set 1"}, never_together=[("c5", "c3"), ("c1", "c2")],
                  must_together=[("c2", "c3")], seed=1, time_limit=20)
    r = form_sets(STALL, rules)
    assert seen and all(not kw.get("threads") for kw in seen)
    assert_valid(STALL, rules, r)
    assert r.status == "optimal" and r.placed == 11


def test_repeated_small_solves_stay_fast():
    rules = Rules(min_size=3, max_size=4, pins={"c4": "Set 1"}, never_together=[("c5", "c3"), ("c1", "c2")],
                  must_together=[("c2", "c3")], seed=1, time_limit=20)
    for _ in range(4):
        start = time.monotonic()
        r = form_sets(STALL, rules)
        assert time.monotonic() - start < 5
        assert r.status == "optimal"
