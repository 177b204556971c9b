"""Refilling confirmed sets from the waiting list: pure Python + PuLP, no Flask, no database.

refill(sets, people, waiting, rules) -> RefillPlan proposes, for every set with a vacancy,
waiting-list people to offer its places to, keeping every hard rule that check_set checks.

How (fewest changes to existing members first):
1. Direct fill: a small MIP over only the sets with vacancies and the waiting people who can
   attend their places and times. Objectives, lexicographic by sequential solves as in
   master.py: most sets keeping every rule, then most places filled; then priority levels,
   highest first; then the seeded lottery.
2. Only for sets that step 1 cannot fill or make valid, the same model again for those sets, with
   current members of sets at the same place and time allowed to move in (the place a mover
   leaves must be refilled from the waiting list); the offers step 1 made to other sets stand.
   Moves are minimised right after the places filled, so a member is moved only when that fills
   a place no direct addition can; among as few moves, the candidates listed first move.
3. A set still below the minimum is offered a merge into other sets at the same place and time.
Every set a proposal or merge touches is checked with check_set before it is returned; solver
failures fall back to the other solver, then to a greedy answer that keeps the rules (status
"feasible", said in the explanation). Status "optimal" means every solve was proven optimal for
its model; the move model is limited to MOVES_PER_SET candidate movers per short set.
Each level is solved as a linear programme first: when its optimum is whole numbers (nearly always
here) it is the integer optimum too, at a fraction of the time of CBC's integer search.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulp

from .core import draw_lottery
from .scorecard import check_set, org_key
from .solver import Outcome, new_var, solve
from .types import Candidate, Rules, Status

#: move candidates considered per set that cannot be filled directly (keeps the model small)
MOVES_PER_SET = 10
SOLVER_NAMES = {"cbc": "CBC", "highs": "HiGHS"}


@dataclass
class ExistingSet:
    name: str
    slot: str
    members: list[str]      # candidate ids now in the set
    places: int             # the size the set should have (its size when confirmed)


@dataclass
class Move:
    person: str
    from_set: str
    to_set: str

    def to_dict(self) -> dict[str, str]:
        return {"person": self.person, "from": self.from_set, "to": self.to_set}


@dataclass
class Proposal:
    set: str                # the set that gains people
    add: list[str]          # waiting-list ids offered a place in it
    moves: list[Move] = field(default_factory=list)   # current members moved into it


@dataclass
class Merge:
    sets: list[str]         # the set that cannot be refilled first, then the sets its members join
    into: str               # the one set taking every member, or "" when they are spread (see moves)
    moves: list[Move]
    reason: str


@dataclass
class RefillPlan:
    vacancies: list[tuple[str, int]]
    proposals: list[Proposal] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    unfilled: list[tuple[str, int]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    status: Status = "optimal"
    #: seconds the whole refill took
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "vacancies": [{"set": name, "places": n} for name, n in self.vacancies],
            "proposals": [{"set": p.set, "add": list(p.add), "moves": [m.to_dict() for m in p.moves]}
                          for p in self.proposals],
            "merges": [{"sets": list(m.sets), "into": m.into, "moves": [mv.to_dict() for mv in m.moves],
                        "reason": m.reason} for m in self.merges],
            "unfilled": [{"set": name, "places": n} for name, n in self.unfilled],
            "explanation": list(self.explanation),
            "status": self.status,
        }


def vacancies_of(s: ExistingSet, rules: Rules) -> int:
    """Places to fill: back to the confirmed size, and at least up to the minimum, never past the maximum."""
    need = max(s.places - len(s.members), rules.min_size - len(s.members), 0)
    return max(0, min(need, rules.max_size - len(s.members)))


# ---- the model ---------------------------------------------------------------------------
@dataclass
class _Fill:
    """One answer: who is added to / moved into each set, and which sets keep every rule."""
    add: dict[str, list[str]] = field(default_factory=dict)        # set name -> waiting ids
    moves: list[Move] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)                  # target sets keeping every rule
    proven: bool = True
    notes: list[str] = field(default_factory=list)
    greedy: bool = False    # the simple fallback, not a solver's answer


class _FillModel:
    """x[p,S]: waiting person p is offered a place in set S; m[q,S]: current member q moves into S;
    ok[S]: target set S keeps every rule afterwards (a target that cannot is left untouched).
    Donor sets (no vacancy) must keep every rule and their size."""

    def __init__(self, targets: list[ExistingSet], donors: list[ExistingSet], vacancy: Mapping[str, int],
                 pool: Sequence[str], movers: Sequence[tuple[str, str, str]], by_id: Mapping[str, Candidate],
                 rules: Rules, blocked: set[str]) -> None:
        self.rules = rules
        self.prob = prob = pulp.LpProblem("refill", pulp.LpMaximize)
        sets = targets + donors
        self.home = home = {q: s.name for s in sets for q in s.members}
        self.x: dict[tuple[str, str], pulp.LpVariable] = {}
        self.m: dict[tuple[str, str], pulp.LpVariable] = {}
        self.ok: dict[str, pulp.LpVariable] = {}
        index = {s.name: i for i, s in enumerate(sets)}
        for t in targets:
            ub = 0 if t.name in blocked else 1
            self.ok[t.name] = new_var(prob, f"ok_{index[t.name]}", 0, ub, cat=pulp.LpBinary)
        donor_names = {d.name for d in donors}
        partner: dict[str, list[str]] = defaultdict(list)
        for a, b in rules.must_together:
            partner[a].append(b)
            partner[b].append(a)
        pi = {p: i for i, p in enumerate(pool)}
        for p in pool:
            c = by_id[p]
            pinned = rules.pins.get(p)
            for s in sets:
                if s.slot not in c.slots or (pinned is not None and pinned != s.name):
                    continue
                if s.name in donor_names and not any(
                        _replaces(p, q, s, by_id, rules) for q, f, _ in movers if f == s.name):
                    continue   # a donor only takes someone who can fill the place a mover leaves
                others = partner.get(p, [])
                if any(o not in pi and o not in s.members for o in others):
                    continue   # a must-together partner who cannot be in this set
                self.x[p, s.name] = new_var(prob, f"x_{pi[p]}_{index[s.name]}", cat=pulp.LpBinary)
        for p, others in partner.items():
            for o in others:
                if p in pi and o in pi and p < o:
                    for s in sets:
                        va, vb = self.x.get((p, s.name)), self.x.get((o, s.name))
                        if va is not None or vb is not None:
                            prob += (va if va is not None else 0) == (vb if vb is not None else 0)
        qi = {q: i for i, q in enumerate(sorted({q for q, _, _ in movers}))}
        for q, _from, to in movers:
            self.m[q, to] = new_var(prob, f"m_{qi[q]}_{index[to]}", cat=pulp.LpBinary)

        out_of: dict[str, list[pulp.LpVariable]] = defaultdict(list)
        moves_of: dict[str, list[pulp.LpVariable]] = defaultdict(list)
        for (q, _to), v in self.m.items():
            out_of[home[q]].append(v)
            moves_of[q].append(v)
        for vs in moves_of.values():
            prob += pulp.lpSum(vs) <= 1
        placed_in: dict[str, list[pulp.LpVariable]] = defaultdict(list)
        for (p, _s), v in self.x.items():
            placed_in[p].append(v)
        for vs in placed_in.values():
            if len(vs) > 1:
                prob += pulp.lpSum(vs) <= 1

        for s in sets:
            ok: Any = self.ok.get(s.name, 1)
            # presence of each person who may end up in s: an expression in the variables
            present: dict[str, Any] = {}
            for q in s.members:
                present[q] = 1 - pulp.lpSum(moves_of[q]) if moves_of.get(q) else 1
            incoming = [(p, v) for (p, name), v in self.x.items() if name == s.name]
            incoming += [(q, v) for (q, name), v in self.m.items() if name == s.name]
            for p, v in incoming:
                present[p] = v
                if s.name in self.ok:
                    _keep(prob, v <= ok)
            if s.name in self.ok and not incoming and not out_of.get(s.name):
                # nothing can change here: the set keeps every rule as it is, or it cannot
                if not check_set(s.members, s.slot, by_id, rules, name=s.name).ok:
                    ok.upBound = 0
                else:
                    ok.lowBound = 1
            if s.name in self.ok and out_of.get(s.name):
                _keep(prob, pulp.lpSum(out_of[s.name]) <= ok)
            size = pulp.lpSum(present.values())
            if s.name in self.ok:
                _keep(prob, size <= len(s.members) + vacancy[s.name])
                _keep(prob, size >= rules.min_size * ok)
            else:
                _keep(prob, size == len(s.members))
            current = set(s.members)
            if rules.require_all_sectors:
                for k in rules.sectors:
                    _keep(prob, pulp.lpSum(e for pid, e in present.items() if by_id[pid].sector == k) >= ok)
            if rules.separate_organisations:
                groups: dict[str, list[str]] = defaultdict(list)
                for pid in present:
                    groups[org_key(by_id[pid].organisation)].append(pid)
                for ids in groups.values():
                    if len(ids) > 1:
                        slack = max(0, sum(1 for pid in ids if pid in current) - 1)
                        _keep(prob, pulp.lpSum(present[pid] for pid in ids) <= 1 + slack * (1 - ok))
            for a, b in rules.never_together:
                if a in present and b in present:
                    both = 1 if a in current and b in current else 0
                    _keep(prob, present[a] + present[b] <= 1 + both * (1 - ok))

    def solve_levels(self, by_id: Mapping[str, Candidate], rank: Mapping[str, int], deadline: float,
                     fill: _Fill) -> bool:
        """Lexicographic solves into `fill`; False when no solver gave any answer (then go greedy)."""
        x, m, ok = self.x, self.m, self.ok
        if not x and not m and not ok:
            return True
        added = pulp.lpSum(x.values())
        # 1. sets keeping every rule, then places filled (both small integers, so one weighted solve)
        if not self._run((len(x) + 1) * pulp.lpSum(ok.values()) + added, deadline, fill, warm=False):
            return False
        self._fix(pulp.lpSum(ok.values()), self._value(ok.values()), ">=")
        self._fix(added, self._value(x.values()), ">=")
        # 2. fewest moves; among as few, the movers listed first (weights K + i, i < K: one move
        # more always costs more than any choice of who moves, so the count stays lexicographic)
        if m and self._value(m.values()) > 0:
            k = len(m) + 1
            cost = pulp.lpSum((k + i) * v for i, v in enumerate(m.values()))
            if not self._run(-cost, deadline, fill):
                return self._read(fill)
            self._fix(cost, self._cost(m), "<=")
        elif m:
            self._fix(pulp.lpSum(m.values()), 0, "<=")
        # 3. priority levels, highest first; the lowest is implied by the number placed
        pool_ids = sorted({p for p, _ in x})
        chosen = {p for (p, _), v in x.items() if (v.varValue or 0) > 0.5}
        if len(chosen) < len(pool_ids):
            levels = sorted({by_id[p].priority for p in pool_ids}, reverse=True)
            for level in levels[:-1]:
                at_level = [v for (p, _), v in x.items() if by_id[p].priority == level]
                total = sum(1 for p in pool_ids if by_id[p].priority == level)
                if self._value(at_level) < total and not self._run(pulp.lpSum(at_level), deadline, fill):
                    return self._read(fill)
                self._fix(pulp.lpSum(at_level), self._value(at_level), ">=")
            # 4. the lottery among what is still tied (rank 0 = luckiest)
            n = len(rank) + 1
            self._run(pulp.lpSum((n - rank[p]) * v for (p, _), v in x.items()), deadline, fill)
        return self._read(fill)

    def _run(self, objective: Any, deadline: float, fill: _Fill, warm: bool = True) -> bool:
        """One solve; on failure the previous answer is put back (a failed HiGHS run leaves zeros)."""
        variables = self.prob.variables()
        before = {v.name: v.varValue for v in variables}
        self.prob.setObjective(objective)
        if warm:
            for v in variables:
                v.setInitialValue(before[v.name])
        if self._relaxed_is_integral(deadline):
            return True
        out = _solve(self.prob, self.rules, deadline, fill.notes, warm)
        if out is None or not out.proven:
            fill.proven = False
        if out is None or not out.has_solution:
            for v in variables:
                v.varValue = before[v.name]
            return False
        return True

    def _relaxed_is_integral(self, deadline: float) -> bool:
        """Solve the linear relaxation first: these models are nearly assignment problems, so its
        optimum is usually already whole numbers, and then it is the proven optimum of the MIP
        too, found in a fraction of the time the MIP search (preprocessing, heuristics) takes."""
        variables = self.prob.variables()
        before = {v.name: v.varValue for v in variables}
        for v in variables:
            v.cat = pulp.LpContinuous
        try:
            out = _solve(self.prob, self.rules, deadline, [], warm=False)
        finally:
            for v in variables:
                v.cat = pulp.LpInteger
        if out is not None and out.proven and all(
                v.varValue is not None and abs(v.varValue - round(v.varValue)) < 1e-6 for v in variables):
            for v in variables:
                v.varValue = round(v.varValue)
            return True
        for v in variables:
            v.varValue = before[v.name]
        return False

    def _cost(self, m: Mapping[Any, Any]) -> int:
        k = len(m) + 1
        return int(round(sum((k + i) * (v.varValue or 0) for i, v in enumerate(m.values()))))

    def _value(self, variables: Any) -> int:
        return int(round(sum(v.varValue or 0 for v in variables)))

    def _fix(self, expr: Any, value: int, sense: str) -> None:
        if not any(expr.values()):
            return   # CBC fails on a constraint with nothing in it
        self.prob += (expr >= value) if sense == ">=" else (expr <= value)

    def _read(self, fill: _Fill) -> bool:
        for (p, s), v in sorted(self.x.items()):
            if (v.varValue or 0) > 0.5:
                fill.add.setdefault(s, []).append(p)
        fill.valid = {s for s, v in self.ok.items() if (v.varValue or 0) > 0.5}
        fill.moves = [Move(q, self.home[q], to) for (q, to), v in sorted(self.m.items()) if (v.varValue or 0) > 0.5]
        return True


def _keep(prob: pulp.LpProblem, constraint: Any) -> None:
    """Add a constraint unless it has no variables left (it then holds by construction: donors
    and untouched members already keep the rules); CBC rejects constraints with nothing in them."""
    if not isinstance(constraint, bool) and len(constraint):
        prob += constraint


def _solve(prob: pulp.LpProblem, rules: Rules, deadline: float, notes: list[str], warm: bool) -> Outcome | None:
    """The chosen solver, then the other one; None when neither gave an answer."""
    order = [rules.solver] + [s for s in ("cbc", "highs") if s != rules.solver]
    for i, solver in enumerate(order):
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            notes.append("The time limit was reached before the solver could answer.")
            return None
        try:
            out = solve(prob, solver, remaining, rules.seed, warm_start=warm and solver == "cbc")
        except Exception as exc:  # noqa: BLE001 - a missing or crashing solver must not stop the refill
            out = None
            why = f"failed ({type(exc).__name__})"
        else:
            why = "gave no answer in time"
        if out is not None and (out.has_solution or out.infeasible):
            return out
        if i + 1 < len(order):
            notes.append(f"The {SOLVER_NAMES[solver]} solver {why}; {SOLVER_NAMES[order[i + 1]]} was used instead.")
        else:
            notes.append(f"The {SOLVER_NAMES[solver]} solver {why} too.")
    return None


# ---- greedy fallback ----------------------------------------------------------------------
def _greedy(targets: list[ExistingSet], vacancy: Mapping[str, int], pool: Sequence[str],
            by_id: Mapping[str, Candidate], rules: Rules, blocked: set[str]) -> _Fill:
    """Direct additions only, best-ranked first, missing sectors first; a set is filled only
    when the result keeps every rule. Used when no solver answers."""
    fill = _Fill(proven=False, greedy=True)
    taken: set[str] = set()
    # sizes and sectors are settled by the order of picking; pins of people not yet added wait
    loose = replace(rules, min_size=0, require_all_sectors=False,
                    pins={p: n for p, n in rules.pins.items() if p not in pool})
    for s in targets:
        if s.name in blocked:
            continue
        members = list(s.members)
        able = [p for p in pool if p not in taken and s.slot in by_id[p].slots
                and rules.pins.get(p, s.name) == s.name]
        added: list[str] = []

        def fits(p: str, members: list[str] = members, s: ExistingSet = s) -> bool:
            return check_set(members + [p], s.slot, by_id, loose, name=s.name).ok

        missing = [k for k in rules.sectors if rules.require_all_sectors
                   and not any(by_id[q].sector == k for q in members)]
        for k in missing:
            for p in able:
                if len(added) < vacancy[s.name] and p not in added and by_id[p].sector == k and fits(p):
                    members.append(p)
                    added.append(p)
                    break
        for p in able:
            if len(added) >= vacancy[s.name]:
                break
            if p not in added and fits(p):
                members.append(p)
                added.append(p)
        if check_set(members, s.slot, by_id, rules, name=s.name).ok:
            fill.valid.add(s.name)
            if added:
                fill.add[s.name] = added
                taken.update(added)
    return fill


# ---- the entry point ----------------------------------------------------------------------
def refill(sets: list[ExistingSet], people: dict[str, Candidate], waiting: list[str], rules: Rules,
           *, lottery: Mapping[str, int] | None = None) -> RefillPlan:
    """Propose waiting-list replacements for every vacancy (see the module docstring).

    `lottery` (optional) is the selection run's recorded draw (1 = luckiest), so the waiting list
    keeps the order it had; without it, a fresh seeded draw over the waiting list is used."""
    start = time.monotonic()
    deadline = start + rules.time_limit
    by_id = dict(people)
    for s in sets:
        for q in s.members:
            if q not in by_id:
                raise ValueError(f"{q!r} is in {s.name} but has no details")
    in_sets = {q for s in sets for q in s.members}
    pool: list[str] = []
    for p in dict.fromkeys(waiting):
        if p not in by_id:
            raise ValueError(f"{p!r} is on the waiting list but has no details")
        if p not in in_sets:
            pool.append(p)
    draw = draw_lottery([by_id[p] for p in pool], rules.seed)
    if lottery is not None:
        # the run's own numbers first; anyone it did not draw comes after, in a fresh seeded order
        top = max(lottery.values(), default=0)
        draw = {p: lottery[p] if p in lottery else top + draw[p] for p in pool}
    pool.sort(key=lambda p: (-by_id[p].priority, draw[p], p))
    rank = {p: i for i, p in enumerate(pool)}

    vacancy = {s.name: vacancies_of(s, rules) for s in sets}
    plan = RefillPlan(vacancies=[(s.name, vacancy[s.name]) for s in sets if vacancy[s.name] > 0])
    targets = [s for s in sets if vacancy[s.name] > 0]
    if not targets:
        plan.explanation = ["No set has a vacancy, so there is nothing to refill."]
        plan.seconds = time.monotonic() - start
        return plan
    loose = replace(rules, min_size=0, max_size=10**6, require_all_sectors=False, separate_organisations=False,
                    pins={p: n for p, n in rules.pins.items() if p in in_sets})
    # problems no addition can repair (someone who cannot attend, a pin, a pair): the set is left as it is
    blocked = {s.name for s in targets if not check_set(s.members, s.slot, by_id, loose, name=s.name).ok}

    def fill_at(tgts: list[ExistingSet], donors: list[ExistingSet], people_pool: list[str],
                movers: list[tuple[str, str, str]]) -> _Fill:
        got = _Fill()
        people_pool = _prune(people_pool, tgts, vacancy, len(movers), by_id, rules)
        model = _FillModel(tgts, donors, vacancy, people_pool, movers, by_id, rules, blocked)
        if not model.solve_levels(by_id, rank, deadline, got):
            greedy = _greedy(tgts, vacancy, people_pool, by_id, rules, blocked)
            greedy.notes = got.notes + ["No solver answered, so a simple answer that keeps every rule is "
                                        "shown: the best-placed people on the waiting list, in order."]
            return greedy
        return got

    fill = fill_at(targets, [], pool, [])
    notes = list(fill.notes)
    proven = fill.proven
    needy = [s for s in targets if s.name not in blocked
             and (s.name not in fill.valid or len(fill.add.get(s.name, [])) < vacancy[s.name])]
    if needy and not fill.greedy:
        # Step 2, only where step 1 fell short: the offers step 1 made to other sets stand; the
        # needy sets are decided again, with moves from sets at their places and times.
        slots = {s.slot for s in needy}
        needy_names = {s.name for s in needy}
        settled = {p for name, ids in fill.add.items() if name not in needy_names for p in ids}
        pool_b = [p for p in pool if p not in settled and slots & set(by_id[p].slots)]
        left = [p for p in pool_b if p not in {q for ids in fill.add.values() for q in ids}]
        # sets step 1 fills keep their offers, so they are not sources of moves
        sources = [s for s in sets if s.name in needy_names or vacancy[s.name] == 0]
        movers = _move_candidates(needy, sources, vacancy, blocked, left, by_id, rules) if left else []
        if movers:
            donor_names = {f for _, f, _ in movers} - needy_names
            donors = [s for s in sets if s.name in donor_names]
            again = fill_at(needy, donors, pool_b, movers)
            notes += again.notes
            if not again.greedy:   # a greedy answer never beats the direct fill already found
                proven = proven and again.proven
                for s in needy:
                    fill.add.pop(s.name, None)
                    fill.valid.discard(s.name)
                fill.add.update(again.add)
                fill.valid |= again.valid
                fill.moves = again.moves

    final = {s.name: list(s.members) for s in sets}
    for mv in fill.moves:
        final[mv.from_set].remove(mv.person)
        final[mv.to_set].append(mv.person)
    for name, ids in fill.add.items():
        final[name].extend(ids)
    by_name = {s.name: s for s in sets}
    changed = set(fill.add) | {mv.to_set for mv in fill.moves} | {mv.from_set for mv in fill.moves}
    broken = [n for n in sorted(changed) if not check_set(final[n], by_name[n].slot, by_id, rules, name=n).ok]
    if broken:
        # Guard: should never fire. Fall back to direct additions that check_set accepts.
        notes.append("The optimiser's answer broke a rule for " + ", ".join(broken)
                     + ", so a simple answer that keeps every rule is shown instead.")
        proven = False
        fill = _greedy(targets, vacancy, pool, by_id, rules, blocked)
        final = {s.name: list(s.members) for s in sets}
        for name, ids in fill.add.items():
            final[name].extend(ids)

    _write_plan(plan, sets, targets, vacancy, fill, final, pool, blocked, by_id, rules)
    plan.explanation += list(dict.fromkeys(notes))
    plan.status = "optimal" if proven else "feasible"
    plan.explanation.append(
        "Where more people could take a place, higher priority went first, then the lottery"
        + (" recorded for the selection." if lottery is not None else f" (seed {rules.seed}).")
        + ("" if proven else " The solver did not prove this is the best answer."))
    plan.seconds = time.monotonic() - start
    return plan


def _move_candidates(needy: list[ExistingSet], sets: list[ExistingSet], vacancy: Mapping[str, int],
                     blocked: set[str], left: list[str], by_id: Mapping[str, Candidate],
                     rules: Rules) -> list[tuple[str, str, str]]:
    """(member, from set, to set) moves that could help a set no direct addition fills: the member
    can attend, brings a sector the set lacks or at least no organisation clash, and the place they
    leave can be taken by someone still on the waiting list."""
    together = {i for pair in rules.must_together for i in pair}
    out: list[tuple[str, str, str]] = []
    for s in needy:
        orgs = {org_key(by_id[q].organisation) for q in s.members}
        have = Counter(by_id[q].sector for q in s.members)
        lacking = {k for k in rules.sectors if rules.require_all_sectors and not have[k]}
        able = [p for p in left if s.slot in by_id[p].slots]
        options: list[tuple[int, str, str, str]] = []
        for d in sets:
            if d.name == s.name or d.slot != s.slot or d.name in blocked:
                continue
            if vacancy[d.name] == 0 and not check_set(d.members, d.slot, by_id, rules, name=d.name).ok:
                continue   # never take from a set that is already breaking a rule
            d_sectors = Counter(by_id[q].sector for q in d.members)
            for q in d.members:
                c = by_id[q]
                if q in rules.pins or q in together or s.slot not in c.slots:
                    continue
                if rules.separate_organisations and org_key(c.organisation) in orgs:
                    continue
                d_orgs = {org_key(by_id[o].organisation) for o in d.members if o != q}
                need_same = rules.require_all_sectors and d_sectors[c.sector] == 1
                if not any((not need_same or by_id[p].sector == c.sector)
                           and (not rules.separate_organisations or org_key(by_id[p].organisation) not in d_orgs)
                           for p in able):
                    continue
                options.append((0 if c.sector in lacking else 1, d.name, q, s.name))
        options.sort(key=lambda o: (o[0], _set_order(o[1]), o[2]))
        out += [(q, d, to) for _, d, q, to in options[:MOVES_PER_SET]]
    return out


def _replaces(p: str, q: str, d: ExistingSet, by_id: Mapping[str, Candidate], rules: Rules) -> bool:
    """Can waiting person p take the place member q leaves in set d, as far as sector and organisation go?"""
    c, leaver = by_id[p], by_id[q]
    if rules.separate_organisations and org_key(c.organisation) in {
            org_key(by_id[o].organisation) for o in d.members if o != q}:
        return False
    if rules.require_all_sectors and c.sector != leaver.sector:
        return sum(1 for o in d.members if by_id[o].sector == leaver.sector) > 1
    return True


def _prune(pool: list[str], targets: list[ExistingSet], vacancy: Mapping[str, int], extra: int,
           by_id: Mapping[str, Candidate], rules: Rules) -> list[str]:
    """Leave out waiting people who can never be chosen, so the model stays small. `pool` is in
    rank order. Among people with the same sector and the same places/times open to them, someone
    is left out when better-ranked people from at least F + max_size different organisations
    come before them (F: the places open to them, plus `extra` for places movers leave). Whatever
    set they could join, one of those is then free, fits the same rules and ranks better, so the
    optimum never picks them (an exchange argument). People named in pins or pairs are kept."""
    slots = {s.slot for s in targets}
    places: Counter[str] = Counter()
    for s in targets:
        places[s.slot] += vacancy[s.name]
    named = set(rules.pins) | {i for pair in rules.never_together + rules.must_together for i in pair}
    seen: dict[tuple[str, frozenset[str]], set[str]] = defaultdict(set)
    kept = []
    for p in pool:
        c = by_id[p]
        open_slots = frozenset(slots & set(c.slots))
        if not open_slots:
            continue
        key = (c.sector, open_slots)
        orgs = seen[key]
        if p in named or len(orgs) < sum(places[t] for t in open_slots) + extra + rules.max_size:
            kept.append(p)
        orgs.add(org_key(c.organisation))
    return kept


def _set_order(name: str) -> tuple[int, str]:
    tail = name.rsplit(" ", 1)[-1]
    return (int(tail) if tail.isdigit() else 10**9, name)


# ---- the plan in words ------------------------------------------------------------------------
def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _names(ids: Sequence[str], by_id: Mapping[str, Candidate]) -> str:
    labels = [by_id[i].label for i in ids]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _write_plan(plan: RefillPlan, sets: list[ExistingSet], targets: list[ExistingSet], vacancy: Mapping[str, int],
                fill: _Fill, final: dict[str, list[str]], pool: list[str], blocked: set[str],
                by_id: Mapping[str, Candidate], rules: Rules) -> None:
    by_name = {s.name: s for s in sets}
    lines = plan.explanation
    total = sum(vacancy[s.name] for s in targets)
    offered = {p for ids in fill.add.values() for p in ids}
    lines.append(f"{_count(total, 'place')} to fill in {_count(len(targets), 'set')}; "
                 f"{_count(len(offered), 'person', 'people')} on the waiting list can be offered a place.")
    moved_into: dict[str, list[Move]] = defaultdict(list)
    for mv in fill.moves:
        moved_into[mv.to_set].append(mv)
    for s in sorted(sets, key=lambda s: _set_order(s.name)):
        add, moves = fill.add.get(s.name, []), moved_into.get(s.name, [])
        if add or moves:
            plan.proposals.append(Proposal(set=s.name, add=list(add), moves=list(moves)))
        if add and not any(mv.from_set == s.name for mv in fill.moves):
            lines.append(f"{s.name} ({s.slot}): offer {_count(len(add), 'place')} to {_names(add, by_id)}.")
    for mv in fill.moves:
        s = by_name[mv.to_set]
        others = [q for q in final[s.name] if q != mv.person]
        sector = by_id[mv.person].sector
        if rules.require_all_sectors and not any(by_id[q].sector == sector for q in others):
            why = f"{s.name}'s place needs a {sector}-sector member"
        else:
            why = (f"{s.name}'s place cannot be filled from the waiting list without breaking a rule "
                   f"(for example two people from one organisation)")
        taker = fill.add.get(mv.from_set, [])
        then = f", whose place goes to {_names(taker, by_id)}" if taker else ""
        lines.append(f"{why}: moved {by_id[mv.person].label} from {mv.from_set}{then}.")

    for s in targets:
        filled = len(final[s.name]) - len(s.members)
        short = vacancy[s.name] - filled
        valid = s.name in fill.valid
        if not valid:
            short = vacancy[s.name]
        if short <= 0:
            continue
        plan.unfilled.append((s.name, short))
        lines.append(_why_unfilled(s, short, valid, final, pool, offered, blocked, by_id, rules))

    # Smallest first: when two sets are below the minimum, the smaller one moves into the larger,
    # the merge with the fewest moves (the larger is then no longer below the minimum).
    for s in sorted(targets, key=lambda s: (len(final[s.name]), _set_order(s.name))):
        if s.name in fill.valid or len(final[s.name]) >= rules.min_size or s.name in blocked or not final[s.name]:
            continue
        merge = _merge(s, sets, final, by_id, rules)
        size = len(final[s.name])
        below = (f"{s.name} has {_count(size, 'member')}, below the minimum of {rules.min_size}, "
                 f"and cannot be refilled from the waiting list")
        if merge is None:
            room = sum(max(0, rules.max_size - len(final[o.name])) for o in sets
                       if o.slot == s.slot and o.name != s.name and final[o.name])
            if room == 0:
                why = f"the other sets at {s.slot} have no room"
            elif room < size:
                why = (f"the other sets at {s.slot} have room for only "
                       f"{_count(room, 'more person', 'more people')}")
            else:
                why = f"its members cannot join the other sets at {s.slot} without breaking a rule"
            lines.append(f"{below}; {why}, so no merge is proposed.")
            continue
        for mv in merge.moves:
            final[mv.from_set].remove(mv.person)
            final[mv.to_set].append(mv.person)
        merge.reason = below + (f": its members can join {merge.into}." if merge.into else
                                ": its members can join other sets at the same place and time ("
                                + "; ".join(f"{_names([m.person for m in merge.moves if m.to_set == t], by_id)} "
                                            f"to {t}" for t in merge.sets[1:]) + ").")
        plan.merges.append(merge)
        lines.append(f"Merge proposed: {merge.reason}")


def _why_unfilled(s: ExistingSet, short: int, valid: bool, final: dict[str, list[str]], pool: list[str],
                  offered: set[str], blocked: set[str], by_id: Mapping[str, Candidate], rules: Rules) -> str:
    places = _count(short, "place")
    head = f"{s.name} ({s.slot}): {places} not filled. "
    if s.name in blocked:
        card = check_set(s.members, s.slot, by_id, rules, name=s.name)
        rest = [b for b in card.broken if "members (a set needs" not in b and "-sector member" not in b
                and " people from " not in b]
        return head + f"The organiser needs to settle this first: {'; '.join(rest) or card.broken[0]}."
    able = [p for p in pool if s.slot in by_id[p].slots]
    if not able:
        return head + f"No one on the waiting list can attend {s.slot}."
    free = [p for p in able if p not in offered]
    members = final[s.name] if valid else s.members
    if rules.require_all_sectors and not valid:
        for k in rules.sectors:
            if any(by_id[q].sector == k for q in members):
                continue
            of_k = [p for p in able if by_id[p].sector == k]
            if not of_k:
                return head + (f"{s.name} needs a {k}-sector member and no {k}-sector person on the waiting "
                               f"list can attend its place and time.")
            if all(p in offered for p in of_k):
                return head + (f"{s.name} needs a {k}-sector member and every {k}-sector person on the "
                               f"waiting list who can attend {s.slot} is offered a place in another set.")
            return head + (f"{s.name} needs a {k}-sector member and the {k}-sector people on the waiting list "
                           f"who can attend {s.slot} cannot join it without breaking a rule "
                           f"(for example a colleague already in the set).")
    if not free:
        where = "already" if any(p in final[s.name] for p in able) else "in another set"
        return head + f"Everyone on the waiting list who can attend {s.slot} is offered a place {where}."
    if len(members) + len(free) < rules.min_size and not valid:
        return head + (f"Only {_count(len(free), 'person', 'people')} left on the waiting list can attend "
                       f"{s.slot}, too few to bring {s.name} up to the minimum of {rules.min_size}.")
    orgs = {org_key(by_id[q].organisation) for q in members}
    if rules.separate_organisations and all(org_key(by_id[p].organisation) in orgs for p in free):
        return head + (f"Everyone left on the waiting list who can attend {s.slot} works for an "
                       f"organisation already in {s.name}.")
    trial = check_set(members + [free[0]], s.slot, by_id, rules, name=s.name)
    reason = next((b for b in trial.broken if "members (a set needs" not in b), None)
    return head + ("No one left on the waiting list can join it without breaking a rule"
                   + (f" ({reason})." if reason else "."))


def _merge(s: ExistingSet, sets: list[ExistingSet], final: dict[str, list[str]], by_id: Mapping[str, Candidate],
           rules: Rules) -> Merge | None:
    """Move every member of `s` into one other set at the same place and time, or spread them over
    several; every receiving set must keep every rule. None when no merge fits."""
    members = list(final[s.name])
    others = sorted((o for o in sets if o.slot == s.slot and o.name != s.name),
                    key=lambda o: (-(rules.max_size - len(final[o.name])), _set_order(o.name)))

    def ok(name: str, ids: list[str]) -> bool:
        return len(ids) <= rules.max_size and check_set(ids, s.slot, by_id, rules, name=name).ok

    for o in others:
        if final[o.name] and ok(o.name, final[o.name] + members):
            return Merge(sets=[s.name, o.name], into=o.name,
                         moves=[Move(q, s.name, o.name) for q in members], reason="")
    # Spread: each member alone must fit the receiving set. Members of one set never clash with
    # each other (different organisations, no never-together pair), so who goes where is a
    # matching with capacities (each set takes as many as it has room for): augmenting paths.
    open_sets = [o for o in others if final[o.name] and ok(o.name, final[o.name])]
    room = {o.name: rules.max_size - len(final[o.name]) for o in open_sets}
    fits = {q: [o.name for o in open_sets if room[o.name] > 0 and ok(o.name, final[o.name] + [q])]
            for q in members}
    where: dict[str, str] = {}

    def augment(q: str, seen: set[str]) -> bool:
        for name in fits[q]:
            if name in seen:
                continue
            seen.add(name)
            holders = [m for m, t in where.items() if t == name]
            if len(holders) < room[name]:
                where[q] = name
                return True
            for other in holders:
                if augment(other, seen):
                    where[q] = name
                    return True
        return False

    if not all(augment(q, set()) for q in members):
        return None
    into = sorted(set(where.values()), key=_set_order)
    if not all(ok(name, final[name] + [q for q in members if where[q] == name]) for name in into):
        return None   # guard: the matching assumes members do not clash with one another
    return Merge(sets=[s.name] + into, into="", moves=[Move(q, s.name, where[q]) for q in members], reason="")


__all__ = ["ExistingSet", "Merge", "Move", "Proposal", "RefillPlan", "refill", "vacancies_of"]
