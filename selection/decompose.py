"""Split the people the slot model put at one place/time into its n sets.

Construction (why it works): pinned units first, one per set; other multi-person units
into the emptiest sets; then singletons sorted by (sector, organisation) are dealt round
robin. Dealing T people round robin gives sizes floor(T/n)..ceil(T/n), inside the bounds
because min*n <= T <= max*n. A sector block of >= n consecutive people (the slot model
guarantees >= n per sector) touches every set, and an organisation's <= n people are
consecutive inside their sector block, so they land in different sets. Each sector is
split floor/ceil across sets, the most even mix possible.

What dealing cannot guarantee (multi-person units, organisations whose people gave
different sectors, never-together pairs) and the soft goals (attributes, previous-set
pairs) are handled by a seeded local search of moves and swaps inside the slot. If a
hard rule is still broken, a small exact per-slot MIP decides: it either finds a valid
split or proves that none exists, in which case form_sets cuts that plan out of the slot
model and solves again. A set that breaks a rule is never produced.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from itertools import combinations

import pulp

from .scorecard import org_key
from .solver import new_var, solve
from .types import Candidate, Rules
from .units import Unit

HARD = 1_000_000   # one broken hard rule outweighs any amount of soft improvement
SECTOR = 10_000    # soft goal 2: even sector mix
ATTR = 100         # soft goal 3: balanced attributes (times the organiser's weight)
PREV = 1           # soft goal 4: previous-set pairs


def _dev(count: int, total: int, n: int) -> int:
    # zero when count is floor or ceil of the fair share, so a perfectly even set costs 0
    lo, hi = total // n, -(-total // n)
    return max(0, count - hi) + max(0, lo - count)


class SlotSplitter:
    def __init__(self, uids: list[int], units: list[Unit], n: int, by_id: dict[str, Candidate],
                 rules: Rules, seed: int) -> None:
        self.uids, self.units, self.n, self.by_id, self.rules = uids, units, n, by_id, rules
        self.rng = random.Random(seed)
        people = [by_id[m] for ui in uids for m in units[ui].members]
        self.sector_total = Counter(c.sector for c in people)
        self.attr_total = {a: Counter(c.attributes.get(a, "") for c in people) for a in rules.balance}
        # weights are relative: scaled to at most 1 so balance can never outweigh a hard rule
        top = max([abs(w) for w in rules.balance.values()] + [1e-9])
        self.weight = {a: max(0.0, w) / top for a, w in rules.balance.items()}
        unit_of = {m: ui for ui in uids for m in units[ui].members}
        self.never = {frozenset((unit_of[a], unit_of[b])) for a, b in rules.never_together
                      if a in unit_of and b in unit_of}

    # ---- scoring -------------------------------------------------------------------
    def cost(self, group: list[int]) -> float:
        r, units, by_id = self.rules, self.units, self.by_id
        people = [by_id[m] for ui in group for m in units[ui].members]
        size = len(people)
        c = 0.0
        c += HARD * (max(0, r.min_size - size) + max(0, size - r.max_size))
        sectors = Counter(p.sector for p in people)
        if r.require_all_sectors:
            c += HARD * sum(1 for k in r.sectors if not sectors[k])
        if r.separate_organisations:
            orgs = Counter(org_key(p.organisation) for p in people)
            c += HARD * sum(k - 1 for k in orgs.values())
        pins = {units[ui].pin for ui in group if units[ui].pin is not None}
        c += HARD * max(0, len(pins) - 1)
        if self.never:
            c += HARD * sum(1 for a, b in combinations(group, 2) if frozenset((a, b)) in self.never)
        c += SECTOR * sum(_dev(sectors[k], t, self.n) for k, t in self.sector_total.items())
        for a, w in self.weight.items():
            vals = Counter(p.attributes.get(a, "") for p in people)
            c += ATTR * w * sum(_dev(vals[v], t, self.n) for v, t in self.attr_total[a].items())
        if r.avoid_previous_pairs:
            prev = Counter(p.previous_set for p in people if p.previous_set)
            c += PREV * sum(k * (k - 1) // 2 for k in prev.values())
        return c

    # ---- construction --------------------------------------------------------------
    def deal(self) -> list[list[int]]:
        n, units = self.n, self.units
        groups: list[list[int]] = [[] for _ in range(n)]
        sizes = [0] * n
        pinned = sorted((ui for ui in self.uids if units[ui].pin is not None), key=lambda ui: units[ui].pin or "")
        for j, ui in enumerate(pinned):  # the slot model allows at most n pinned units here
            groups[j].append(ui)
            sizes[j] += units[ui].size
        multi = sorted((ui for ui in self.uids if units[ui].pin is None and units[ui].size > 1),
                       key=lambda ui: (-units[ui].size, units[ui].members))
        for ui in multi:
            j = min(range(n), key=lambda j: (sizes[j], j))
            groups[j].append(ui)
            sizes[j] += units[ui].size
        order = {k: i for i, k in enumerate(self.rules.sectors)}
        singles = sorted(
            (ui for ui in self.uids if units[ui].pin is None and units[ui].size == 1),
            key=lambda ui: (order.get(self.by_id[units[ui].members[0]].sector, len(order)),
                            self.by_id[units[ui].members[0]].sector,
                            org_key(self.by_id[units[ui].members[0]].organisation),
                            units[ui].members[0]))
        # water-fill: final sizes as even as the pre-placed units allow
        total = sum(sizes) + len(singles)
        cap = list(sizes)
        for _ in range(total - sum(sizes)):
            j = min(range(n), key=lambda j: (cap[j], j))
            cap[j] += 1
        j = 0
        for ui in singles:
            while sizes[j] >= cap[j]:
                j = (j + 1) % n
            groups[j].append(ui)
            sizes[j] += 1
            j = (j + 1) % n
        return groups

    # ---- repair and polish ---------------------------------------------------------
    def improve(self, groups: list[list[int]], deadline: float) -> list[list[int]]:
        """Seeded moves and swaps between the groups. A move is taken only if it breaks fewer
        hard rules, or as many and lowers the total cost, so polishing a valid split can never
        make it invalid. Works on however many groups there are (not assuming n)."""
        units = self.units
        groups = [list(g) for g in groups]
        m = len(groups)
        costs = [self.cost(g) for g in groups]

        def better(ci: float, cj: float, i: int, j: int) -> bool:
            old_hard = costs[i] // HARD + costs[j] // HARD
            new_hard = ci // HARD + cj // HARD
            return new_hard < old_hard or (new_hard == old_hard and ci + cj < costs[i] + costs[j] - 1e-9)

        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            todo = [(i, ui) for i in range(m) if costs[i] > 0 for ui in groups[i]]
            self.rng.shuffle(todo)
            for i, ui in todo:
                if time.monotonic() >= deadline:
                    break
                if ui not in groups[i] or costs[i] == 0:
                    continue
                hard = costs[i] >= HARD
                rest_i = [x for x in groups[i] if x != ui]
                others = list(range(m))
                self.rng.shuffle(others)
                done = False
                for j in others:
                    if j == i:
                        continue
                    # move ui to set j
                    new_i, new_j = self.cost(rest_i), self.cost(groups[j] + [ui])
                    if better(new_i, new_j, i, j):
                        groups[i], groups[j] = rest_i, groups[j] + [ui]
                        costs[i], costs[j] = new_i, new_j
                        done = True
                        break
                    for v in groups[j]:
                        # soft polish only swaps like for like, which keeps sizes and sector mix
                        if not hard and (units[v].size != units[ui].size
                                         or units[v].sectors != units[ui].sectors):
                            continue
                        gi = rest_i + [v]
                        gj = [x for x in groups[j] if x != v] + [ui]
                        ci, cj = self.cost(gi), self.cost(gj)
                        if better(ci, cj, i, j):
                            groups[i], groups[j], costs[i], costs[j] = gi, gj, ci, cj
                            done = True
                            break
                    if done:
                        break
                improved |= done
        return groups

    def is_valid(self, groups: list[list[int]]) -> bool:
        return all(self.cost(g) < HARD for g in groups)

    # ---- exact check ---------------------------------------------------------------
    def mip(self, deadline: float) -> tuple[str, list[list[int]]]:
        """Exact per-slot split: every unit placed, exactly n sets, every hard rule.

        Returns ("ok", groups), ("impossible", []) when the solver proves no such split
        exists (the slot model's plan must then change), or ("unknown", []) when no answer
        was found in time."""
        r, units, n = self.rules, self.units, self.n
        if time.monotonic() >= deadline:
            return "unknown", []
        prob = pulp.LpProblem("slot_split", pulp.LpMaximize)
        x = {(ui, j): new_var(prob, f"x_{ui}_{j}", cat=pulp.LpBinary) for ui in self.uids for j in range(n)}
        pinned = sorted((ui for ui in self.uids if units[ui].pin is not None), key=lambda ui: units[ui].pin or "")
        for ui in self.uids:
            prob += pulp.lpSum(x[ui, j] for j in range(n)) == 1
        for j, ui in enumerate(pinned):  # fixing pinned units to distinct sets also breaks symmetry
            prob += x[ui, j] == 1
        orgs: dict[str, list[int]] = {}
        for ui in self.uids:
            for o in units[ui].orgs:
                orgs.setdefault(o, []).append(ui)
        for j in range(n):
            load = pulp.lpSum(units[ui].size * x[ui, j] for ui in self.uids)
            prob += load >= r.min_size
            prob += load <= r.max_size
            if r.require_all_sectors:
                for k in r.sectors:
                    prob += pulp.lpSum(units[ui].sectors[k] * x[ui, j] for ui in self.uids
                                       if units[ui].sectors[k]) >= 1
            if r.separate_organisations:
                for uis in orgs.values():
                    if len(uis) > 1:
                        prob += pulp.lpSum(x[ui, j] for ui in uis) <= 1
            for pair in self.never:
                a, b = tuple(pair)
                prob += x[a, j] + x[b, j] <= 1
        # feasibility only; a constant objective would leave CBC an empty objective row
        prob += pulp.lpSum(x.values())
        out = solve(prob, r.solver, deadline - time.monotonic(), r.seed)
        if out.infeasible:
            return "impossible", []
        if not out.has_solution:
            return "unknown", []
        return "ok", [[ui for ui in self.uids if (x[ui, j].varValue or 0) > 0.5] for j in range(n)]


def split_slot(uids: list[int], units: list[Unit], n: int, by_id: dict[str, Candidate], rules: Rules,
               deadline: float, polish_seconds: float) -> tuple[list[list[int]], str]:
    """Deal the units at one slot into exactly n valid sets.

    Returns (groups, "ok"), ([], "impossible") when it is proven that these units cannot make
    n valid sets, or ([], "unknown") when no valid split was found in time."""
    sp = SlotSplitter(uids, units, n, by_id, rules, rules.seed)
    groups = sp.deal()
    if not sp.is_valid(groups):
        # repair by local search within a small budget, then let the exact MIP decide
        groups = sp.improve(groups, min(deadline, time.monotonic() + polish_seconds))
        if not sp.is_valid(groups):
            status, groups = sp.mip(deadline)
            if status != "ok" or not sp.is_valid(groups):
                return [], status if status != "ok" else "unknown"
    # valid: only polish soft goals, within a small budget (moves never break a hard rule)
    groups = sp.improve(groups, min(deadline, time.monotonic() + polish_seconds))
    return groups, "ok"
