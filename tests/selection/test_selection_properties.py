"""Property tests on small random instances: hard rules always hold, "optimal" is earned."""
from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selection import Candidate, Rules, check_set, form_sets

SLOTS = ("A", "B")
SECTORS = ("public", "private", "voluntary")


@st.composite
def instances(draw, max_people: int = 14):
    n = draw(st.integers(0, max_people))
    people = []
    for i in range(n):
        people.append(Candidate(
            id=f"c{i}",
            organisation=f"Org {draw(st.integers(0, 6))}",
            sector=draw(st.sampled_from(SECTORS)),
            slots=frozenset(draw(st.sets(st.sampled_from(SLOTS), min_size=1))),
            priority=draw(st.integers(0, 2)),
            previous_set=draw(st.sampled_from([None, None, "old 1", "old 2"])),
        ))
    ids = [c.id for c in people]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]) \
        if len(ids) >= 2 else st.nothing()
    rules = Rules(
        min_size=draw(st.integers(3, 4)),
        max_size=draw(st.integers(4, 5)),
        sets=draw(st.sampled_from([None, None, 1, 2])),
        require_all_sectors=draw(st.booleans()),
        never_together=draw(st.lists(pairs, max_size=2)) if ids and len(ids) >= 2 else [],
        must_together=draw(st.lists(pairs, max_size=1)) if len(ids) >= 2 else [],
        pins={draw(st.sampled_from(ids)): "Set 1"} if ids and draw(st.booleans()) else {},
        solver=draw(st.sampled_from(["cbc", "highs"])),
        seed=draw(st.integers(0, 5)),
        time_limit=20,
    )
    return people, rules


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances())
def test_every_produced_set_keeps_every_hard_rule(inst):
    people, rules = inst
    r = form_sets(people, rules)
    by_id = {c.id: c for c in people}
    seen = [m for s in r.sets for m in s.members]
    assert len(seen) == len(set(seen))
    assert set(seen) | {u.id for u in r.unplaced} == set(by_id)
    assert all(u.reason for u in r.unplaced)
    for s in r.sets:
        assert check_set(s.members, s.slot, by_id, rules, name=s.name).broken == []
    if rules.sets is not None and r.status in ("optimal", "feasible"):
        assert len(r.sets) == rules.sets
    if r.status in ("optimal", "feasible"):
        for pid, name in rules.pins.items():
            assert any(pid in s.members and s.name == name for s in r.sets)
    if r.status == "infeasible":
        assert r.explanation and r.sets == []


def brute_force_most_placed(people, rules) -> int:
    """With fewer than 2*min_size people at most one set exists: try every subset."""
    best = 0
    by_id = {c.id: c for c in people}
    for k in range(rules.min_size, min(rules.max_size, len(people)) + 1):
        for group in combinations(people, k):
            ids = [c.id for c in group]
            for slot in SLOTS:
                if not check_set(ids, slot, by_id, rules, name="Set 1").broken:
                    best = max(best, k)
    return best


@FAST
@given(instances(max_people=9))
def test_optimal_means_as_many_placed_as_brute_force_finds(inst):
    people, rules = inst
    rules.min_size, rules.max_size = 5, 6  # 9 people: at most one set, so brute force is exact
    rules.pins, rules.must_together, rules.sets = {}, [], None
    r = form_sets(people, rules)
    placed = sum(len(s.members) for s in r.sets)
    best = brute_force_most_placed(people, rules)
    assert placed <= best
    if r.status == "optimal":
        assert placed == best
