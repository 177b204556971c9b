"""Checking one set against the rules, in sentences an organiser can act on.

Used twice: by form_sets (a final guard, so a set that breaks a hard rule is never
returned) and by the app, to say at once which rule a manual move or swap breaks.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations

from .types import Candidate, Rules, Scorecard


def org_key(organisation: str) -> str:
    """Organisation names are typed by applicants: "Acme Ltd" and " acme ltd" are one employer."""
    return " ".join(organisation.split()).casefold()


def previous_pairs(members: Iterable[Candidate]) -> int:
    """Pairs in this set who were in a set together before (same previous_set label)."""
    counts = Counter(c.previous_set for c in members if c.previous_set)
    return sum(k * (k - 1) // 2 for k in counts.values())


def check_set(
    members: Iterable[str],
    slot: str,
    candidates_by_id: Mapping[str, Candidate],
    rules: Rules,
    name: str = "This set",
) -> Scorecard:
    """Score one set (member ids at `slot`) against `rules`; `broken` lists every hard rule it breaks."""
    ids = list(members)
    broken: list[str] = []
    people: list[Candidate] = []
    for pid in ids:
        if pid in candidates_by_id:
            people.append(candidates_by_id[pid])
        else:
            broken.append(f"{name} includes {pid}, who is not an applicant")

    size = len(ids)
    size_ok = rules.min_size <= size <= rules.max_size
    if not size_ok:
        broken.append(f"{name} has {size} members (a set needs {rules.min_size} to {rules.max_size})")
    if len(set(ids)) != len(ids):
        broken.append(f"{name} lists the same person twice")

    sector_counts = {k: 0 for k in rules.sectors}
    for c in people:
        sector_counts[c.sector] = sector_counts.get(c.sector, 0) + 1
    all_sectors = all(sector_counts.get(k, 0) > 0 for k in rules.sectors)
    if rules.require_all_sectors:
        for k in rules.sectors:
            if sector_counts.get(k, 0) == 0:
                broken.append(f"{name} has no {k}-sector member")

    orgs: dict[str, list[Candidate]] = {}
    for c in people:
        orgs.setdefault(org_key(c.organisation), []).append(c)
    organisations_distinct = all(len(v) == 1 for v in orgs.values())
    if rules.separate_organisations and not organisations_distinct:
        for group in orgs.values():
            if len(group) > 1:
                who = " and ".join(c.label for c in group)
                broken.append(f"{name} has {len(group)} people from {group[0].organisation} ({who})")

    everyone_can_attend = True
    for c in people:
        if slot not in c.slots:
            everyone_can_attend = False
            broken.append(f"{c.label} cannot attend {slot}")

    pins_ok = True
    here = set(ids)
    for c in people:
        pinned = rules.pins.get(c.id)
        if pinned is not None and pinned != name and name != "This set":
            pins_ok = False
            broken.append(f"{c.label} is pinned to {pinned}, not {name}")
    if name in rules.pinned_slots and rules.pinned_slots[name] != slot:
        pins_ok = False
        broken.append(f"{name} is pinned to {rules.pinned_slots[name]}, not {slot}")
    for pid, set_name in rules.pins.items():
        if set_name == name and pid not in here:
            pins_ok = False
            who = candidates_by_id[pid].label if pid in candidates_by_id else pid
            broken.append(f"{who} is pinned to {name} but is not in it")
    # Pins inside one set must agree even when the set has no name yet (a draft move).
    pinned_names = {rules.pins[c.id] for c in people if c.id in rules.pins}
    if len(pinned_names) > 1:
        pins_ok = False
        broken.append(f"{name} mixes people pinned to different sets ({', '.join(sorted(pinned_names))})")

    pairs_ok = True
    label = {c.id: c.label for c in people}
    for a, b in rules.never_together:
        if a in here and b in here:
            pairs_ok = False
            broken.append(f"{label[a]} and {label[b]} must not be in the same set")
    for a, b in rules.must_together:
        if (a in here) != (b in here):
            pairs_ok = False
            inside, outside = (a, b) if a in here else (b, a)
            other = candidates_by_id[outside].label if outside in candidates_by_id else outside
            broken.append(f"{label[inside]} must be in the same set as {other}")

    attribute_counts: dict[str, dict[str, int]] = {}
    for attr in rules.balance:
        attribute_counts[attr] = dict(Counter(c.attributes.get(attr, "") for c in people))

    return Scorecard(
        size=size,
        size_ok=size_ok,
        sector_counts=sector_counts,
        all_sectors=all_sectors,
        organisations_distinct=organisations_distinct,
        everyone_can_attend=everyone_can_attend,
        pins_ok=pins_ok,
        pairs_ok=pairs_ok,
        previous_pairs=previous_pairs(people),
        attribute_counts=attribute_counts,
        broken=broken,
    )


def pair_list(members: Iterable[Candidate]) -> list[tuple[str, str]]:
    """Previous-set pairs as id pairs, for explanations."""
    people = list(members)
    return [(a.id, b.id) for a, b in combinations(people, 2)
            if a.previous_set and a.previous_set == b.previous_set]
