"""Reproducible synthetic applicants, for benchmarks, tests and the app's demo data."""
from __future__ import annotations

import random

from .types import Candidate

SLOTS: tuple[str, ...] = (
    "Newcastle City Centre, Tuesday mornings",
    "Durham, Wednesdays",
    "Sunderland, Friday afternoons",
    "Gateshead, Thursday mornings",
)
_FIRST = ("Ann", "Bob", "Cara", "Dev", "Ella", "Femi", "Gita", "Hugh", "Isla", "Jon", "Kemi", "Liam",
          "Maya", "Nils", "Omar", "Pia", "Raj", "Sara", "Tom", "Uma", "Vic", "Wen", "Yusuf", "Zoe")
_LAST = ("Lee", "Shah", "Brown", "Okafor", "Smith", "Nowak", "Patel", "Reid", "Hall", "Khan",
         "Moore", "Young", "Walsh", "Price", "Ali", "Bell")
_KIND = {"public": ("Council", "NHS Trust", "Police", "Academy Trust"),
         "private": ("Ltd", "plc", "LLP", "Group"),
         "voluntary": ("Trust", "Foundation", "CIC", "Charity")}
_REGIONS = ("Tyneside", "Wearside", "County Durham", "Northumberland")


def generate_instance(n: int, seed: int = 0, slots: tuple[str, ...] = SLOTS) -> list[Candidate]:
    """`n` applicants: sectors about 40/35/25 %, organisations of 2-5 applicants, each able
    to attend one or two of `slots` (the first is the most popular), priorities 0-3,
    about 10 % from earlier sets, and region/size attributes for balancing."""
    rng = random.Random(seed)
    out: list[Candidate] = []
    org_no = 0
    while len(out) < n:
        org_no += 1
        sector = rng.choices(("public", "private", "voluntary"), weights=(40, 35, 25))[0]
        org = f"{_LAST[org_no % len(_LAST)]} {rng.choice(_KIND[sector])} {org_no}"
        size = rng.choice(("small", "medium", "large"))
        for _ in range(min(rng.randint(2, 5), n - len(out))):
            i = len(out) + 1
            first = rng.choices(slots, weights=[4] + [3] * (len(slots) - 1))[0]
            can = {first}
            if rng.random() < 0.4:
                can.add(rng.choice(slots))
            out.append(Candidate(
                id=f"A{i:05d}",
                name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                organisation=org,
                sector=sector,
                slots=frozenset(can),
                priority=rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0],
                previous_set=f"2023 Set {rng.randint(1, 8)}" if rng.random() < 0.1 else None,
                attributes={"region": rng.choice(_REGIONS), "organisation_size": size},
            ))
    return out


def planted_instance(n: int, seed: int = 0, slots: int = 12, sector_share: dict[str, float] | None = None,
                     extra_slot_chance: float = 0.3) -> list[Candidate]:
    """`n` applicants built from a hidden arrangement in which every one of them has a place:
    sets of 6-8 at `slots` places/times, each set with every sector and no two people from one
    organisation (organisations of 2-5 people are spread over different sets). Each person can
    also attend another place/time with `extra_slot_chance`. So the proven optimum places all
    `n` (when n >= 6): a known answer that checks never to call such an instance infeasible.

    `sector_share` tilts the sectors beyond the three every set needs (default about 40/35/25 %)."""
    rng = random.Random(seed)
    places = tuple(f"Place {i + 1:02d}" for i in range(slots))
    share = sector_share or {"public": 0.40, "private": 0.35, "voluntary": 0.25}
    sizes: list[int] = []
    left = n
    while left >= 6:
        size = min(left, rng.randint(6, 8)) if left > 14 else (left if left <= 8 else left - 6)
        sizes.append(size)
        left -= size
    out: list[Candidate] = []
    org_no = 0
    open_orgs: dict[str, list[tuple[str, int]]] = {k: [] for k in ("public", "private", "voluntary")}
    for set_no, size in enumerate(sizes):
        home = places[set_no % len(places)]
        sectors = ["public", "private", "voluntary"] + rng.choices(list(share), weights=list(share.values()),
                                                                     k=size - 3)
        used: set[str] = set()
        for sector in sectors:
            # join an organisation that still has room and is not in this set, else start one
            pool = [item for item in open_orgs[sector] if item[0] not in used]
            if pool and rng.random() < 0.6:
                org, room = pool[0]
                open_orgs[sector].remove((org, room))
                if room > 1:
                    open_orgs[sector].append((org, room - 1))
            else:
                org_no += 1
                org = f"{_LAST[org_no % len(_LAST)]} {rng.choice(_KIND[sector])} {org_no}"
                open_orgs[sector].append((org, rng.randint(1, 4)))
            used.add(org)
            can = {home}
            if rng.random() < extra_slot_chance:
                can.add(rng.choice(places))
            i = len(out) + 1
            out.append(Candidate(
                id=f"A{i:05d}", name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", organisation=org, sector=sector,
                slots=frozenset(can), priority=rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0],
                previous_set=f"2023 Set {rng.randint(1, 40)}" if rng.random() < 0.1 else None,
                attributes={"region": rng.choice(_REGIONS), "organisation_size": rng.choice(("small", "medium", "large"))},
            ))
    rng.shuffle(out)
    return out
