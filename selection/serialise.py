"""Plain-JSON forms of candidates and rules, so a run can be stored, compared and repeated."""
from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from .types import Candidate, Rules


def as_written(value: Any) -> float:
    """A priority as written: whole numbers stay ints so they print as "2", not "2.0"."""
    number = float(value or 0)
    return int(number) if number.is_integer() else number


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    data = asdict(candidate)
    data["slots"] = sorted(candidate.slots)
    return data


def candidate_from_dict(data: dict[str, Any]) -> Candidate:
    return Candidate(
        id=str(data["id"]), organisation=data["organisation"], sector=data["sector"],
        slots=tuple(data["slots"]), priority=as_written(data.get("priority")),
        previous_set=data.get("previous_set"), attributes=dict(data.get("attributes") or {}),
        name=data.get("name") or "",
    )


def rules_to_dict(rules: Rules) -> dict[str, Any]:
    data = asdict(rules)
    data["never_together"] = [list(pair) for pair in rules.never_together]
    data["must_together"] = [list(pair) for pair in rules.must_together]
    data["sectors"] = list(rules.sectors)
    data["slots"] = list(rules.slots) if rules.slots is not None else None
    return data


def rules_from_dict(data: dict[str, Any]) -> Rules:
    known = {f.name for f in fields(Rules)}
    values = {key: value for key, value in data.items() if key in known}
    for key in ("never_together", "must_together"):
        values[key] = [tuple(pair) for pair in values.get(key) or []]
    if "sectors" in values:
        values["sectors"] = tuple(values["sectors"])
    if values.get("slots") is not None:
        values["slots"] = tuple(values["slots"])
    return Rules(**values)
