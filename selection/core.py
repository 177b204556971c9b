"""form_sets: the one entry point. Slot model -> split into sets -> guard -> explain."""
from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence

from .diagnose import diagnose
from .explain import Explainer, explain_result
from .advice import count, longer_time_limit, more_time, number, other_solver
from .master import FullModel, OutOfTime, SlotModel, solve_master
from .parallel import split_slots
from .scorecard import check_set
from .types import Candidate, FormedSet, Rules, SelectionResult, Unplaced
from .units import Unit, build_units, offered_slots


#: plans the slot model may have cut off (see master.SlotModel.add_cut) before the full model decides
MAX_CUTS = 4


def draw_lottery(candidates: Sequence[Candidate], seed: int) -> dict[str, int]:
    """Lottery numbers 1..N (1 = luckiest), drawn over ids sorted by id so that the order in
    which applications arrived can never matter; the same seed gives the same draw."""
    ids = sorted(c.id for c in candidates)
    numbers = list(range(1, len(ids) + 1))
    random.Random(seed).shuffle(numbers)
    return dict(zip(ids, numbers, strict=True))


def _validate(rules: Rules) -> None:
    if rules.min_size < 1 or rules.max_size < rules.min_size:
        raise ValueError(f"set sizes {rules.min_size}..{rules.max_size} are not a valid range")
    if rules.sets is not None and rules.sets < 0:
        raise ValueError("the number of sets cannot be negative")
    if rules.solver not in ("cbc", "highs"):
        raise ValueError(f"unknown solver {rules.solver!r} (use 'cbc' or 'highs')")


def form_sets(candidates: Sequence[Candidate], rules: Rules | None = None, *,
              started: float | None = None) -> SelectionResult:
    """Form balanced sets from `candidates` under `rules`; never returns a set that breaks a hard rule.

    The time limit covers the whole call; `started` (a `time.monotonic()` reading) lets a caller
    count its own work before the call, such as reading the input file, against the same limit.
    A solver that crashes or overruns never reaches the caller: the status is then one of
    "feasible" / "timed_out" and the explanation says what happened."""
    rules = rules or Rules()
    _validate(rules)
    start = time.monotonic() if started is None else started
    deadline = start + rules.time_limit
    by_id = {c.id: c for c in candidates}
    lottery = draw_lottery(candidates, rules.seed)
    result = SelectionResult(status="infeasible", gap=None, seconds=0.0, seed=rules.seed,
                             solver=rules.solver, lottery=lottery)
    if time.monotonic() >= deadline:
        # the caller's own work (start-up, reading the file) used the whole limit
        _out_of_time(result, candidates, rules)
        return _finish(result, start)
    units, problems = build_units(candidates, rules)
    slots = offered_slots(candidates, rules)
    if problems:
        result.explanation = ["No sets were formed because the rules contradict each other:"] + problems
        _nobody(result, candidates, "no sets were formed: the rules contradict each other (see the explanation)")
        return _finish(result, start)
    try:
        _solve(result, candidates, units, slots, by_id, lottery, rules, start, deadline)
    except OutOfTime:
        _out_of_time(result, candidates, rules)
    except Exception as error:  # noqa: BLE001 - whatever fails, the organiser gets words, not a traceback
        result.sets, result.status, result.gap = [], "timed_out", None
        result.explanation = [
            f"The optimiser stopped with an internal error ({type(error).__name__}: {error}); no sets were "
            f"formed and nothing is proven either way. Run it again; if it fails again, "
            f"{other_solver('highs' if rules.solver == 'cbc' else 'cbc')}."]
        _nobody(result, candidates, "no sets were formed: the optimiser stopped with an error (see the explanation)")
    return _finish(result, start)


def _out_of_time(result: SelectionResult, candidates: Sequence[Candidate], rules: Rules) -> None:
    result.sets, result.status, result.gap = [], "timed_out", None
    result.explanation = [
        f"The time limit of {number(rules.time_limit)} s ran out while the model for "
        f"{count(len(candidates), 'applicant')} was still being built, before any solving; this proves "
        f"nothing either way. To form sets, {more_time(longer_time_limit(rules.time_limit))}."]
    _nobody(result, candidates, f"no sets were formed: the time limit of {number(rules.time_limit)} s ran out")


