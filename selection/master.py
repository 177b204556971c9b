"""The symmetry-free slot model: decide per place/time, not per set.

z[u,s] = 1 when unit u (a person, or people who must share a set) is placed at slot s;
n[s]   = number of sets at slot s.
Sets at one slot are interchangeable, so deciding only "who goes to which slot and how
many sets there" removes the symmetry that drowns an x[person,set] model. The per-slot
constraints below are exactly the conditions under which the slot's people can be dealt
into n[s] valid sets (see decompose.py) when every unit is one person from an organisation
with one sector; the side rules they cannot express exactly (never-together, organisations
whose people gave different sectors, multi-person units) are repaired there. When a plan
cannot be dealt into sets at all, the splitter proves it, the plan is cut off (add_cut) and
the model is solved again; after a few such rounds the exact FullModel decides instead. So
the slot model is always a relaxation, and "proven optimal" stays true.

Objective, lexicographic by sequential solves (each level fixed before the next, so no
huge weights that would break solver tolerances):
  1. as many people placed as possible;
  2. per priority level, highest first: as many of that level as possible;
  3. lottery: among what is left tied, maximise the sum of lottery scores.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pulp

from .solver import Outcome, new_var, solve
from .types import Candidate, Rules
from .units import Unit


@dataclass
class MasterResult:
    proven: bool = True
    infeasible: bool = False
    timed_out: bool = False
    gap: float | None = None
    slot_of: dict[int, str] = field(default_factory=dict)   # unit index -> slot
    n_sets: dict[str, int] = field(default_factory=dict)
    phases: list[str] = field(default_factory=list)
    #: proven upper bound on people placed (None when no solver gave one)
    bound: int | None = None
    #: solver failures and what was done about them, in plain words
    failures: list[str] = field(default_factory=list)


class OutOfTime(Exception):
    """The time limit passed while a model was still being built."""


def _check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime


def _expr(terms: Iterable[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    # Built from (variable, coefficient) pairs: many times faster than lpSum over products,
    # which builds a whole expression for every term (seconds at 20,000 applicants).
    return pulp.LpAffineExpression([(v, c) for v, c in terms if c])


class SlotModel:
    def __init__(self, units: list[Unit], slots: tuple[str, ...], by_id: dict[str, Candidate],
                 rules: Rules, relax: frozenset[str] = frozenset(),
                 cuts: Sequence[tuple[str, frozenset[int], int]] = (), deadline: float | None = None) -> None:
        """`relax` names rules to drop, used when diagnosing infeasibility:
        "sets", "sectors", "pins", "pinned_slots".
        `cuts` are (slot, unit indices, number of sets) plans that the splitter proved cannot be
        dealt into valid sets; each one is excluded (see add_cut).
        Raises OutOfTime when `deadline` (a time.monotonic() reading) passes while building."""
        self.units, self.slots, self.rules = units, slots, rules
        self.prob = pulp.LpProblem("slots", pulp.LpMaximize)
        self.z: dict[tuple[int, int], pulp.LpVariable] = {}
        self.n: dict[int, pulp.LpVariable] = {}
        at: dict[int, list[int]] = defaultdict(list)   # slot index -> unit indices
        index = {s: si for si, s in enumerate(slots)}
        for ui, u in enumerate(units):
            if ui % 2000 == 0:
                _check(deadline)
            allowed = u.slots
            if "pinned_slots" in relax and u.pin is not None:
                allowed = frozenset(s for s in slots if all(s in by_id[m].slots for m in u.members))
            for si in sorted(index[s] for s in allowed if s in index):
                # names are indices only: PuLP warns about spaces/punctuation in names
                self.z[ui, si] = new_var(self.prob, f"z_{ui}_{si}", cat=pulp.LpBinary)
                at[si].append(ui)
        self.at = at
        for si in range(len(slots)):
            people = sum(units[ui].size for ui in at[si])
            ub = people // rules.min_size
            if rules.require_all_sectors and "sectors" not in relax:
                ub = min([ub] + [sum(units[ui].sectors[k] for ui in at[si]) for k in rules.sectors])
            self.n[si] = new_var(self.prob, f"n_{si}", 0, max(0, ub), cat=pulp.LpInteger)

        prob = self.prob
        places_of: dict[int, list[pulp.LpVariable]] = defaultdict(list)
        for (ui, _), v in self.z.items():
            places_of[ui].append(v)
        for ui, u in enumerate(units):
            if ui % 2000 == 0:
                _check(deadline)
            places = places_of.get(ui)
            if u.pin is not None and "pins" not in relax:
                prob += _expr((v, 1) for v in places or []) == 1, f"pin_{ui}"
            elif places:
                prob += _expr((v, 1) for v in places) <= 1, f"one_{ui}"
        unit_of = {m: ui for ui, u in enumerate(units) for m in u.members}
        for si in range(len(slots)):
            here, n = at[si], self.n[si]
            _check(deadline)
            load = _expr((self.z[ui, si], units[ui].size) for ui in here)
            prob += load - rules.min_size * n >= 0, f"min_{si}"
            prob += load - rules.max_size * n <= 0, f"max_{si}"
            if rules.require_all_sectors and "sectors" not in relax:
                for k_i, k in enumerate(rules.sectors):
                    prob += _expr((self.z[ui, si], units[ui].sectors[k]) for ui in here) - n >= 0, \
                        f"sec_{si}_{k_i}"
            if rules.separate_organisations:
                org_units: dict[str, list[int]] = defaultdict(list)
                for ui in here:
                    for o in units[ui].orgs:
                        org_units[o].append(ui)
                for o_i, (o, uis) in enumerate(sorted(org_units.items())):
                    if sum(units[ui].orgs[o] for ui in uis) > 1:
                        # each set takes at most one person per organisation
                        prob += _expr((self.z[ui, si], units[ui].orgs[o]) for ui in uis) - n <= 0, \
                            f"org_{si}_{o_i}"
            for p_i, (a, b) in enumerate(rules.never_together):
                ua, ub_ = unit_of.get(a), unit_of.get(b)
                if ua is not None and ub_ is not None and ua != ub_ and (ua, si) in self.z \
                        and (ub_, si) in self.z:
                    # both at one slot only if there are at least two sets there
                    prob += self.z[ua, si] + self.z[ub_, si] <= n, f"nt_{si}_{p_i}"
            if "pins" not in relax:
                pinned = [ui for ui in here if units[ui].pin is not None]
                if len(pinned) > 1:
                    # units pinned to different set names need different sets
                    prob += pulp.lpSum(self.z[ui, si] for ui in pinned) <= n, f"pins_{si}"
        if rules.sets is not None and "sets" not in relax:
            prob += pulp.lpSum(self.n.values()) == rules.sets, "exact_sets"
        self.k: dict[int, dict[int, pulp.LpVariable]] = {}   # slot index -> {n: indicator n[s] == n}
        self.cuts = 0
        for slot, uids, n_sets in cuts:
            self.add_cut(slot, uids, n_sets)

    def add_cut(self, slot: str, uids: frozenset[int], n_sets: int) -> None:
        """Exclude the plan "exactly the units `uids` at `slot`, in `n_sets` sets".

        The per-slot conditions above are necessary but not sufficient: an organisation whose
        people gave different sectors, never-together pairs and multi-person units can make a
        plan that passes them impossible to deal into sets. The splitter proves that with an exact
        MIP and the plan is cut off (a no-good cut), so the model stays a valid relaxation and
        its optimum, once the splitter realises it, is the true optimum."""
        si = self.slots.index(slot)
        n_var = self.n[si]
        if si not in self.k:
            # one-hot encoding of n[s], added only for slots that get a cut
            top = int(n_var.upBound or 0)
            self.k[si] = {v: new_var(self.prob, f"k_{si}_{v}", cat=pulp.LpBinary) for v in range(top + 1)}
            self.prob += pulp.lpSum(self.k[si].values()) == 1, f"k_one_{si}"
            self.prob += pulp.lpSum(v * w for v, w in self.k[si].items()) == n_var, f"k_val_{si}"
        if n_sets not in self.k[si]:
            return   # that many sets cannot be chosen here anyway
        here = set(self.at[si])
        inside = [self.z[ui, si] for ui in uids if ui in here]
        outside = [self.z[ui, si] for ui in here if ui not in uids]
        self.prob += (pulp.lpSum(1 - v for v in inside) + pulp.lpSum(outside)
                      + (1 - self.k[si][n_sets]) >= 1), f"cut_{self.cuts}"
        self.cuts += 1

    # ---- solving -------------------------------------------------------------------
    def placed_expr(self, weight_of_unit) -> pulp.LpAffineExpression:
        return _expr((v, weight_of_unit(ui)) for (ui, _), v in self.z.items())

    def values(self) -> tuple[dict[int, str], dict[str, int]]:
        slot_of = {ui: self.slots[si] for (ui, si), v in self.z.items() if (v.varValue or 0) > 0.5}
        n_sets = {self.slots[si]: int(round(v.varValue or 0)) for si, v in self.n.items()}
        return slot_of, n_sets

    def restore(self, slot_of: dict[int, str], n_sets: dict[str, int]) -> None:
        """Put a stored incumbent back into the variables (warm start, or after a failed phase)."""
        index = {s: si for si, s in enumerate(self.slots)}
        for (ui, si), v in self.z.items():
            v.setInitialValue(1 if slot_of.get(ui) == self.slots[si] else 0)
        for s, k in n_sets.items():
            self.n[index[s]].setInitialValue(k)


def solve_master(model: SlotModel | FullModel, by_id: dict[str, Candidate], lottery: dict[str, int],
                 rules: Rules, deadline: float, feasibility_only: bool = False) -> MasterResult:
    res = MasterResult()
    units = model.units

    def run(objective: pulp.LpAffineExpression, label: str) -> Outcome | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            res.proven = False
            res.phases.append(f"{label}: skipped, time limit reached")
            return None
        model.prob.setObjective(objective)
        # the solver's own limit leaves it time to write its answer; the deadline is absolute
        out = solve(model.prob, rules.solver, remaining * 0.9, rules.seed,
                    warm_start=bool(res.slot_of or res.n_sets), deadline=deadline)
        if out.failure:
            res.failures.append(out.failure)
        res.phases.append(f"{label}: {'optimal' if out.proven else 'feasible' if out.has_solution else 'no solution'}")
        if not out.proven:
            res.proven = False
            if out.has_solution and res.gap is None:
                res.gap = out.gap
        if out.has_solution:
            res.slot_of, res.n_sets = model.values()
        return out

    size = lambda ui: units[ui].size  # noqa: E731
    first = run(model.placed_expr(size) if not feasibility_only else pulp.lpSum([]), "place as many as possible")
    if first is None or not first.has_solution:
        res.infeasible = bool(first and first.infeasible)
        res.timed_out = not res.infeasible
        if first is not None and first.bound is not None and not feasibility_only:
            res.bound = int(first.bound + 1e-6)
        return res
    if feasibility_only:
        return res
    placed_now = sum(units[ui].size for ui in res.slot_of)
    # a bound on people placed: the optimum itself when proven, else the solver's bound
    if first.proven:
        res.bound = placed_now
    elif first.bound is not None:
        res.bound = max(placed_now, int(first.bound + 1e-6))
    _fix(model.prob, model.placed_expr(size), placed_now, "fix_placed")

    # Priority levels, highest first. A level whose members are all placed already is at
    # its optimum, so it is fixed without a solve; the lowest level is implied by the
    # total, so it is never solved for.
    levels = sorted({c.priority for c in by_id.values()}, reverse=True)
    for li, level in enumerate(levels[:-1]):
        def at_level(ui: int, level: float = level) -> int:
            return sum(1 for m in units[ui].members if by_id[m].priority == level)
        total = sum(at_level(ui) for ui in range(len(units)))
        current = sum(at_level(ui) for ui in res.slot_of)
        objective = model.placed_expr(at_level)
        # With nobody at this level placeable, there is nothing to decide (and CBC rejects an
        # empty objective left behind as a dummy column).
        if current < total and any(objective.values()):
            model.restore(res.slot_of, res.n_sets)
            out = run(objective, f"priority {level} first")
            if out is None or not out.has_solution:
                return res
            current = sum(at_level(ui) for ui in res.slot_of)
        _fix(model.prob, model.placed_expr(at_level), current, f"fix_level_{li}")

    # Lottery among what is still tied; skipped when nobody is left out.
    if len(res.slot_of) < len(units):
        n = len(by_id)
        score = lambda ui: sum(n + 1 - lottery[m] for m in units[ui].members)  # noqa: E731
        objective = model.placed_expr(score)
        if any(objective.values()):
            model.restore(res.slot_of, res.n_sets)
            run(objective, "lottery")
    return res


def _fix(prob: pulp.LpProblem, expr: pulp.LpAffineExpression, at_least: float, name: str) -> None:
    """Hold an earlier phase's optimum. An expression with no variables (nobody at that level can
    be placed anywhere) is skipped: CBC fails on a constraint with nothing in it."""
    if any(coefficient for coefficient in expr.values()):
        prob += expr >= at_least, name


class FullModel:
    """The exact model: which unit goes to which set at which slot, every hard rule included.

    Used only when the slot model's plan cannot be dealt into sets (see core.form_sets): sets
    at one slot are interchangeable, so this model is symmetric and scales poorly, but it has
    no relaxation gap. It offers the interface solve_master needs (prob, placed_expr, values,
    restore), plus `groups` (slot -> unit indices per set) of the last stored solution."""

    def __init__(self, units: list[Unit], slots: tuple[str, ...], by_id: dict[str, Candidate],
                 rules: Rules) -> None:
        self.units, self.slots, self.rules = units, slots, rules
        self.prob = prob = pulp.LpProblem("full", pulp.LpMaximize)
        bounds = SlotModel(units, slots, by_id, rules).n   # per-slot upper bounds on the set count
        self.x: dict[tuple[int, int, int], pulp.LpVariable] = {}
        self.used: dict[tuple[int, int], pulp.LpVariable] = {}
        self.groups: dict[str, list[list[int]]] = {}
        for si, s in enumerate(slots):
            for j in range(int(bounds[si].upBound or 0)):
                self.used[si, j] = new_var(prob, f"y_{si}_{j}", cat=pulp.LpBinary)
                for ui, u in enumerate(units):
                    if s in u.slots:
                        self.x[ui, si, j] = new_var(prob, f"x_{ui}_{si}_{j}", cat=pulp.LpBinary)
        by_unit: dict[int, list[pulp.LpVariable]] = defaultdict(list)
        by_set: dict[tuple[int, int], list[int]] = defaultdict(list)
        for (ui, si, j), v in self.x.items():
            by_unit[ui].append(v)
            by_set[si, j].append(ui)
        # z[ui, si]: unit ui placed at slot si (an expression), for placed_expr
        self.z: dict[tuple[int, int], pulp.LpAffineExpression] = {}
        for (ui, si, _j), v in self.x.items():
            self.z.setdefault((ui, si), pulp.LpAffineExpression())
            self.z[ui, si] += v
        for ui, u in enumerate(units):
            if u.pin is not None:
                prob += pulp.lpSum(by_unit[ui]) == 1, f"pin_{ui}"
            elif by_unit[ui]:
                prob += pulp.lpSum(by_unit[ui]) <= 1, f"one_{ui}"
        unit_of = {m: ui for ui, u in enumerate(units) for m in u.members}
        never = [(unit_of[a], unit_of[b]) for a, b in rules.never_together
                 if unit_of.get(a) is not None and unit_of.get(b) is not None and unit_of[a] != unit_of[b]]
        for (si, j), y in self.used.items():
            here = by_set[si, j]
            x = {ui: self.x[ui, si, j] for ui in here}
            load = pulp.lpSum(units[ui].size * x[ui] for ui in here)
            prob += load >= rules.min_size * y, f"min_{si}_{j}"
            prob += load <= rules.max_size * y, f"max_{si}_{j}"
            if rules.require_all_sectors:
                for k_i, k in enumerate(rules.sectors):
                    prob += pulp.lpSum(units[ui].sectors[k] * x[ui] for ui in here
                                       if units[ui].sectors[k]) >= y, f"sec_{si}_{j}_{k_i}"
            if rules.separate_organisations:
                org_units: dict[str, list[int]] = defaultdict(list)
                for ui in here:
                    for o in units[ui].orgs:
                        org_units[o].append(ui)
                for o_i, (o, uis) in enumerate(sorted(org_units.items())):
                    if sum(units[ui].orgs[o] for ui in uis) > 1:
                        prob += pulp.lpSum(units[ui].orgs[o] * x[ui] for ui in uis) <= 1, f"org_{si}_{j}_{o_i}"
            for p_i, (a, b) in enumerate(never):
                if a in x and b in x:
                    prob += x[a] + x[b] <= 1, f"nt_{si}_{j}_{p_i}"
            pinned = [ui for ui in here if units[ui].pin is not None]
            if len(pinned) > 1:
                prob += pulp.lpSum(x[ui] for ui in pinned) <= 1, f"pins_{si}_{j}"
            if (si, j + 1) in self.used:
                prob += y >= self.used[si, j + 1], f"order_{si}_{j}"
        if rules.sets is not None:
            prob += pulp.lpSum(self.used.values()) == rules.sets, "exact_sets"

    def placed_expr(self, weight_of_unit) -> pulp.LpAffineExpression:
        return pulp.lpSum(weight_of_unit(ui) * v for (ui, _, _), v in self.x.items() if weight_of_unit(ui))

    def values(self) -> tuple[dict[int, str], dict[str, int]]:
        slot_of: dict[int, str] = {}
        groups: dict[str, list[list[int]]] = defaultdict(list)
        for si, j in self.used:
            members = [ui for (ui, s2, j2), v in self.x.items() if s2 == si and j2 == j and (v.varValue or 0) > 0.5]
            if members:
                groups[self.slots[si]].append(members)
                slot_of.update((ui, self.slots[si]) for ui in members)
        self.groups = dict(groups)
        return slot_of, {s: len(g) for s, g in self.groups.items()}

    def restore(self, slot_of: dict[int, str], n_sets: dict[str, int]) -> None:
        """Nothing to do: the variables still hold the last solution, which CBC warm-starts from."""
