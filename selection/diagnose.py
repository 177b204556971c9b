"""Why no answer exists: which rule binds, by how much, and the smallest change that helps."""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import pulp

from .explain import _able, slot_shortage
from .master import SlotModel
from .solver import solve
from .types import Candidate, Rules
from .units import Unit


# ---- infeasibility ---------------------------------------------------------------------
def _max_sets(units: list[Unit], slots: tuple[str, ...], by_id: dict[str, Candidate], rules: Rules,
              deadline: float, sense: int) -> int | None:
    model = SlotModel(units, slots, by_id, rules, relax=frozenset({"sets"}))
    model.prob.sense = sense
    model.prob.setObjective(pulp.lpSum(model.n.values()))
    out = solve(model.prob, rules.solver, max(0.5, deadline - time.monotonic()), rules.seed)
    if not out.has_solution:
        return None
    return int(round(sum(v.varValue or 0 for v in model.n.values())))


def _feasible(units: list[Unit], slots: tuple[str, ...], by_id: dict[str, Candidate], rules: Rules,
              relax: frozenset[str], deadline: float) -> bool | None:
    model = SlotModel(units, slots, by_id, rules, relax=relax)
    model.prob.setObjective(pulp.lpSum([]))
    out = solve(model.prob, rules.solver, max(0.5, deadline - time.monotonic()), rules.seed)
    return True if out.has_solution else (False if out.infeasible else None)


def diagnose(candidates: Sequence[Candidate], units: list[Unit], slots: tuple[str, ...], rules: Rules,
             deadline: float, exact: bool = True) -> list[str]:
    """Which rule makes the problem infeasible, by how much, and the smallest relaxation.

    `exact=False` when the infeasibility was proven by splitting slots into sets (organisation,
    never-together or pin clashes the slot model cannot see): the relaxations below are then
    checked on the slot model only, so they are offered as things to try, not as guarantees."""
    by_id = {c.id: c for c in candidates}
    lines: list[str] = []
    # Pinned places/times that cannot host a set at all.
    pin_slots: Counter = Counter()
    for u in units:
        if u.pin is not None and u.pin in rules.pinned_slots:
            pin_slots[rules.pinned_slots[u.pin]] += 1
    for slot, k in sorted(pin_slots.items()):
        shortage = slot_shortage(candidates, slot, rules)
        if shortage:
            lines.append(f"{k} pinned set(s) must meet at {slot}, but {shortage}; pin them elsewhere "
                         f"or remove the pins")
            continue
        able = _able(candidates, slot)
        if rules.require_all_sectors:
            counts = Counter(c.sector for c in able)
            for sector in rules.sectors:
                if counts[sector] < k:
                    lines.append(f"{k} sets are pinned to {slot}, but only {counts[sector]} {sector}-sector "
                                 f"applicants can attend it, so at most {counts[sector]} sets there can "
                                 f"include one; allow sets without a {sector} member, or pin fewer sets there")
        if k * rules.min_size > len(able):
            lines.append(f"{k} sets are pinned to {slot}, needing at least {k * rules.min_size} people, "
                         f"but only {len(able)} can attend it; pin fewer sets there")
    if rules.sets is not None:
        hi = _max_sets(units, slots, by_id, rules, deadline, pulp.LpMaximize)
        lo = _max_sets(units, slots, by_id, rules, deadline, pulp.LpMinimize)
        if hi is not None and rules.sets > hi:
            why = f"at most {hi} can be formed under the other rules"
            if rules.require_all_sectors:
                counts = Counter(c.sector for c in candidates)
                scarce = min(rules.sectors, key=lambda k: counts[k])
                if counts[scarce] < rules.sets:
                    why = (f"only {counts[scarce]} {scarce}-sector applicants applied, so at most "
                           f"{counts[scarce]} sets can include one")
            lines.append(f"you asked for exactly {rules.sets} sets, but {why} (short by {rules.sets - hi}); "
                         f"ask for {hi} sets" + (", or allow sets without every sector"
                                                 if rules.require_all_sectors else ""))
        elif lo is not None and rules.sets < lo:
            lines.append(f"you asked for exactly {rules.sets} sets, but the pins need at least {lo} "
                         f"(over by {lo - rules.sets}); ask for {lo} sets or remove some pins")
        elif hi is None:
            lines.append(f"you asked for exactly {rules.sets} sets, but no number of sets keeps the other rules")
    # Which single relaxation would make it feasible.
    options = []
    if rules.sets is not None:
        options.append(("sets", "not fixing the number of sets"))
    if rules.require_all_sectors:
        options.append(("sectors", "allowing sets without every sector"))
    if rules.pinned_slots:
        options.append(("pinned_slots", "removing the place/time pins"))
    if rules.pins:
        options.append(("pins", "removing the pins"))
    works = [text for key, text in options
             if _feasible(units, slots, by_id, rules, frozenset({key}), deadline)]
    if works and exact:
        lines.append("Any one of these would make it feasible: " + "; ".join(works) + ".")
    elif works:
        lines.append("Worth trying (each removes a limit on how many sets can form, though the "
                     "clashes above may remain): " + "; ".join(works) + ".")
    elif not lines:
        lines.append("The pins, pairs and set count cannot all hold together; no single relaxation "
                     "(set count, sectors, pins) is enough on its own.")
    return lines