def _finish(result: SelectionResult, start: float) -> SelectionResult:
    result.seconds = time.monotonic() - start
    return result


def _nobody(result: SelectionResult, candidates: Sequence[Candidate], reason: str) -> None:
    result.unplaced = [Unplaced(c.id, reason) for c in sorted(candidates, key=lambda c: c.id)]


def _reserve(people: int, time_limit: float) -> float:
    """Seconds kept back from the solver for splitting places into sets, reasons and writing:
    they grow with the people; never more than a third of the limit."""
    return min(time_limit / 3, 0.05 + 40e-6 * people)


def _solve(result: SelectionResult, candidates: Sequence[Candidate], units: list[Unit], slots: tuple[str, ...],
           by_id: dict[str, Candidate], lottery: dict[str, int], rules: Rules, start: float,
           deadline: float) -> None:
    solve_by = deadline - _reserve(len(candidates), rules.time_limit)
    # Solve the slot model, then deal each slot's people into its sets. The slot model is a
    # relaxation (see master.py): when the splitter proves a slot's plan cannot be dealt into
    # valid sets, that plan is cut off and the slot model is solved again, a few rounds at most;
    # after that the exact (but symmetric) full model decides.
    cuts: list[tuple[str, frozenset[int], int]] = []
    full = False
    failures: list[str] = []
    cut_short = False
    while True:
        model: SlotModel | FullModel
        if full:
            model = FullModel(units, slots, by_id, rules)
        else:
            model = SlotModel(units, slots, by_id, rules, cuts=cuts, deadline=solve_by)
        master = solve_master(model, by_id, lottery, rules, solve_by)
        failures += [f for f in master.failures if f not in failures]
        if master.infeasible:
            result.explanation = ["No sets can keep every rule:"] + _cut_lines(cuts, rules) + diagnose(
                candidates, units, slots, rules, deadline, exact=not cuts) + failures
            _nobody(result, candidates, "no sets were formed: the rules cannot all hold (see the explanation)")
            return
        if master.timed_out:
            result.status, result.bound = "timed_out", master.bound
            result.explanation = [f"No solution was found within the time limit of {number(rules.time_limit)} s; "
                                  f"this does not prove that none exists. To find one, "
                                  f"{more_time(longer_time_limit(rules.time_limit))}."] + failures
            _nobody(result, candidates, f"no sets were formed: the solver found no answer within the time limit "
                                        f"of {number(rules.time_limit)} s")
            return

        by_slot: dict[str, list[int]] = defaultdict(list)
        for ui, slot in sorted(master.slot_of.items()):
            by_slot[slot].append(ui)
        split: dict[str, list[list[int]]] = {}
        impossible: list[tuple[str, frozenset[int], int]] = []
        unknown: list[str] = []
        jobs = [(slot, by_slot[slot], master.n_sets.get(slot, 0)) for slot in slots
                if by_slot.get(slot) and master.n_sets.get(slot, 0)]
        given = model.groups if isinstance(model, FullModel) else None
        for slot, outcome in split_slots(jobs, units, by_id, rules, deadline, given=given).items():
            cut_short = cut_short or outcome.cut_short
            if outcome.status == "ok":
                split[slot] = outcome.groups
            elif outcome.status == "impossible":
                impossible.append((slot, frozenset(by_slot[slot]), master.n_sets[slot]))
            else:
                unknown.append(slot)
        if impossible and time.monotonic() < solve_by:
            if len(cuts) < MAX_CUTS:
                cuts.extend(impossible)
            else:
                full = True
            continue
        break

    exact = master.proven and not impossible and not unknown
    notes: list[str] = []
    raw: list[tuple[str, list[str], str | None]] = []   # (slot, member ids, pinned name)
    dropped_ids: set[str] = set()
    for slot in slots:
        if slot in split:
            for g in split[slot]:
                pins = {units[u].pin for u in g if units[u].pin is not None}
                members = sorted((m for u in g for m in units[u].members),
                                 key=lambda m: (by_id[m].sector, by_id[m].label, m))
                raw.append((slot, members, pins.pop() if pins else None))
        elif by_slot.get(slot) and master.n_sets.get(slot, 0):
            # not split in time (or proven impossible with no time left to re-plan)
            result.unfinished.append(slot)
            dropped_ids.update(m for u in by_slot[slot] for m in units[u].members)
    # Names: pinned sets keep their pinned names; the rest are numbered in slot order.
    # Names that pins or place/time pins refer to are never given to another set.
    taken = {name for _, _, name in raw if name} | set(rules.pins.values()) | set(rules.pinned_slots)
    counter = 0
    for slot, members, pin in raw:
        name = pin
        if name is None:
            counter += 1
            while f"Set {counter}" in taken:
                counter += 1
            name = f"Set {counter}"
        card = check_set(members, slot, by_id, rules, name=name)
        if card.broken:
            # Guard: should never fire, but a set that breaks a hard rule is never returned.
            exact = False
            notes.append(f"A draft set at {slot} was dissolved because {card.broken[0]}.")
            dropped_ids.update(members)
            continue
        result.sets.append(FormedSet(name=name, slot=slot, members=members, scorecard=card))
    result.sets.sort(key=lambda s: (int(s.name[4:]) if s.name[4:].isdigit() else 10**9, s.name))

    placed = {m for s in result.sets for m in s.members}
    result.bound = master.bound
    short = ((rules.sets is not None and len(result.sets) != rules.sets)
             or any(pid not in placed for pid in rules.pins))
    if short:
        # Only reachable when time ran out before every slot could be split: the sets found so
        # far do not keep the set count or the pins, so nothing valid is returned.
        result.sets, result.status, result.gap = [], "timed_out", None
        where = ", ".join(result.unfinished) or "some places/times"
        result.explanation = [f"No answer keeping every rule was finished within the time limit of "
                              f"{number(rules.time_limit)} s: the people at {where} were not yet split into "
                              f"sets, and without them the set count or the pins do not hold. This does not "
                              f"prove that no answer exists. To finish, {more_time(longer_time_limit(rules.time_limit))}."
                              ] + failures + notes
        _nobody(result, candidates, f"no sets were formed: the time limit of {number(rules.time_limit)} s ran out "
                                    f"before every place/time was split into sets")
        return
    explainer = Explainer(candidates, units, rules, result.sets, lottery, unfinished=result.unfinished,
                          order_proven=master.proven)
    for c in sorted(candidates, key=lambda c: c.id):
        if c.id not in placed:
            result.unplaced.append(Unplaced(c.id, explainer.reason(c.id)))
    if cut_short:
        notes.append("The time limit stopped the polishing of sector mix and balance before its usual amount of "
                     "work, so the same seed may give different sets on another run; allow more time to make "
                     "the result repeatable.")
    blocked = sorted({u.blocked for u in units if u.blocked})
    notes.extend(f"Left out: {text}." for text in blocked)
    pinned_left = [by_id[u.id].label for u in result.unplaced if u.id in rules.pins]
    if pinned_left:
        notes.append("Pinned but not placed: " + ", ".join(pinned_left) + ".")

    if not result.sets and result.unfinished:
        result.status = "timed_out"
    else:
        result.status = "optimal" if exact else "feasible"
    # The gap is measured on people placed, against the solver's proven bound: a place/time that
    # was not split counts as nobody placed there, so the gap says so.
    if exact:
        result.gap = 0.0
    elif result.bound:
        result.gap = max(0.0, (result.bound - len(placed)) / result.bound)
    else:
        result.gap = None
    result.explanation = explain_result(candidates, rules, result, slots, explainer=explainer) + failures + notes


def _cut_lines(cuts: list[tuple[str, frozenset[int], int]], rules: Rules) -> list[str]:
    """Plain-English note for plans the splitter proved impossible (see master.add_cut)."""
    if not cuts:
        return []
    slots = sorted({slot for slot, _, _ in cuts})
    rules_named = ["every set needs someone from each sector"] if rules.require_all_sectors else []
    if rules.separate_organisations:
        rules_named.append("colleagues cannot share a set")
    if rules.never_together:
        rules_named.append("the never-together pairs")
    if rules.pins:
        rules_named.append("the pins")
    return [f"The people who could attend {', '.join(slots)} cannot be dealt into sets that keep "
            f"all of these at once: {'; '.join(rules_named) or 'the set sizes'}."]
