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
