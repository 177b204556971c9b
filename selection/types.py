"""Plain dataclasses shared by the selection package (no Flask, no database)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SECTORS: tuple[str, ...] = ("public", "private", "voluntary")

#: "optimal" = proven optimal; "feasible" = valid sets but optimality not proven (see gap);
#: "infeasible" = proven that the hard rules cannot all hold;
#: "timed_out" = no solution found within the time limit (nothing proven either way).
Status = Literal["optimal", "feasible", "infeasible", "timed_out"]


@dataclass(frozen=True)
class Candidate:
    id: str
    organisation: str
    sector: str
    slots: frozenset[str] | tuple[str, ...]
    #: as the organiser wrote it (a review score such as 4.25 stays 4.25); higher goes first
    priority: float = 0
    previous_set: str | None = None
    attributes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    name: str = ""

    @property
    def label(self) -> str:
        """Name for sentences shown to the organiser; falls back to the id."""
        return self.name or self.id


@dataclass
class Rules:
    min_size: int = 6
    max_size: int = 8
    sets: int | None = None
    require_all_sectors: bool = True
    sectors: tuple[str, ...] = SECTORS
    separate_organisations: bool = True
    pins: dict[str, str] = field(default_factory=dict)
    pinned_slots: dict[str, str] = field(default_factory=dict)
    never_together: list[tuple[str, str]] = field(default_factory=list)
    must_together: list[tuple[str, str]] = field(default_factory=list)
    balance: dict[str, float] = field(default_factory=dict)
    avoid_previous_pairs: bool = True
    time_limit: float = 30.0
    seed: int = 0
    solver: Literal["cbc", "highs"] = "cbc"
    slots: tuple[str, ...] | None = None


@dataclass
class Scorecard:
    size: int
    size_ok: bool
    sector_counts: dict[str, int]
    all_sectors: bool
    organisations_distinct: bool
    everyone_can_attend: bool
    pins_ok: bool
    pairs_ok: bool
    previous_pairs: int
    attribute_counts: dict[str, dict[str, int]]
    #: one plain-English sentence per broken hard rule; empty means the set is valid
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "size_ok": self.size_ok,
            "sector_counts": dict(self.sector_counts),
            "all_sectors": self.all_sectors,
            "organisations_distinct": self.organisations_distinct,
            "everyone_can_attend": self.everyone_can_attend,
            "pins_ok": self.pins_ok,
            "pairs_ok": self.pairs_ok,
            "previous_pairs": self.previous_pairs,
            "attribute_counts": {k: dict(v) for k, v in self.attribute_counts.items()},
            "broken": list(self.broken),
        }


@dataclass
class FormedSet:
    name: str
    slot: str
    members: list[str]
    scorecard: Scorecard


@dataclass
class Unplaced:
    id: str
    reason: str


@dataclass
class SelectionResult:
    status: Status
    gap: float | None
    seconds: float
    seed: int
    solver: str
    sets: list[FormedSet] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    #: seeded lottery number per candidate id (1 = luckiest); recorded for audit/repeat
    lottery: dict[str, int] = field(default_factory=dict)
    #: a proven upper bound on how many people any valid answer places (None: not known)
    bound: int | None = None
    #: places/times whose people were not split into sets before the time limit
    unfinished: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return sum(len(s.members) for s in self.sets)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "seed": self.seed,
            "solver": self.solver,
            "sets": [
                {"name": s.name, "slot": s.slot, "members": list(s.members),
                 "scorecard": s.scorecard.to_dict()}
                for s in self.sets
            ],
            "unplaced": [{"id": u.id, "reason": u.reason} for u in self.unplaced],
            "explanation": list(self.explanation),
            "lottery": dict(self.lottery),
            "bound": self.bound,
            "unfinished": list(self.unfinished),
        }
