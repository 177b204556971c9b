"""Why no answer exists: which rule binds, by how much, and what the organiser could change.

Counting comes first and needs no solver: how many sets the people who can attend could fill
(people ÷ smallest set, the scarcest sector, colleagues, each place/time on its own). That settles
the usual cases (too many sets asked for, a scarce sector, pins at a small place/time) in time
linear in people. Only when counting settles nothing is the slot model solved again, within the
caller's deadline; every solve is guarded, because a solver that crashes must not turn an
explanation into a traceback.

Every change suggested is an `advice` phrase, so it names a control the organiser has.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pulp

from . import advice
from .advice import count
from .explain import slot_shortage
from .master import OutOfTime, SlotModel
from .solver import solve
from .types import Candidate, Rules
from .units import Unit

EVERYWHERE = "an offered place/time"
#: a solve whose share of the time left is shorter than this is not started
MIN_SOLVE_SECONDS = 0.5
#: seconds to build the slot model per (unit, place/time) choice, measured at 2,000-50,000 applicants
#: (25-40 µs) with room to spare: the first build's share of the time left is reserved from this
BUILD_SECONDS_PER_CHOICE = 5e-5


# ---- counting bounds (no solver) --------------------------------------------------------
@dataclass
class _Pool:
    """The people who can attend one place/time (or any offered one)."""
    people: int = 0
    sectors: Counter = field(default_factory=Counter)
    orgs: Counter = field(default_factory=Counter)   # normalised organisation -> people

    def add(self, unit: Unit) -> None:
        self.people += unit.size
        self.sectors.update(unit.sectors)
        self.orgs.update(unit.orgs)


@dataclass(frozen=True)
class _Limit:
    """At most `at_most` sets, because of `rule` ("size", "sector", "colleagues" or "places")."""
    at_most: int
    rule: str
    why: str
    sector: str = ""


def _pools(units: list[Unit]) -> tuple[_Pool, dict[str, _Pool]]:
    """Everyone who can be placed somewhere, and per place/time who can be placed there.
    A unit's slots are already the offered places/times all its members can attend (only the
    pinned one for a pinned unit); a blocked unit has none."""
    everywhere, at = _Pool(), dict[str, _Pool]()
    for u in units:
        if not u.slots:
            continue
        everywhere.add(u)
        for s in u.slots:
            at.setdefault(s, _Pool()).add(u)
    return everywhere, at


def _applicants(n: int, sector: str = "") -> str:
    kind = f"{sector}-sector applicant" if sector else "applicant"
    return f"no {kind}" if n == 0 else count(n, kind)


def _most_sets_without_colleagues(orgs: Counter, min_size: int, at_most: int) -> int:
    """Largest n with sum over organisations of min(people, n) >= min_size * n: each of n sets
    takes at most one person per organisation. The left side minus the right is concave in n
    and 0 at n = 0, so the n that fit are 0..answer and a bisection finds it."""
    lo, hi = 0, at_most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(k, mid) for k in orgs.values()) >= min_size * mid:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _limits(pool: _Pool, rules: Rules, where: str) -> list[_Limit]:
    """Upper bounds on the number of sets the people of `pool` can fill, each with its reason."""
    by_size = pool.people // rules.min_size
    out = [_Limit(by_size, "size", f"only {_applicants(pool.people)} can attend {where}, and a set needs "
                                   f"at least {rules.min_size}")]
    if rules.require_all_sectors and rules.sectors:
        scarce = min(rules.sectors, key=lambda k: pool.sectors[k])
        out.append(_Limit(pool.sectors[scarce], "sector",
                          f"only {_applicants(pool.sectors[scarce], scarce)} can attend {where}, and every "
                          f"set needs one", scarce))
    if rules.separate_organisations:
        most = _most_sets_without_colleagues(pool.orgs, rules.min_size, by_size)
        if most < by_size:   # otherwise the size bound already says it
            largest = max(pool.orgs.values())
            out.append(_Limit(most, "colleagues",
                              f"no two colleagues may share a set, and the {pool.people} applicants who can "
                              f"attend {where} come from {count(len(pool.orgs), 'organisation')}, {largest} of "
                              f"them from one"))
    return out


def _binding(limits: list[_Limit]) -> tuple[int, list[_Limit]]:
    most = min(limit.at_most for limit in limits)
    return most, [limit for limit in limits if limit.at_most == most]


def _reasons(binding: list[_Limit]) -> str:
    return "; and ".join(limit.why for limit in binding)


def _changes(binding: list[_Limit], wanted: int, pool: _Pool, rules: Rules) -> list[str]:
    """What would lift the binding limits so that `wanted` sets fit (suggested, not promised)."""
    out: list[str] = []
    for limit in binding:
        if limit.rule == "size":
            smallest = pool.people // wanted if wanted else 0
            if 2 <= smallest < rules.min_size:   # 2 is the smallest set the page and CLI allow
                out.append(advice.smaller_sets(smallest))
        elif limit.rule == "sector":
            out.append(advice.without_sector(limit.sector))
        elif limit.rule == "colleagues":
            out.append(advice.allow_colleagues())
        elif limit.rule == "places":
            out.append(advice.another_place())
    return out


def _sentence(fact: str, changes: Sequence[str], lead: str = "Changes to consider") -> str:
    unique = list(dict.fromkeys(changes))
    return f"{fact}." + (f" {lead}: " + "; or ".join(unique) + "." if unique else "")


def _counting_lines(candidates: Sequence[Candidate], units: list[Unit], slots: tuple[str, ...],
                    rules: Rules) -> list[str]:
    """The limits counting alone proves: place/time pins and the number of sets."""
    everywhere, at = _pools(units)
    lines: list[str] = []
    pinned_here = Counter(rules.pinned_slots[u.pin] for u in units
                          if u.pin is not None and u.pin in rules.pinned_slots)
    for slot, k in sorted(pinned_here.items()):
        pool = at.get(slot, _Pool())
        most, binding = _binding(_limits(pool, rules, slot))
        if k <= most:
            continue
        pinned = f"{count(k, 'set')} {'is' if k == 1 else 'are'} pinned to {slot}"
        if most == 0:
            fact = f"{pinned}, but no set can form there: {slot_shortage(candidates, slot, rules) or _reasons(binding)}"
        else:
            fact = f"{pinned}, but at most {most} can form there: {_reasons(binding)}"
        lines.append(_sentence(fact, [advice.remove_pins()] + _changes(binding, k, pool, rules)))

    limits = _limits(everywhere, rules, EVERYWHERE)
    per_place = sum(_binding(_limits(at[s], rules, s))[0] for s in slots if s in at)
    if per_place < min(limit.at_most for limit in limits):
        limits.append(_Limit(per_place, "places", f"each set meets at one place/time, and counting each "
                                                  f"place/time on its own, at most {count(per_place, 'set')} fit"))
    most, binding = _binding(limits)
    can = "no set can be formed" if most == 0 else f"at most {most} can be formed"
    pinned_sets = len({u.pin for u in units if u.pin is not None})
    if rules.sets is not None and rules.sets > most:
        asked = advice.ask_for_sets(most) if most >= max(1, pinned_sets) else None
        lines.append(_sentence(f"You asked for exactly {count(rules.sets, 'set')}, but {can}: {_reasons(binding)}",
                               ([asked] if asked else []) + _changes(binding, rules.sets, everywhere, rules)))
    elif rules.sets is not None and rules.sets < pinned_sets:
        lines.append(_sentence(f"You asked for exactly {count(rules.sets, 'set')}, but the pins name {pinned_sets} "
                               f"different sets", [advice.ask_for_sets(pinned_sets), advice.remove_pins()]))
    elif pinned_sets > most:
        lines.append(_sentence(f"The pins name {pinned_sets} different sets, but {can}: {_reasons(binding)}",
                               [advice.remove_pins()] + _changes(binding, pinned_sets, everywhere, rules)))
    return lines


# ---- solver checks (only when counting settles nothing) ---------------------------------
@dataclass
class _Budget:
    """Shares the time left before the caller's deadline between the solves still planned."""
    deadline: float
    steps: int
    build_seconds: float = 0.0   # the last model build: the estimate for the next one
    failed: bool = False         # a solver raised
    short: bool = False          # a solve was skipped, or stopped without an answer

    def share(self) -> float | None:
        left = self.deadline - time.monotonic()
        share = left / max(1, self.steps) - self.build_seconds
        self.steps -= 1
        if share < MIN_SOLVE_SECONDS:
            self.short = True
            return None
        return share


