"""A judge of form_sets' answers written apart from selection/: only its dataclasses are imported.

selection/ checks its own sets (scorecard.check_set) before returning them; a mistake shared by
the optimiser and that check would pass unnoticed. This checker re-reads the hard rules from
Rules and the candidates and reports every breach it finds, in plain words, so a failing test
says what went wrong. The benchmarks use it too.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from selection.types import Candidate, Rules, SelectionResult

STATUSES = ("optimal", "feasible", "infeasible", "timed_out")


def organisation_key(name: str) -> str:
    """One employer however it was typed: spacing collapsed, case folded."""
    return " ".join(name.split()).casefold()


def breaches(result: SelectionResult, candidates: Sequence[Candidate], rules: Rules) -> list[str]:
    """Every hard rule the result breaks (empty: it keeps them all)."""
    by_id = {c.id: c for c in candidates}
    found: list[str] = []
    if result.status not in STATUSES:
        found.append(f"status {result.status!r} is not one of {', '.join(STATUSES)}")
    if result.status == "infeasible" and result.sets:
        found.append(f"status 'infeasible' but {len(result.sets)} sets were returned")

    names = Counter(s.name for s in result.sets)
    found += [f"{count} sets are called {name!r}" for name, count in names.items() if count > 1]
    for formed in result.sets:
        found += _set_breaches(formed.name, formed.slot, formed.members, by_id, rules)

    placed = [m for s in result.sets for m in s.members]
    found += [f"{pid} is in {count} sets" for pid, count in Counter(placed).items() if count > 1]
    left_out = [u.id for u in result.unplaced]
    found += [f"{pid} is listed {count} times as not placed" for pid, count in Counter(left_out).items()
              if count > 1]
    found += [f"{pid} is both placed and listed as not placed" for pid in set(placed) & set(left_out)]
    found += [f"{pid} is listed as not placed but is not an applicant" for pid in set(left_out) - set(by_id)]
    missing = set(by_id) - set(placed) - set(left_out)
    if missing:
        found.append(f"{len(missing)} applicants are neither placed nor listed as not placed, "
                     f"e.g. {min(missing)}")
    found += [f"{u.id} is not placed and given no reason" for u in result.unplaced if not u.reason.strip()]

    # Any answer with sets (and any answer called a solution) must keep the set count and the pins.
    answered = bool(result.sets) or result.status in ("optimal", "feasible")
    if answered and rules.sets is not None and len(result.sets) != rules.sets:
        found.append(f"{len(result.sets)} sets formed but exactly {rules.sets} were asked for")
    if answered:
        set_of = {m: s.name for s in result.sets for m in s.members}
        for pid, name in rules.pins.items():
            if set_of.get(pid) != name:
                found.append(f"{pid} is pinned to {name} but is in {set_of.get(pid) or 'no set'}")
    if result.bound is not None and result.placed > result.bound:
        found.append(f"{result.placed} placed, more than the proven bound of {result.bound}")
    return found


def _set_breaches(name: str, slot: str, members: Sequence[str], by_id: dict[str, Candidate],
                  rules: Rules) -> list[str]:
    found: list[str] = []
    unknown = [m for m in members if m not in by_id]
    found += [f"{name} includes {m}, who is not an applicant" for m in unknown]
    people = [by_id[m] for m in members if m in by_id]
    if not rules.min_size <= len(members) <= rules.max_size:
        found.append(f"{name} has {len(members)} members, not {rules.min_size} to {rules.max_size}")
    if len(set(members)) != len(members):
        found.append(f"{name} lists someone twice")
    if rules.require_all_sectors:
        present = {c.sector for c in people}
        found += [f"{name} has nobody from the {sector} sector" for sector in rules.sectors
                  if sector not in present]
    if rules.separate_organisations:
        employers = Counter(organisation_key(c.organisation) for c in people)
        found += [f"{name} has {count} people from {org!r}" for org, count in employers.items() if count > 1]
    found += [f"{name} meets at {slot!r}, which {c.id} cannot attend" for c in people if slot not in c.slots]
    if rules.slots is not None and slot not in rules.slots:
        found.append(f"{name} meets at {slot!r}, which is not an offered place/time")
    if name in rules.pinned_slots and rules.pinned_slots[name] != slot:
        found.append(f"{name} meets at {slot!r} but is pinned to {rules.pinned_slots[name]!r}")
    here = set(members)
    found += [f"{name} has {m}, who is pinned to {rules.pins[m]}" for m in members
              if m in rules.pins and rules.pins[m] != name]
    found += [f"{name} has {a} and {b}, who must not be together" for a, b in rules.never_together
              if a in here and b in here]
    found += [f"{name} has {a if a in here else b} without {b if a in here else a}, who must be together"
              for a, b in rules.must_together if (a in here) != (b in here)]
    return found
