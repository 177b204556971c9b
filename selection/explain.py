"""Plain-English reasons: why a person was left out, which rule binds, why no answer exists."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


from .scorecard import check_set, org_key
from .types import Candidate, FormedSet, Rules, SelectionResult
from .units import Unit


def _able(candidates: Sequence[Candidate], slot: str) -> list[Candidate]:
    return [c for c in candidates if slot in c.slots]


def slot_shortage(candidates: Sequence[Candidate], slot: str, rules: Rules) -> str | None:
    """Why no set at all can form at `slot`, whatever else happens; None if one could."""
    able = _able(candidates, slot)
    if len(able) < rules.min_size:
        return (f"only {len(able)} applicant{'s' if len(able) != 1 else ''} can attend {slot} "
                f"(a set needs {rules.min_size})")
    if rules.require_all_sectors:
        counts = Counter(c.sector for c in able)
        for k in rules.sectors:
            if counts[k] == 0:
                return (f"no {k}-sector applicant can attend {slot}, so no set there can include "
                        f"every sector")
    if rules.separate_organisations:
        distinct = len({org_key(c.organisation) for c in able})
        if distinct < rules.min_size:
            return (f"the applicants who can attend {slot} come from only {distinct} organisations "
                    f"(a set needs {rules.min_size} people from different organisations)")
    return None


class Explainer:
    """Why each person left out was left out.

    `unfinished` names places/times whose people were not split into sets before the time limit."""

    def __init__(self, candidates: Sequence[Candidate], units: list[Unit], rules: Rules, sets: list[FormedSet],
                 lottery: dict[str, int], unfinished: Sequence[str] = ()) -> None:
        self.candidates, self.rules, self.sets, self.lottery = candidates, rules, sets, lottery
        self.by_id = {c.id: c for c in candidates}
        self.unit_of = {m: u for u in units for m in u.members}
        self.unfinished = set(unfinished)

    def reason(self, candidate_id: str) -> str:
        c = self.by_id[candidate_id]
        return unplaced_reason(c, self.unit_of[c.id], self.candidates, self.rules, self.sets, self.by_id,
                               self.lottery)


def unplaced_reason(c: Candidate, unit: Unit, candidates: Sequence[Candidate], rules: Rules,
                    sets: list[FormedSet], by_id: dict[str, Candidate], lottery: dict[str, int]) -> str:
    if unit.blocked:
        return unit.blocked
    if not unit.slots:
        return "cannot attend any of the places/times offered"
    parts = []
    for slot in sorted(unit.slots):
        parts.append(_reason_at(c, unit, slot, candidates, rules, sets, by_id, lottery))
    text = parts[0] if len(parts) == 1 else "; ".join(parts)
    if unit.size > 1:
        others = [by_id[m].label for m in unit.members if m != c.id]
        text += f" (must be placed together with {', '.join(others)})"
    return text


def _reason_at(c: Candidate, unit: Unit, slot: str, candidates: Sequence[Candidate], rules: Rules,
               sets: list[FormedSet], by_id: dict[str, Candidate], lottery: dict[str, int]) -> str:
    shortage = slot_shortage(candidates, slot, rules)
    if shortage:
        return f"no set at their place/time: {shortage}"
    here = [s for s in sets if s.slot == slot]
    if not here:
        return (f"no set was formed at {slot}: too few of the applicants there could make up a set "
                f"that keeps every rule")
    org = org_key(c.organisation)
    if rules.separate_organisations and all(
            any(org_key(by_id[m].organisation) == org for m in s.members) for s in here):
        return f"a colleague from {c.organisation} was placed in every set at {slot}"
    partners = {b if a == c.id else a for a, b in rules.never_together if c.id in (a, b)}
    if partners and all(partners & set(s.members) for s in here):
        return f"every set at {slot} has someone they must not be with"
    open_sets = [s for s in here if len(s.members) + unit.size <= rules.max_size]
    if not open_sets:
        placed = [by_id[m] for s in here for m in s.members]
        if all(p.priority > c.priority for p in placed):
            return f"all places at {slot} were filled by higher-priority applicants"
        rivals = [p for p in placed if p.priority == c.priority]
        if rivals:
            return (f"lost the lottery among priority {c.priority} applicants for {slot} "
                    f"(lottery number {lottery[c.id]}; places there went to lower numbers or were "
                    f"needed for the sector and organisation rules)")
        return f"all sets at {slot} are full ({rules.max_size} members each)"
    for s in open_sets:
        card = check_set(list(s.members) + list(unit.members), slot, by_id, rules)
        if card.broken:
            continue
        return (f"left out at {slot} although {s.name} had room: the solver stopped before "
                f"proving the best placement")
    card = check_set(list(open_sets[0].members) + list(unit.members), slot, by_id, rules,
                     name=open_sets[0].name)
    return f"could not join a set at {slot} without breaking a rule ({card.broken[0]})"


def explain_result(candidates: Sequence[Candidate], rules: Rules, result: SelectionResult,
                   slots: tuple[str, ...]) -> list[str]:
    """The lines above the sets: what was placed, how sure it is (result.status, .gap, .bound,
    .unfinished), and which rule binds."""
    exact, gap = result.status == "optimal", result.gap
    lines = []
    placed = result.placed
    proof = ("This is proven optimal for placing people (most placed, then by priority, then by "
             "lottery)." if exact else
             "The solver stopped before proving this is the best placement"
             + (f" (gap {gap:.2%})." if gap is not None else "."))
    lines.append(f"Placed {placed} of {_count(len(candidates), 'applicant')} in {_count(len(result.sets), 'set')}. {proof}")
    if rules.sets is not None:
        lines.append(f"Exactly {rules.sets} sets were asked for; this limits the places to "
                     f"{rules.sets * rules.max_size}.")
    unplaced_ids = {u.id for u in result.unplaced}
    for slot in slots:
        here = [s for s in result.sets if s.slot == slot]
        waiting = [c for c in candidates if c.id in unplaced_ids and slot in c.slots]
        if not here:
            why = slot_shortage(candidates, slot, rules)
            if why:
                lines.append(f"No set at {slot}: {why}.")
            continue
        size = sum(len(s.members) for s in here)
        lines.append(f"{slot}: {_count(len(here), 'set')}, {_count(size, 'person', 'people')}.")
        if not waiting:
            continue
        if size == len(here) * rules.max_size:
            lines.append(f"The sets at {slot} are full, and {len(waiting)} applicants who could attend are left out.")
        if rules.require_all_sectors:
            able = Counter(c.sector for c in candidates if slot in c.slots)
            for k in rules.sectors:
                if able[k] == len(here):
                    lines.append(f"Only {able[k]} {k}-sector applicants can attend {slot}, so at most "
                                 f"{able[k]} sets there can include one; allow sets without a {k} member, "
                                 f"or offer another place/time, to place more people.")
    prev = sum(s.scorecard.previous_pairs for s in result.sets)
    if rules.avoid_previous_pairs and prev:
        lines.append(f"{prev} pair(s) of people who were in a set together before could not be separated.")
    lines.append("Sector mix, balance attributes and previous-set pairs are then improved set by set; "
                 "those soft goals are best effort and not part of the optimality proof.")
    return lines


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
