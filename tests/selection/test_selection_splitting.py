"""Splitting one place/time into sets (decompose) and many at once (parallel).

What an organiser relies on: a recorded seed gives the same sets on a quiet machine and a busy
one; running the places/times in worker processes gives exactly the serial sets; a worker
that crashes costs only its own place/time and never shows a traceback; every set produced
keeps every hard rule.
"""
from __future__ import annotations

import os
import random
import time
from collections import Counter
from itertools import combinations

import pytest

import selection.decompose as decompose
import selection.parallel as parallel
from selection import Candidate, Rules, check_set
from selection.decompose import HARD, SlotSplitter, SplitOutcome, split_slot
from selection.parallel import split_slots
from selection.scorecard import org_key
from selection.units import Unit, build_units

SECTORS = ("public", "private", "voluntary")
REGIONS = ("Tyneside", "Wearside", "County Durham", "Northumberland")


def places(sets_per_place: list[int], seed: int, previous_share: float = 0.15) -> list[Candidate]:
    """Seven people per set at each place "Place 1", "Place 2", ...: every sector at least
    once per set, organisations of up to three, regions and previous sets at random."""
    rng = random.Random(seed)
    people: list[Candidate] = []
    for p, sets in enumerate(sets_per_place, start=1):
        sectors = [SECTORS[i % 3] for i in range(3 * sets)] + rng.choices(SECTORS, k=4 * sets)
        for i, sector in enumerate(sectors):
            people.append(Candidate(
                id=f"P{p}-{i:04d}", organisation=f"{sector} org {p}-{i // 3}", sector=sector,
                slots=frozenset({f"Place {p}"}), name=f"Person {p}-{i}",
                previous_set=f"2023 Set {rng.randint(1, 12)}" if rng.random() < previous_share else None,
                attributes={"region": rng.choice(REGIONS), "size": rng.choice(("small", "large"))}))
    return people


