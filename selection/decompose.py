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
model and solves again. A set that breaks a hard rule is never produced.

The local search is bounded by work (trial moves, a number proportional to the slot's
people), never by the clock, so a recorded seed gives the same sets on any machine and
under any load. The deadline is only a safety net; when it stops the search early, the
outcome says so (`cut_short`), because then the same seed may give different sets. Trial
moves are scored from per-set counts updated by the change, not by recounting whole sets.
"""
from __future__ import annotations

import heapq
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import pulp

from .scorecard import org_key
from .solver import new_var, solve
from .types import Candidate, Rules
from .units import Unit

HARD = 1_000_000   # one broken hard rule outweighs any amount of soft improvement
SECTOR = 10_000    # soft goal 2: even sector mix
ATTR = 100         # soft goal 3: balanced attributes (times the organiser's weight)
PREV = 1           # soft goal 4: previous-set pairs

#: Work budget of one repair or one polish: trial moves per person at the slot (a trial is
#: one candidate move or swap scored, about 10 microseconds). Measured with two balanced
#: attributes: places of 1,000-3,000 people reach zero soft cost within about 40 per person
#: (one place of 10,000 needs about 80); small slots get at least MIN_WORK.
WORK_PER_PERSON = 40
MIN_WORK = 5_000
#: trial moves between two looks at the clock; the clock only ever stops the search early
CLOCK_EVERY = 256

SplitStatus = Literal["ok", "impossible", "unknown"]
Pairs = tuple[tuple[str, int], ...]


@dataclass
class SplitOutcome:
    """The sets found for one place/time (unit indices per set) and how the split ended.

    status: "ok" (groups keep every hard rule), "impossible" (proven: these units cannot make
    n valid sets), or "unknown" (no valid split found before the deadline, or the split failed).
    cut_short: the deadline stopped the repair or the polish before its work budget, so the
    same seed may give different sets on another run.
    error: what went wrong when a split failed unexpectedly (for the log), else None."""
    groups: list[list[int]]
    status: SplitStatus
    cut_short: bool = False
    error: str | None = None


def _fair(total: int, n: int) -> tuple[int, int]:
    """Floor and ceiling of a fair share of `total` over n sets."""
    return total // n, -(-total // n)


def _dev(count: int, fair: tuple[int, int]) -> int:
    # zero when count is floor or ceil of the fair share, so a perfectly even set costs 0
    lo, hi = fair
    return count - hi if count > hi else (lo - count if count < lo else 0)


def _pairs(counts: Iterable[tuple[str, int]]) -> Pairs:
    return tuple((k, c) for k, c in counts if c)


def _net(out: Pairs, into: Pairs) -> Pairs:
    """Change in counts when a unit with `out` leaves and one with `into` joins."""
    if out == into:
        return ()
    if not out:
        return into
    if not into:
        return tuple((k, -c) for k, c in out)
    if len(out) == 1 and len(into) == 1:   # two people: the usual trial swap
        (k_out, c_out), (k_in, c_in) = out[0], into[0]
        return ((k_out, -c_out), (k_in, c_in)) if k_out != k_in else ((k_out, c_in - c_out),)
    change: dict[str, int] = {}
    for k, c in out:
        change[k] = change.get(k, 0) - c
    for k, c in into:
        change[k] = change.get(k, 0) + c
    return _pairs(change.items())


def _shift(counts: dict[str, int], items: Pairs, sign: int) -> None:
    for k, c in items:
        left = counts.get(k, 0) + sign * c
        if left:
            counts[k] = left
        else:
            del counts[k]


class _Facts(NamedTuple):
    """What one unit adds to a set's counts."""
    size: int
    sectors: Pairs
    orgs: Pairs
    pin: str | None
    attrs: tuple[Pairs, ...]       # per balanced attribute, in the order of rules.balance
    previous: Pairs
    partners: tuple[int, ...]      # never-together partners (units at this slot)
    kind: tuple[int, Pairs]        # size and sectors: soft polish only swaps like for like


class _Parts(NamedTuple):
    """The cost of one set in whole numbers; `SlotSplitter.compose` turns it into the cost."""
    hard: int                  # broken hard rules
    sector_dev: int
    attr_dev: tuple[int, ...]  # per balanced attribute
    previous_pairs: int


