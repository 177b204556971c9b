"""Small builders so each test states only what matters to it."""
from __future__ import annotations

from selection import Candidate

SECTOR_CYCLE = ("public", "private", "voluntary")


def person(pid: str, sector: str, org: str | None = None, slots=("Durham, Wednesdays",), **kw) -> Candidate:
    return Candidate(id=pid, organisation=org or f"Org {pid}", sector=sector, slots=frozenset(slots),
                     name=kw.pop("name", f"Person {pid}"), **kw)


def pool(n: int, slots=("Durham, Wednesdays",), prefix: str = "p", **kw) -> list[Candidate]:
    """n people from n different organisations, sectors in turn public/private/voluntary."""
    return [person(f"{prefix}{i:02d}", SECTOR_CYCLE[i % 3], slots=slots, **kw) for i in range(n)]


def placed_ids(result) -> set[str]:
    return {m for s in result.sets for m in s.members}


def set_of(result, pid: str):
    return next(s for s in result.sets if pid in s.members)
