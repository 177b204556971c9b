"""Group people who must share a set (must-together pairs, same pin) into units.

The slot model and the splitter then move whole units, so must-together and
"pinned to the same set" can never be broken by construction. Problems that make
the rules contradictory on their face are found here, with plain-English reasons.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from collections.abc import Sequence

from .scorecard import org_key
from .types import Candidate, Rules


@dataclass(frozen=True)
class Unit:
    members: tuple[str, ...]
    pin: str | None            # set name all members are pinned to, if any
    slots: frozenset[str]      # places/times every member can attend (and the pinned one)
    sectors: Counter           # sector -> count
    orgs: Counter              # normalised organisation -> count
    #: why this unit cannot be placed anywhere (then `slots` is empty); None if it can be
    blocked: str | None = None

    @property
    def size(self) -> int:
        return len(self.members)


def offered_slots(candidates: Sequence[Candidate], rules: Rules) -> tuple[str, ...]:
    if rules.slots is not None:
        return tuple(rules.slots)
    return tuple(sorted({s for c in candidates for s in c.slots}))


def _names(ids: Sequence[str], by_id: dict[str, Candidate]) -> str:
    labels = [by_id[i].label for i in ids]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def build_units(candidates: Sequence[Candidate], rules: Rules) -> tuple[list[Unit], list[str]]:
    """Return the units and a list of contradictions (empty when the rules are consistent)."""
    by_id = {c.id: c for c in candidates}
    if len(by_id) != len(candidates):
        raise ValueError("candidate ids must be unique")
    for pid in list(rules.pins) + [i for pair in rules.never_together + rules.must_together for i in pair]:
        if pid not in by_id:
            raise ValueError(f"rules mention {pid!r}, who is not among the candidates")
    slots = set(offered_slots(candidates, rules))

    parent = {c.id: c.id for c in candidates}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for a, b in rules.must_together:
        union(a, b)
    first_with_pin: dict[str, str] = {}
    for pid, set_name in sorted(rules.pins.items()):
        if set_name in first_with_pin:
            union(first_with_pin[set_name], pid)
        else:
            first_with_pin[set_name] = pid

    groups: dict[str, list[str]] = {}
    for c in sorted(candidates, key=lambda c: c.id):
        groups.setdefault(find(c.id), []).append(c.id)

    problems: list[str] = []
    units: list[Unit] = []

    def fail(ids: list[str], pin: str | None, text: str) -> None:
        # A must-together group that cannot be placed together is simply left out (the rule
        # only says "if placed, together"); with a pin it must be placed, so it is a contradiction.
        if pin is not None:
            problems.append(text)
            return
        people = [by_id[i] for i in ids]
        units.append(Unit(members=tuple(ids), pin=None, slots=frozenset(),
                          sectors=Counter(c.sector for c in people),
                          orgs=Counter(org_key(c.organisation) for c in people), blocked=text))

    for ids in groups.values():
        people = [by_id[i] for i in ids]
        pins = sorted({rules.pins[i] for i in ids if i in rules.pins})
        if len(pins) > 1:
            problems.append(
                f"{_names(ids, by_id)} must be in one set (must-together pairs), "
                f"but are pinned to different sets ({', '.join(pins)}); remove one of those pins or pairs")
            continue
        pin = pins[0] if pins else None
        common = set(slots)
        for c in people:
            common &= set(c.slots)
        if pin is not None and pin in rules.pinned_slots:
            wanted = rules.pinned_slots[pin]
            if wanted not in common:
                cannot = [c.id for c in people if wanted not in c.slots] or ids
                why = "is not an offered place/time" if wanted not in slots else "cannot attend it"
                problems.append(
                    f"{pin} is pinned to {wanted}, but {_names(cannot, by_id)} {why}; "
                    f"unpin them or pin {pin} to another place/time")
                continue
            common = {wanted}
        if len(ids) > 1 and not common:
            fail(ids, pin, 
                f"{_names(ids, by_id)} must be in the same set, but there is no place/time all of them "
                f"can attend; remove a must-together pair or pin")
            continue
        if pin is not None and not common:
            problems.append(f"{_names(ids, by_id)} is pinned to {pin} but cannot attend any offered place/time")
            continue
        if len(ids) > rules.max_size:
            fail(ids, pin, 
                f"{len(ids)} people must be in one set ({_names(ids, by_id)}), more than the "
                f"maximum set size of {rules.max_size}")
            continue
        orgs = Counter(org_key(c.organisation) for c in people)
        if rules.separate_organisations and len(ids) > 1:
            clash = [o for o, k in orgs.items() if k > 1]
            if clash:
                same = [c.id for c in people if org_key(c.organisation) in clash]
                fail(ids, pin, 
                    f"{_names(same, by_id)} work for {by_id[same[0]].organisation} but must be in the "
                    f"same set; remove the pin or pair, or allow colleagues in one set")
                continue
        inside = set(ids)
        bad = [(a, b) for a, b in rules.never_together if a in inside and b in inside]
        if bad:
            a, b = bad[0]
            fail(ids, pin, 
                f"{by_id[a].label} and {by_id[b].label} are marked never-together but must be in the same "
                f"set (through pins or must-together pairs); remove one of those rules")
            continue
        units.append(Unit(members=tuple(ids), pin=pin, slots=frozenset(common),
                          sectors=Counter(c.sector for c in people), orgs=orgs))
    return units, problems