@dataclass
class _Answer:
    found: bool = False          # the variant has a solution
    proven: bool = False         # ... and `sets` is its proven optimum
    infeasible: bool = False     # the variant has no solution (proven)
    sets: int | None = None


def _solve_variant(units: list[Unit], slots: tuple[str, ...], by_id: dict[str, Candidate], rules: Rules,
                   relax: frozenset[str], budget: _Budget, sense: int | None = None) -> _Answer:
    """Solve the slot model with `relax` dropped; with `sense`, for the most/fewest sets."""
    limit = budget.share()
    if limit is None:
        return _Answer()
    try:
        started = time.monotonic()
        model = SlotModel(units, slots, by_id, rules, relax=relax, deadline=budget.deadline)
        budget.build_seconds = time.monotonic() - started
        if sense is None:
            model.prob.setObjective(pulp.lpSum([]))
        else:
            model.prob.sense = sense
            model.prob.setObjective(pulp.lpSum(model.n.values()))
        limit = min(limit, budget.deadline - time.monotonic())
        if limit < MIN_SOLVE_SECONDS:
            budget.short = True
            return _Answer()
        # killed at the end of its share at the latest, so the next check and the caller keep their time
        out = solve(model.prob, rules.solver, limit, rules.seed,
                    deadline=min(budget.deadline, time.monotonic() + limit + MIN_SOLVE_SECONDS))
        sets = int(round(sum(v.varValue or 0 for v in model.n.values()))) if out.has_solution else None
    except OutOfTime:
        budget.short = True
        return _Answer()
    except Exception:   # a crashed solver (CBC has segfaulted here) must not stop the explanation
        budget.failed = True
        return _Answer()
    if not (out.has_solution or out.infeasible):
        # the solver module falls back to the other solver itself and says so in `failure`
        if out.failure:
            budget.failed = True
        else:
            budget.short = True
    return _Answer(out.has_solution, out.proven, out.infeasible, sets)


