"""Counts in plain words for the sets pages, flashes and the command line: "1 applicant", "3 applicants"."""
from __future__ import annotations

# Nouns whose plural is not just "s".
IRREGULAR = {"person": "people"}


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`counted(1, "applicant")` is "1 applicant"; `counted(3, "applicant")` is "3 applicants"."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or IRREGULAR.get(noun) or noun + 's'}"


def is_are(number: int) -> str:
    return "is" if number == 1 else "are"
