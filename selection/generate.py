"""Reproducible synthetic applicants, for benchmarks, tests and the app's demo data."""
from __future__ import annotations

import random
from dataclasses import dataclass

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


def fits_in_sets(people: int, min_size: int = 6, max_size: int = 8) -> bool:
    """Whether exactly `people` can be split into sets of min_size..max_size (0 can: no sets).
    With 6-8, 9-11 and 17 cannot, so those counts always leave someone out."""
    return -(-people // max_size) <= people // min_size


def planted_optimum(n: int, surplus: int = 0) -> int:
    """The proven optimum (most people placed, sets of 6-8, every sector, distinct
    organisations) of `planted(n, ..., surplus=surplus)`, whatever the seed and other options.

    Without surplus it is the largest count up to `n` that sets of 6-8 can hold exactly (`n`
    itself from 18 on): the hidden arrangement places that many and no valid answer can place
    a count sets of 6-8 cannot hold. With surplus, the hidden sets hold 8 people with one
    voluntary member each and nobody else is voluntary: every set needs a voluntary member,
    so there are at most that many sets of at most 8."""
    if surplus:
        return 8 * (max(0, n - surplus) // 8)
    best = n
    while not fits_in_sets(best):
        best -= 1
    return best


@dataclass
class PlantedInstance:
    candidates: list[Candidate]
    #: the hidden arrangement, (place/time, member ids) per set: a valid answer with `optimum` placed
    arrangement: list[tuple[str, list[str]]]
    #: proven most people placed (see planted_optimum)
    optimum: int


_LARGE = (("Tyne and Wear Health NHS Trust", "public"), ("Northern Engineering Ltd", "private"),
          ("North East Community Foundation", "voluntary"), ("Wearside Council", "public"),
          ("Coastline Retail plc", "private"), ("Riverside Housing Trust", "voluntary"))


def _as_typed(organisation: str, rng: random.Random) -> str:
    """An organisation name as applicants type it: now and then in another case or spacing."""
    return rng.choice((organisation, organisation, organisation.upper(), organisation.lower(),
                       f" {organisation}", organisation.replace(" ", "  ", 1)))


def planted(n: int, seed: int = 0, *, slots: int = 12, sector_share: dict[str, float] | None = None,
            extra_slot_chance: float = 0.3, surplus: int = 0, large_organisations: int = 0,
            large_share: float = 0.3) -> PlantedInstance:
    """`n` applicants built from a hidden arrangement with a known optimum (see planted_optimum).

    The arrangement: sets of 6-8 at `slots` places/times ("Place 01", ...), each with every
    sector and no two people from one organisation (organisations of up to 5 people are spread
    over different sets). Each person can also attend another place/time with `extra_slot_chance`.
    `sector_share` tilts the sectors beyond the three every set needs (default 40/35/25 %).
    Scenarios:
    - all placeable (default): everyone is in the arrangement when sets of 6-8 can hold `n`;
    - scarce voluntary sector (`surplus` > 0): `surplus` (or a few more) of the `n` are extra
      public- and private-sector applicants, and the hidden sets hold 8 people with exactly one
      voluntary member each, so more people apply than can be placed and priorities and the
      lottery decide who is;
    - one place for everyone: `slots=1`;
    - large organisations: `large_organisations` employers (up to 6 named ones, then numbered)
      supply about `large_share` of the people, at most one per set, their names typed with
      varying case and spacing.
    Linear in `n`; the same arguments give the same applicants."""
    rng = random.Random(seed)
    places = tuple(f"Place {i + 1:02d}" for i in range(slots))
    share = sector_share or {"public": 0.40, "private": 0.35, "voluntary": 0.25}
    # The sectors drawn beyond the three every set needs (and for extra applicants): with a
    # surplus, nobody else is voluntary, which makes the voluntary sector the binding rule.
    tilt = {k: v for k, v in share.items() if not (surplus and k == "voluntary")}
    optimum = planted_optimum(n, surplus)
    sizes: list[int] = []
    left = optimum
    while left:
        size = 8 if surplus else rng.choice([s for s in (6, 7, 8) if s <= left and fits_in_sets(left - s)])
        sizes.append(size)
        left -= size

    large = [(_LARGE[i % len(_LARGE)][0] + (f" {i // len(_LARGE) + 1}" if i >= len(_LARGE) else ""),
              _LARGE[i % len(_LARGE)][1]) for i in range(large_organisations)]
    large_by_sector: dict[str, list[str]] = {k: [name for name, s in large if s == k] for k in share}
    # organisations that still take more people: (name, how many more), picked at random
    waiting: dict[str, list[tuple[str, int]]] = {k: [] for k in share}
    org_no = 0

    def organisation(sector: str, used: set[str]) -> str:
        nonlocal org_no
        big = [name for name in large_by_sector.get(sector, []) if name not in used]
        if big and rng.random() < large_share:
            return rng.choice(big)
        pool = waiting[sector]
        if pool and rng.random() < 0.6:
            for _ in range(3):   # a set holds at most 8 organisations: a few tries find a free one
                j = rng.randrange(len(pool))
                name, room = pool[j]
                if name not in used:
                    pool[j] = pool[-1]
                    pool.pop()
                    if room > 1:
                        pool.append((name, room - 1))
                    return name
        org_no += 1
        name = f"{_LAST[org_no % len(_LAST)]} {rng.choice(_KIND[sector])} {org_no}"
        pool.append((name, rng.randint(1, 4)))
        return name

    out: list[Candidate] = []

    def applicant(sector: str, home: str, used: set[str]) -> str:
        org = organisation(sector, used)
        used.add(org)
        can = {home}
        if rng.random() < extra_slot_chance:
            can.add(rng.choice(places))
        pid = f"A{len(out) + 1:05d}"
        typed = _as_typed(org, rng) if org in large_by_sector.get(sector, ()) else org
        out.append(Candidate(
            id=pid, name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", organisation=typed, sector=sector,
            slots=frozenset(can), priority=rng.choices((0, 1, 2, 3), weights=(2, 3, 3, 2))[0],
            previous_set=f"2023 Set {rng.randint(1, 40)}" if rng.random() < 0.1 else None,
            attributes={"region": rng.choice(_REGIONS), "organisation_size": rng.choice(("small", "medium", "large"))},
        ))
        return pid

    arrangement: list[tuple[str, list[str]]] = []
    for set_no, size in enumerate(sizes):
        home = places[set_no % len(places)]
        sectors = ["public", "private", "voluntary"] + rng.choices(list(tilt), weights=list(tilt.values()),
                                                                     k=size - 3)
        used: set[str] = set()
        arrangement.append((home, [applicant(sector, home, used) for sector in sectors]))
    for _ in range(n - optimum):
        applicant(rng.choices(list(tilt), weights=list(tilt.values()))[0], rng.choice(places), set())
    rng.shuffle(out)
    return PlantedInstance(out, arrangement, optimum)


def planted_instance(n: int, seed: int = 0, slots: int = 12, sector_share: dict[str, float] | None = None,
                     extra_slot_chance: float = 0.3, surplus: int = 0, large_organisations: int = 0,
                     large_share: float = 0.3) -> list[Candidate]:
    """The applicants of `planted(...)` (same arguments), without the hidden arrangement."""
    return planted(n, seed, slots=slots, sector_share=sector_share, extra_slot_chance=extra_slot_chance,
                   surplus=surplus, large_organisations=large_organisations, large_share=large_share).candidates