def slot_jobs(people: list[Candidate], rules: Rules) -> tuple[list[tuple[str, list[int], int]], list[Unit]]:
    """One job per place: its units and as many sets as it has sets of seven."""
    units, problems = build_units(people, rules)
    assert problems == []
    at: dict[str, list[int]] = {}
    for ui, unit in enumerate(units):
        if not unit.blocked:   # a must-together group that can never be placed
            at.setdefault(min(unit.slots), []).append(ui)
    return [(slot, uids, sum(units[ui].size for ui in uids) // 7) for slot, uids in sorted(at.items())], units


def members(groups: list[list[int]], units: list[Unit]) -> list[list[str]]:
    return [sorted(m for ui in g for m in units[ui].members) for g in groups]


def broken_rules(groups: list[list[int]], units: list[Unit], slot: str, by_id: dict[str, Candidate],
                 rules: Rules) -> list[str]:
    return [text for ids in members(groups, units) for text in check_set(ids, slot, by_id, rules).broken]


def recount(sp: SlotSplitter, group: list[int]) -> float:
    """The cost of one set, counted from scratch the way decompose always defined it."""
    r = sp.rules
    people = [sp.by_id[m] for ui in group for m in sp.units[ui].members]
    c = 0.0
    c += HARD * (max(0, r.min_size - len(people)) + max(0, len(people) - r.max_size))
    sectors = Counter(p.sector for p in people)
    if r.require_all_sectors:
        c += HARD * sum(1 for k in r.sectors if not sectors[k])
    if r.separate_organisations:
        c += HARD * sum(k - 1 for k in Counter(org_key(p.organisation) for p in people).values())
    pins = {sp.units[ui].pin for ui in group if sp.units[ui].pin is not None}
    c += HARD * max(0, len(pins) - 1)
    c += HARD * sum(1 for a, b in combinations(group, 2) if frozenset((a, b)) in sp.never)

    def dev(count: int, total: int) -> int:
        return max(0, count - -(-total // sp.n)) + max(0, total // sp.n - count)

    c += decompose.SECTOR * sum(dev(sectors[k], t) for k, t in sp.sector_total.items())
    for a, w in sp.weight.items():
        values = Counter(p.attributes.get(a, "") for p in people)
        c += decompose.ATTR * w * sum(dev(values[v], t) for v, t in sp.attr_total[a].items())
    if r.avoid_previous_pairs:
        previous = Counter(p.previous_set for p in people if p.previous_set)
        c += decompose.PREV * sum(k * (k - 1) // 2 for k in previous.values())
    return c


class SlowClock:
    """A machine so busy that a second passes between any two looks at the clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1.0
        return self.now


# ---- determinism ----------------------------------------------------------------------------

def test_same_seed_gives_the_same_sets_on_a_busy_machine(monkeypatch):
    people = places([40], seed=3)
    rules = Rules(balance={"region": 1.0, "size": 0.5}, seed=7)
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)
    quiet = split_slot(uids, units, n, by_id, rules, time.monotonic() + 600)

    clock = SlowClock()
    monkeypatch.setattr(decompose, "time", clock)
    busy = split_slot(uids, units, n, by_id, rules, deadline=10_000_000.0)

    assert quiet.status == busy.status == "ok"
    assert not quiet.cut_short and not busy.cut_short
    assert members(busy.groups, units) == members(quiet.groups, units)
    # the polish really worked (a clock-bounded one would have stopped after a second or two)
    sp = SlotSplitter(uids, units, n, by_id, rules, rules.seed)
    assert sum(map(sp.cost, busy.groups)) < sum(map(sp.cost, sp.deal())) / 10
    assert clock.now > 2


def test_the_seed_decides_the_sets():
    people = places([40], seed=3)
    by_id = {c.id: c for c in people}
    splits = []
    for seed in (1, 2):
        rules = Rules(balance={"region": 1.0}, seed=seed)
        [(slot, uids, n)], units = slot_jobs(people, rules)
        splits.append(members(split_slot(uids, units, n, by_id, rules, time.monotonic() + 600).groups, units))
    assert splits[0] != splits[1]


def test_a_deadline_that_stops_the_polish_is_reported_and_the_sets_stay_valid():
    people = places([30], seed=5)
    rules = Rules(balance={"region": 1.0})
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)

    out = split_slot(uids, units, n, by_id, rules, deadline=time.monotonic() - 1)

    assert out.status == "ok" and out.cut_short
    assert len(out.groups) == n
    assert broken_rules(out.groups, units, slot, by_id, rules) == []


def test_more_work_never_costs_more_than_less_work():
    people = places([30], seed=8)
    rules = Rules(balance={"region": 1.0, "size": 1.0})
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)
    totals = []
    for work in (0, 200, 2_000, 20_000):
        sp = SlotSplitter(uids, units, n, by_id, rules, rules.seed)
        groups = sp.improve(sp.deal(), time.monotonic() + 600, work=work)
        totals.append(sum(recount(sp, g) for g in groups))
        assert not sp.cut_short
    assert totals == sorted(totals, reverse=True) and totals[-1] < totals[0]


# ---- incremental scoring --------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(8))
def test_costs_kept_move_by_move_equal_a_full_recount(seed):
    """Random moves and swaps, scored from the counts of the two sets involved, must give the
    very cost a recount of the whole set gives, hard rules and soft goals alike."""
    rng = random.Random(seed)
    people = places([6], seed=seed, previous_share=0.5)
    # an organisation whose people gave different sectors, and a few people with no region
    people = [Candidate(c.id, "Shared Org" if i % 9 == 0 else c.organisation, c.sector, c.slots,
                        previous_set=c.previous_set, name=c.name,
                        attributes={} if i % 11 == 0 else c.attributes) for i, c in enumerate(people)]
    ids = [c.id for c in people]
    rules = Rules(balance={"region": 1.0, "size": 0.3}, seed=seed,
                  must_together=[(ids[1], ids[2]), (ids[4], ids[30])],
                  never_together=[(ids[5], ids[6]), (ids[7], ids[1]), (ids[8], ids[9])],
                  pins={ids[10]: "Set A", ids[11]: "Set B", ids[12]: "Set A"})
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)
    sp = SlotSplitter(uids, units, n, by_id, rules, seed)
    groups: list[list[int]] = [[] for _ in range(n)]
    for ui in uids:
        groups[rng.randrange(n)].append(ui)
    tallies = [sp.tally(g) for g in groups]
    where = {ui: t for t in tallies for ui in t.members}
    for _ in range(400):
        ui = rng.choice(uids)
        ti, tj = where[ui], rng.choice(tallies)
        if tj is ti:
            continue
        v = rng.choice(tj.members) if tj.members and rng.random() < 0.6 else None
        after_i, after_j = sp._after(ti, where, ui, v), sp._after(tj, where, v, ui)
        new_i = [x for x in ti.members if x != ui] + ([v] if v is not None else [])
        new_j = [x for x in tj.members if x != v] + [ui]
        assert sp.compose(after_i) == recount(sp, new_i)
        assert sp.compose(after_j) == recount(sp, new_j)
        sp._apply(ti, ui, v, after_i)
        sp._apply(tj, v, ui, after_j)
        where[ui] = tj
        if v is not None:
            where[v] = ti
        for t in (ti, tj):
            assert t.cost == recount(sp, t.members) == sp.cost(t.members)
            assert t.parts == sp.tally(t.members).parts
    assert any(t.cost >= HARD for t in tallies)   # the hard rules were exercised too


# ---- hard rules -----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_every_set_from_a_split_keeps_every_hard_rule(seed):
    rng = random.Random(seed)
    people = places([rng.randint(2, 6)], seed=seed)
    ids = [c.id for c in people]
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 4))]
    rules = Rules(balance={"region": 1.0} if seed % 2 else {}, seed=seed,
                  never_together=pairs[: len(pairs) // 2 + 1] if pairs else [],
                  must_together=pairs[len(pairs) // 2 + 1:],
                  pins={ids[0]: "Set 1"} if seed % 3 == 0 else {},
                  separate_organisations=seed % 4 != 1)
    if build_units(people, rules)[1]:
        pytest.skip("these random pairs contradict each other")
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)

    out = split_slot(uids, units, n, by_id, rules, time.monotonic() + 60)

    assert out.status in ("ok", "impossible")
    if out.status == "ok":
        assert len(out.groups) == n
        assert sorted(ui for g in out.groups for ui in g) == sorted(uids)
        assert broken_rules(out.groups, units, slot, by_id, rules) == []


def test_sets_given_by_the_full_model_are_only_polished():
    people = places([8], seed=2)
    rules = Rules(balance={"region": 1.0})
    by_id = {c.id: c for c in people}
    [(slot, uids, n)], units = slot_jobs(people, rules)
    valid = SlotSplitter(uids, units, n, by_id, rules, 0).deal()

    out = split_slot(uids, units, n, by_id, rules, time.monotonic() + 60, given=valid)

    sp = SlotSplitter(uids, units, n, by_id, rules, 0)
    assert out.status == "ok" and len(out.groups) == n
    assert broken_rules(out.groups, units, slot, by_id, rules) == []
    assert sum(map(sp.cost, out.groups)) < sum(map(sp.cost, valid))


# ---- many places/times at once --------------------------------------------------------------

def many_places() -> tuple[list[tuple[str, list[int], int]], list[Unit], dict[str, Candidate], Rules]:
    people = places([30, 45, 20, 36], seed=11)
    ids = [c.id for c in people]
    rules = Rules(balance={"region": 1.0, "size": 0.5}, seed=4, never_together=[(ids[0], ids[3]), (ids[40], ids[41])])
    jobs, units = slot_jobs(people, rules)
    return jobs, units, {c.id: c for c in people}, rules


def test_worker_processes_give_exactly_the_serial_sets():
    if not parallel.can_fork():
        pytest.skip("no worker processes on this platform")
    jobs, units, by_id, rules = many_places()
    deadline = time.monotonic() + 600
    serial = split_slots(jobs, units, by_id, rules, deadline, workers=1)
    side_by_side = split_slots(jobs, units, by_id, rules, deadline, workers=2)

    assert list(side_by_side) == [slot for slot, _, _ in jobs]
    assert side_by_side == serial
    for slot, outcome in serial.items():
        assert outcome.status == "ok" and not outcome.cut_short
        assert broken_rules(outcome.groups, units, slot, by_id, rules) == []


def crash_at(slot: str, how):
    """split_slot, except that `how()` runs first at `slot` (everyone here has one place)."""
    real = parallel.split_slot

    def split(uids, units, n, by_id, rules, deadline, given=None):
        if slot in by_id[units[uids[0]].members[0]].slots:
            how()
        return real(uids, units, n, by_id, rules, deadline, given)
    return split


def test_a_crashed_worker_costs_only_its_own_place(monkeypatch):
    if not parallel.can_fork():
        pytest.skip("no worker processes on this platform")
    jobs, units, by_id, rules = many_places()
    deadline = time.monotonic() + 600
    serial = split_slots(jobs, units, by_id, rules, deadline, workers=1)
    monkeypatch.setattr(parallel, "split_slot", crash_at("Place 2", lambda: os._exit(139)))

    out = split_slots(jobs, units, by_id, rules, deadline, workers=2)

    assert out["Place 2"].status == "unknown" and out["Place 2"].groups == []
    assert "stopped unexpectedly" in (out["Place 2"].error or "")
    assert {slot: o for slot, o in out.items() if slot != "Place 2"} == \
        {slot: o for slot, o in serial.items() if slot != "Place 2"}


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_in_one_split_comes_back_as_unknown_not_a_traceback(monkeypatch, workers):
    def fail() -> None:
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(parallel, "split_slot", crash_at("Place 3", fail))
    jobs, units, by_id, rules = many_places()

    out = split_slots(jobs, units, by_id, rules, time.monotonic() + 600, workers=workers)

    assert out["Place 3"] == SplitOutcome([], "unknown", error="ZeroDivisionError: division by zero")
    assert all(o.status == "ok" for slot, o in out.items() if slot != "Place 3")


def test_a_worker_still_running_after_the_time_limit_is_stopped(monkeypatch):
    if not parallel.can_fork():
        pytest.skip("no worker processes on this platform")
    monkeypatch.setattr(parallel, "GRACE_SECONDS", 0.0)
    monkeypatch.setattr(parallel, "split_slot", crash_at("Place 1", lambda: time.sleep(60)))
    jobs, units, by_id, rules = many_places()
    started = time.monotonic()

    out = split_slots(jobs, units, by_id, rules, started + 1.0, workers=2)

    assert time.monotonic() - started < 30
    assert out["Place 1"].status == "unknown" and out["Place 1"].cut_short
    assert set(out) == {slot for slot, _, _ in jobs}


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_the_exact_split_runs_in_worker_processes_with_either_solver(monkeypatch, solver):
    """With no repair work allowed, a dealt split that breaks a never-together pair is left to
    the exact per-place model, which a worker must be able to run (HiGHS in a process of its own)."""
    if not parallel.can_fork():
        pytest.skip("no worker processes on this platform")
    monkeypatch.setattr(decompose, "MIN_WORK", 0)
    monkeypatch.setattr(decompose, "WORK_PER_PERSON", 0)
    people = places([6, 5], seed=1)
    rules = Rules(solver=solver)
    jobs, units = slot_jobs(people, rules)
    by_id = {c.id: c for c in people}
    # never-together pairs inside the first dealt set at each place
    pairs = []
    for _, uids, n in jobs:
        first = SlotSplitter(uids, units, n, by_id, rules, 0).deal()[0]
        pairs.append((units[first[0]].members[0], units[first[1]].members[0]))
    rules = Rules(solver=solver, never_together=pairs)

    out = split_slots(jobs, units, by_id, rules, time.monotonic() + 120, workers=2)

    for slot, _, n in jobs:
        assert out[slot].status == "ok", out[slot]
        assert len(out[slot].groups) == n
        assert broken_rules(out[slot].groups, units, slot, by_id, rules) == []
    assert out == split_slots(jobs, units, by_id, rules, time.monotonic() + 120, workers=1)