def _dealing_is_exact(units: list[Unit], rules: Rules, relax: frozenset[str]) -> bool:
    """Whether a solution of the slot model can always be dealt into valid sets (see master.py):
    single people, no never-together pairs, no pins, and, while both colleagues and sectors are
    ruled on, no organisation whose people gave different sectors."""
    placed = [u for u in units if u.slots]
    if rules.never_together or any(u.size > 1 for u in placed):
        return False
    if "pins" not in relax and any(u.pin is not None for u in placed):
        return False
    if rules.separate_organisations and rules.require_all_sectors and "sectors" not in relax:
        sector_of: dict[str, str] = {}
        for u in placed:
            for org in u.orgs:
                for sector in u.sectors:
                    if sector_of.setdefault(org, sector) != sector:
                        return False
    return True


def _solver_lines(candidates: Sequence[Candidate], units: list[Unit], slots: tuple[str, ...], rules: Rules,
                  deadline: float, exact: bool) -> list[str]:
    by_id = {c.id: c for c in candidates}
    pinned = any(u.pin is not None for u in units)
    everywhere, _ = _pools(units)
    # One change each: (advice, rules, relax). A change is enough without a solve when it leaves
    # nothing demanded (no fixed set count and no pins: then no sets at all keeps every rule).
    variants: list[tuple[str, Rules, frozenset[str]]] = []
    if rules.sets is not None:
        variants.append((advice.leave_set_count_open(), rules, frozenset({"sets"})))
    if rules.require_all_sectors and rules.sectors:
        scarce = min(rules.sectors, key=lambda k: everywhere.sectors[k])
        variants.append((advice.without_sector(scarce), rules, frozenset({"sectors"})))
    if rules.separate_organisations:
        variants.append((advice.allow_colleagues(), replace(rules, separate_organisations=False), frozenset()))
    if pinned:
        variants.append((advice.remove_pins(), rules, frozenset({"pins", "pinned_slots"})))

    def demands(variant: Rules, relax: frozenset[str]) -> bool:
        return (variant.sets is not None and "sets" not in relax) or (pinned and "pins" not in relax)

    # The most-sets solve below also settles "leave the number of sets open".
    solves = sum(demands(v, relax) and "sets" not in relax for _, v, relax in variants)
    solves += (rules.sets is not None) + (rules.sets is not None and pinned)
    budget = _Budget(deadline, solves, build_seconds=BUILD_SECONDS_PER_CHOICE * sum(len(u.slots) for u in units))

    lines: list[str] = []
    answers: dict[str, _Answer] = {}
    if rules.sets is not None:
        most = _solve_variant(units, slots, by_id, rules, frozenset({"sets"}), budget, pulp.LpMaximize)
        answers[advice.leave_set_count_open()] = most
        if most.proven and most.sets is not None and most.sets < rules.sets:
            can = "no set can be formed" if most.sets == 0 else f"at most {most.sets} can be formed"
            in_force = ["places/times"] + (["sectors"] if rules.require_all_sectors else []) \
                + (["colleagues"] if rules.separate_organisations else []) + (["pins"] if pinned else [])
            together = ", ".join(in_force[:-1]) + " and " + in_force[-1] if len(in_force) > 1 else in_force[0]
            # leaving the count open is offered with the other single changes below
            lines.append(_sentence(f"You asked for exactly {count(rules.sets, 'set')}, but {can} once the "
                                   f"{together} are taken together",
                                   [advice.ask_for_sets(most.sets)] if most.sets else []))
        if pinned:
            # Only with pins can fewer sets be too few; without, no sets at all is a lower bound.
            fewest = _solve_variant(units, slots, by_id, rules, frozenset({"sets"}), budget, pulp.LpMinimize)
            if fewest.proven and fewest.sets is not None and fewest.sets > rules.sets:
                lines.append(_sentence(f"You asked for exactly {count(rules.sets, 'set')}, but the pins need at least "
                                       f"{fewest.sets}", [advice.ask_for_sets(fewest.sets), advice.remove_pins()]))
    sure: list[str] = []
    worth: list[str] = []
    for text, variant, relax in variants:
        if not demands(variant, relax):
            sure.append(text)
            continue
        answer = answers.get(text) or _solve_variant(units, slots, by_id, variant, relax, budget)
        if answer.found and exact and _dealing_is_exact(units, variant, relax):
            sure.append(text)
        elif answer.found:
            worth.append(text)
    if not lines and budget.failed:
        other = "highs" if rules.solver == "cbc" else "cbc"
        lines.append(_sentence("The solver failed while working out which rule binds", [advice.other_solver(other)]))
    elif not lines and budget.short:
        lines.append(_sentence("There was not enough time left to work out which rule binds",
                               [advice.more_time(rules.time_limit * 2)]))
    elif not (lines or sure or worth):
        # every single change was checked and none is enough (the slot model is a relaxation)
        lines.append("No single change to the set count, sectors, colleagues or pins is enough on its own: "
                     "the rules clash only in combination.")
    if sure:
        lines.append(_sure_line(sure))
    if worth:
        lines.append("Worth trying (checked on places and times only, so other clashes may remain): "
                     + "; or ".join(worth) + ".")
    return lines


def _sure_line(changes: list[str]) -> str:
    lead = "Any one of these would make it feasible" if len(changes) > 1 else "This would make it feasible"
    return f"{lead}: " + "; or ".join(changes) + "."


def diagnose(candidates: Sequence[Candidate], units: list[Unit], slots: tuple[str, ...], rules: Rules,
             deadline: float, exact: bool = True) -> list[str]:
    """Which rule makes the problem infeasible, by how much, and what the organiser could change.
    Never raises, and no model build or solve runs past `deadline`.

    `exact=False` when the infeasibility was proven by splitting slots into sets (organisation,
    never-together or pin clashes the slot model cannot see): changes checked on the slot model
    are then offered as worth trying, not as guarantees."""
    lines = _counting_lines(candidates, units, slots, rules)
    if lines:
        if rules.sets is not None and not any(u.pin is not None for u in units):
            # with no pins, leaving the count open demands nothing: no sets at all keeps every rule
            lines.append(_sure_line([advice.leave_set_count_open()]))
        return lines
    return _solver_lines(candidates, units, slots, rules, deadline, exact)
