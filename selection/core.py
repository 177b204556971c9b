"""form_sets: the one entry point. Slot model -> split into sets -> guard -> explain."""
from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Sequence

from .decompose import SlotSplitter, split_slot
from .diagnose import diagnose
from .explain import Explainer, explain_result
from .master import FullModel, SlotModel, solve_master
from .scorecard import check_set
from .types import Candidate, FormedSet, Rules, SelectionResult, Unplaced
from .units import build_units, offered_slots


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
    count its own work before the call, such as reading the input file, against the same limit."""
    rules = rules or Rules()
    _validate(rules)
    start = time.monotonic() if started is None else started
    deadline = start + rules.time_limit
    by_id = {c.id: c for c in candidates}
    lottery = draw_lottery(candidates, rules.seed)
    result = SelectionResult(status="infeasible", gap=None, seconds=0.0, seed=rules.seed,
                             solver=rules.solver, lottery=lottery)
    units, problems = build_units(candidates, rules)
    slots = offered_slots(candidates, rules)

    def finish() -> SelectionResult:
        result.seconds = time.monotonic() - start
        return result

    def nobody(reason: str) -> None:
        result.unplaced = [Unplaced(c.id, reason) for c in sorted(candidates, key=lambda c: c.id)]

    if problems:
        result.explanation = ["No sets were formed because the rules contradict each other:"] + problems
        nobody("no sets were formed: the rules contradict each other (see the explanation)")
        return finish()

    # Solve the slot model, then deal each slot's people into its sets. The slot model is a
    # relaxation (see master.py): when the splitter proves a slot's plan cannot be dealt into
    # valid sets, that plan is cut off and the slot model is solved again, a few rounds at most;
    # after that the exact (but symmetric) full model decides.
    cuts: list[tuple[str, frozenset[int], int]] = []
    full = False
    while True:
        model: SlotModel | FullModel
        if full:
            model = FullModel(units, slots, by_id, rules)
        else:
            model = SlotModel(units, slots, by_id, rules, cuts=cuts)
        master = solve_master(model, by_id, lottery, rules, deadline)
        if master.infeasible:
            result.explanation = ["No sets can keep every rule:"] + _cut_lines(cuts, rules) + diagnose(
                candidates, units, slots, rules, max(deadline, time.monotonic() + 10), exact=not cuts)
            nobody("no sets were formed: the rules cannot all hold (see the explanation)")
            return finish()
        if master.timed_out:
            result.status = "timed_out"
            result.explanation = [f"No solution was found within the time limit of {rules.time_limit:g} s; "
                                  f"this does not prove that none exists. Allow more time."]
            nobody("no sets were formed: the solver ran out of time")
            return finish()

        by_slot: dict[str, list[int]] = defaultdict(list)
        for ui, slot in sorted(master.slot_of.items()):
            by_slot[slot].append(ui)
        split: dict[str, list[list[int]]] = {}
        impossible: list[tuple[str, frozenset[int], int]] = []
        unknown: list[str] = []
        for slot in slots:
            uids, n = by_slot.get(slot, []), master.n_sets.get(slot, 0)
            if not uids or n == 0:
                continue
            people = sum(units[u].size for u in uids)
            polish = min(2.0, 0.2 + 0.002 * people)
            if isinstance(model, FullModel):
                # the full model's sets are valid by construction; only polish the soft goals
                split[slot] = SlotSplitter(uids, units, n, by_id, rules, rules.seed).improve(
                    model.groups[slot], min(deadline, time.monotonic() + polish))
                continue
            groups, status = split_slot(uids, units, n, by_id, rules, deadline, polish)
            if status == "ok":
                split[slot] = groups
            elif status == "impossible":
                impossible.append((slot, frozenset(uids), n))
            else:
                unknown.append(slot)
        if impossible and time.monotonic() < deadline - 0.2:
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
            notes.append(f"At {slot}: no valid split into sets was found in time.")
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
    short = ((rules.sets is not None and len(result.sets) != rules.sets)
             or any(pid not in placed for pid in rules.pins))
    if short:
        # Only reachable when time ran out before every slot could be split: the sets found so
        # far do not keep the set count or the pins, so nothing valid is returned.
        result.sets = []
        result.status = "timed_out"
        result.explanation = [f"No solution keeping every rule was found within the time limit of "
                              f"{rules.time_limit:g} s; this does not prove that none exists. "
                              f"Allow more time."] + notes
        nobody("no sets were formed: the solver ran out of time")
        return finish()
    explainer = Explainer(candidates, units, rules, result.sets, lottery, unfinished=result.unfinished)
    for c in sorted(candidates, key=lambda c: c.id):
        if c.id in placed:
            continue
        if c.id in dropped_ids:
            reason = "could not be fitted into a set at their place/time without breaking a rule"
        else:
            reason = explainer.reason(c.id)
        result.unplaced.append(Unplaced(c.id, reason))
    blocked = sorted({u.blocked for u in units if u.blocked})
    notes.extend(f"Left out: {text}." for text in blocked)
    pinned_left = [by_id[u.id].label for u in result.unplaced if u.id in rules.pins]
    if pinned_left:
        notes.append("Pinned but not placed: " + ", ".join(pinned_left) + ".")

    result.status = "optimal" if exact else "feasible"
    result.gap = 0.0 if exact else master.gap
    result.explanation = explain_result(candidates, rules, result, slots) + notes
    return finish()


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