class _Tally:
    """One set's members, the counts its cost depends on, and that cost."""
    __slots__ = ("members", "size", "sectors", "orgs", "pins", "attrs", "previous", "never", "parts", "cost")

    def __init__(self, n_attrs: int) -> None:
        self.members: list[int] = []
        self.size = 0
        self.sectors: dict[str, int] = {}
        self.orgs: dict[str, int] = {}
        self.pins: dict[str, int] = {}        # pinned set name -> units pinned to it
        self.attrs: list[dict[str, int]] = [{} for _ in range(n_attrs)]
        self.previous: dict[str, int] = {}
        self.never = 0                        # never-together pairs inside the set
        self.parts = _Parts(0, 0, (0,) * n_attrs, 0)
        self.cost = 0.0


class SlotSplitter:
    def __init__(self, uids: list[int], units: Sequence[Unit], n: int, by_id: Mapping[str, Candidate],
                 rules: Rules, seed: int) -> None:
        self.uids, self.units, self.n, self.by_id, self.rules = uids, units, n, by_id, rules
        self.rng = random.Random(seed)
        #: set by improve(): True when the deadline stopped it before its work budget
        self.cut_short = False
        people = [by_id[m] for ui in uids for m in units[ui].members]
        self.people = len(people)
        self.sector_total = Counter(c.sector for c in people)
        self.attr_total = {a: Counter(c.attributes.get(a, "") for c in people) for a in rules.balance}
        self.sector_fair = {k: _fair(t, n) for k, t in self.sector_total.items()}
        self.attr_fair = [{v: _fair(t, n) for v, t in self.attr_total[a].items()} for a in rules.balance]
        # weights are relative: scaled to at most 1 so balance can never outweigh a hard rule
        top = max([abs(w) for w in rules.balance.values()] + [1e-9])
        self.weight = {a: max(0.0, w) / top for a, w in rules.balance.items()}
        self.attr_scale = tuple(ATTR * w for w in self.weight.values())
        unit_of = {m: ui for ui in uids for m in units[ui].members}
        self.never = {frozenset((unit_of[a], unit_of[b])) for a, b in rules.never_together
                      if a in unit_of and b in unit_of}
        # a sector named twice in rules.sectors counts twice when missing, as it always has
        self.needed = Counter(rules.sectors) if rules.require_all_sectors else Counter()
        partners: dict[int, set[int]] = {}
        for pair in self.never:
            if len(pair) == 2:
                a, b = sorted(pair)
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
        self.facts: dict[int, _Facts] = {}
        self.nobody = _Facts(0, (), (), None, ((),) * len(rules.balance), (), (), (0, ()))
        for ui in uids:
            who = [by_id[m] for m in units[ui].members]
            sectors = _pairs(Counter(c.sector for c in who).items())
            self.facts[ui] = _Facts(
                size=len(who), sectors=sectors,
                orgs=_pairs(Counter(org_key(c.organisation) for c in who).items()),
                pin=units[ui].pin,
                attrs=tuple(_pairs(Counter(c.attributes.get(a, "") for c in who).items()) for a in rules.balance),
                previous=_pairs(Counter(c.previous_set for c in who if c.previous_set).items()),
                partners=tuple(sorted(partners.get(ui, ()))),
                kind=(len(who), tuple(sorted(sectors))))

    # ---- scoring -------------------------------------------------------------------
    def _size_penalty(self, size: int) -> int:
        return max(0, self.rules.min_size - size) + max(0, size - self.rules.max_size)

    def compose(self, parts: _Parts) -> float:
        """The cost of a set from its parts; the float sums run in one fixed order, so the
        same parts always give the same cost, however they were counted."""
        c = float(HARD * parts.hard + SECTOR * parts.sector_dev)
        for scale, dev in zip(self.attr_scale, parts.attr_dev, strict=True):
            c += scale * dev
        return c + PREV * parts.previous_pairs

    def tally(self, group: Sequence[int]) -> _Tally:
        """Count one set from scratch."""
        r = self.rules
        t = _Tally(len(self.weight))
        for ui in group:
            self._add(t, ui, 1)
        hard = self._size_penalty(t.size)
        hard += sum(w for k, w in self.needed.items() if not t.sectors.get(k))
        if r.separate_organisations:
            hard += sum(k - 1 for k in t.orgs.values())
        hard += max(0, len(t.pins) - 1)
        hard += t.never
        sector_dev = sum(_dev(t.sectors.get(k, 0), fair) for k, fair in self.sector_fair.items())
        attr_dev = tuple(sum(_dev(counts.get(v, 0), fair) for v, fair in shares.items())
                         for counts, shares in zip(t.attrs, self.attr_fair, strict=True))
        previous = sum(k * (k - 1) // 2 for k in t.previous.values()) if r.avoid_previous_pairs else 0
        t.parts = _Parts(hard, sector_dev, attr_dev, previous)
        t.cost = self.compose(t.parts)
        return t

    def cost(self, group: Sequence[int]) -> float:
        """Cost of one set: HARD per broken hard rule, then the soft goals (sector mix,
        balanced attributes, previous-set pairs)."""
        return self.tally(group).cost

    def _add(self, t: _Tally, ui: int, sign: int) -> None:
        """Put unit ui into the counts of t (sign 1) or take it out (sign -1); not the cost."""
        f = self.facts[ui]
        if sign > 0:
            t.never += sum(1 for p in f.partners if p in t.members)
            t.members.append(ui)
        else:
            t.members.remove(ui)
            t.never -= sum(1 for p in f.partners if p in t.members)
        t.size += sign * f.size
        _shift(t.sectors, f.sectors, sign)
        _shift(t.orgs, f.orgs, sign)
        if f.pin is not None:
            _shift(t.pins, ((f.pin, 1),), sign)
        for counts, items in zip(t.attrs, f.attrs, strict=True):
            _shift(counts, items, sign)
        _shift(t.previous, f.previous, sign)

    def _after(self, t: _Tally, where: dict[int, _Tally], out: int | None, into: int | None,
               bound: bool = False) -> _Parts:
        """The parts of set t after unit `out` leaves it and unit `into` joins it (either may
        be None), from t's counts and the two units alone. `where` maps unit -> its set.

        bound: skip the organisation, pin and never-together rules, which can only get worse
        in a set that breaks none of them; the cost then is a lower bound, a cheap first test."""
        fo = self.facts[out] if out is not None else self.nobody
        fi = self.facts[into] if into is not None else self.nobody
        parts = t.parts
        hard, sector_dev, attr_dev, previous = parts
        if fo.size != fi.size:
            hard += self._size_penalty(t.size + fi.size - fo.size) - self._size_penalty(t.size)
        if fo.sectors != fi.sectors:
            needed, sector_fair, counts = self.needed, self.sector_fair, t.sectors
            for k, d in _net(fo.sectors, fi.sectors):
                old = counts.get(k, 0)
                new = old + d
                if k in needed:
                    hard += needed[k] * ((new == 0) - (old == 0))
                sector_dev += _dev(new, sector_fair[k]) - _dev(old, sector_fair[k])
        if bound:
            pass
        elif self.rules.separate_organisations:
            counts = t.orgs
            for o, d in _net(fo.orgs, fi.orgs):
                old = counts.get(o, 0)
                hard += max(0, old + d - 1) - max(0, old - 1)
        if fo.pin != fi.pin and not bound:
            pins = t.pins
            distinct = len(pins)
            after = (distinct - (fo.pin is not None and pins[fo.pin] == 1)
                     + (fi.pin is not None and fi.pin not in pins))
            hard += max(0, after - 1) - max(0, distinct - 1)
        if fo.partners and not bound:
            hard -= sum(1 for p in fo.partners if where.get(p) is t)
        if fi.partners and not bound:
            hard += sum(1 for p in fi.partners if where.get(p) is t and p != out)
        if attr_dev and fo.attrs != fi.attrs:
            devs = list(attr_dev)
            for i, (counts, shares, gone, come) in enumerate(zip(t.attrs, self.attr_fair, fo.attrs, fi.attrs, strict=True)):
                for v, d in _net(gone, come):
                    old = counts.get(v, 0)
                    devs[i] += _dev(old + d, shares[v]) - _dev(old, shares[v])
            attr_dev = tuple(devs)
        if fo.previous != fi.previous and self.rules.avoid_previous_pairs:
            counts = t.previous
            for label, d in _net(fo.previous, fi.previous):
                old = counts.get(label, 0)
                new = old + d
                previous += new * (new - 1) // 2 - old * (old - 1) // 2
        return _Parts(hard, sector_dev, attr_dev, previous)

    def _apply(self, t: _Tally, out: int | None, into: int | None, parts: _Parts) -> None:
        if out is not None:
            self._add(t, out, -1)
        if into is not None:
            self._add(t, into, 1)
        t.parts, t.cost = parts, self.compose(parts)

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
        # each into the emptiest set, the first of equals (a heap: a slot may hold thousands of sets)
        emptiest = [(size, j) for j, size in enumerate(sizes)]
        heapq.heapify(emptiest)
        for ui in multi:
            _, j = heapq.heappop(emptiest)
            groups[j].append(ui)
            sizes[j] += units[ui].size
            heapq.heappush(emptiest, (sizes[j], j))
        order = {k: i for i, k in enumerate(self.rules.sectors)}
        singles = sorted(
            (ui for ui in self.uids if units[ui].pin is None and units[ui].size == 1),
            key=lambda ui: (order.get(self.by_id[units[ui].members[0]].sector, len(order)),
                            self.by_id[units[ui].members[0]].sector,
                            org_key(self.by_id[units[ui].members[0]].organisation),
                            units[ui].members[0]))
        # water-fill: final sizes as even as the pre-placed units allow
        cap = list(sizes)
        lowest = [(size, j) for j, size in enumerate(cap)]
        heapq.heapify(lowest)
        for _ in singles:
            _, j = heapq.heappop(lowest)
            cap[j] += 1
            heapq.heappush(lowest, (cap[j], j))
        j = 0
        for ui in singles:
            while sizes[j] >= cap[j]:
                j = (j + 1) % n
            groups[j].append(ui)
            sizes[j] += 1
            j = (j + 1) % n
        return groups

    # ---- repair and polish ---------------------------------------------------------
    def work_budget(self) -> int:
        """Trial moves one repair or one polish may use at this slot."""
        return max(MIN_WORK, WORK_PER_PERSON * self.people)

    def improve(self, groups: list[list[int]], deadline: float, work: int | None = None) -> list[list[int]]:
        """Seeded moves and swaps between the groups. A move is taken only if it breaks fewer
        hard rules, or as many and lowers the total cost, so polishing a valid split can never
        make it invalid. Works on however many groups there are (not assuming n).

        Stops at a local optimum or after `work` trial moves (default: work_budget()), so the
        result depends on the seed alone. The deadline is a safety net: if it stops the search
        first, self.cut_short is set."""
        budget = self.work_budget() if work is None else work
        self.cut_short = False
        tallies = [self.tally(g) for g in groups]
        where = {ui: t for t in tallies for ui in t.members}
        # like-for-like swap partners of each set, by kind (size and sectors)
        alike: list[dict[tuple[int, Pairs], list[int]]] = []
        for t in tallies:
            index: dict[tuple[int, Pairs], list[int]] = {}
            for ui in t.members:
                index.setdefault(self.facts[ui].kind, []).append(ui)
            alike.append(index)
        m, rng, facts = len(tallies), self.rng, self.facts
        order = list(range(m))   # reshuffled lazily, one step per set looked at
        done = 0

        def spend() -> bool:
            """Count one trial; False when the budget or (safety net) the deadline is spent."""
            nonlocal done
            if done >= budget:
                return False
            if done % CLOCK_EVERY == 0 and time.monotonic() >= deadline:
                self.cut_short = True
                return False
            done += 1
            return True

        def better(ci: float, cj: float, i: int, j: int) -> bool:
            old_i, old_j = tallies[i].cost, tallies[j].cost
            old_hard = old_i // HARD + old_j // HARD
            new_hard = ci // HARD + cj // HARD
            return new_hard < old_hard or (new_hard == old_hard and ci + cj < old_i + old_j - 1e-9)

        def relocate(ui: int, i: int, j: int) -> None:
            where[ui] = tallies[j]
            kind = facts[ui].kind
            alike[i][kind].remove(ui)
            alike[j].setdefault(kind, []).append(ui)

        def try_unit(i: int, ui: int) -> bool | None:
            """Take the first better move or swap of unit ui out of set i; None: out of work."""
            ti = tallies[i]
            hard = ti.cost >= HARD
            rest = self._after(ti, where, ui, None)
            rest_cost = self.compose(rest)
            for step in range(m):
                pick = rng.randrange(step, m)
                order[step], order[pick] = order[pick], order[step]
                j = order[step]
                if j == i:
                    continue
                tj = tallies[j]
                if not spend():
                    return None
                joined = self._after(tj, where, None, ui)
                joined_cost = self.compose(joined)
                if better(rest_cost, joined_cost, i, j):
                    self._apply(ti, ui, None, rest)
                    self._apply(tj, None, ui, joined)
                    relocate(ui, i, j)
                    return True
                # soft polish only swaps like for like, which keeps sizes and sector mix
                partners = tj.members if hard else alike[j].get(facts[ui].kind, [])
                # both sets break no hard rule: a swap that does not lower even the lower bound
                # of the cost cannot be better, so most trials end after the cheap test
                quick = not hard and tj.cost < HARD
                for v in partners:
                    if not spend():
                        return None
                    if quick and (self.compose(self._after(ti, where, ui, v, bound=True))
                                  + self.compose(self._after(tj, where, v, ui, bound=True))
                                  >= ti.cost + tj.cost - 1e-9):
                        continue
                    gi = self._after(ti, where, ui, v)
                    gj = self._after(tj, where, v, ui)
                    ci, cj = self.compose(gi), self.compose(gj)
                    if better(ci, cj, i, j):
                        self._apply(ti, ui, v, gi)
                        self._apply(tj, v, ui, gj)
                        relocate(ui, i, j)
                        relocate(v, j, i)
                        return True
            return False

        improved = True
        while improved:
            improved = False
            todo = [(i, ui) for i, t in enumerate(tallies) if t.cost > 0 for ui in t.members]
            rng.shuffle(todo)
            for i, ui in todo:
                if where[ui] is not tallies[i] or tallies[i].cost == 0:
                    continue
                outcome = try_unit(i, ui)
                if outcome is None:
                    return [list(t.members) for t in tallies]
                improved |= outcome
        return [list(t.members) for t in tallies]

    def is_valid(self, groups: list[list[int]]) -> bool:
        return all(self.cost(g) < HARD for g in groups)

    # ---- exact check ---------------------------------------------------------------
    def mip(self, deadline: float) -> tuple[SplitStatus, list[list[int]]]:
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


def split_slot(uids: list[int], units: Sequence[Unit], n: int, by_id: Mapping[str, Candidate], rules: Rules,
               deadline: float, given: list[list[int]] | None = None) -> SplitOutcome:
    """Deal the units at one slot into exactly n valid sets, then polish the soft goals.

    `given`: sets already known to keep every hard rule (the full model's); they are only
    polished. The repair and the polish are bounded by work (see SlotSplitter.improve); the
    deadline stops them early only as a safety net (then cut_short is True), and bounds the
    exact per-slot MIP."""
    sp = SlotSplitter(uids, units, n, by_id, rules, rules.seed)
    cut_short = False
    groups = sp.deal() if given is None else [list(g) for g in given]
    if not sp.is_valid(groups):
        # repair by local search within its work budget, then let the exact MIP decide
        groups = sp.improve(groups, deadline)
        cut_short = sp.cut_short
        if not sp.is_valid(groups):
            status, groups = sp.mip(deadline)
            if status != "ok" or not sp.is_valid(groups):
                return SplitOutcome([], status if status != "ok" else "unknown", cut_short)
    # valid: only polish the soft goals (moves never break a hard rule)
    groups = sp.improve(groups, deadline)
    return SplitOutcome(groups, "ok", cut_short or sp.cut_short)
