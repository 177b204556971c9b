"""What an explanation may suggest: only changes the organiser can make.

Every suggestion names the control on the selection page (or the programme settings) and the
`als select` option that makes the same change, so the advice holds whichever one they use.
Explanations never suggest anything that is not listed here.
"""
from __future__ import annotations


def number(value: float) -> str:
    """A number as the organiser wrote it: 2 stays "2", 4.25 stays "4.25" (never "425")."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


#: the longest time limit the selection page and `als select` accept (an hour)
MAX_TIME_LIMIT = 3600


def longer_time_limit(limit: float) -> float:
    """A time limit likely to finish what `limit` did not: double it, and at least 10 s more,
    within what the page and the CLI accept."""
    return float(min(MAX_TIME_LIMIT, max(limit * 2, limit + 10)))


def ask_for_sets(n: int) -> str:
    return f"ask for {n} sets (“Number of sets” on the selection page; --sets {n})"


def leave_set_count_open() -> str:
    return "leave the number of sets empty so as many sets form as fit (“Number of sets”; leave out --sets)"


def smaller_sets(min_size: int) -> str:
    return f"allow smaller sets (“Smallest set” {min_size}; --min-size {min_size})"


def larger_sets(max_size: int) -> str:
    return f"allow larger sets (“Largest set” {max_size}; --max-size {max_size})"


def without_sector(sector: str) -> str:
    return (f"allow sets without a {sector}-sector member (untick “Every set has a member from each of the "
            f"public, private and voluntary sectors”; --allow-missing-sectors)")


def allow_colleagues() -> str:
    return ("allow colleagues in one set (untick “No two members of a set from the same organisation”; "
            "--allow-colleagues)")


def more_time(seconds: float) -> str:
    return f"allow more time (“Time limit in seconds” {number(seconds)}; --time-limit {number(seconds)})"


def other_solver(solver: str) -> str:
    name = {"cbc": "CBC", "highs": "HiGHS"}.get(solver, solver)
    return f"try the other solver (“Solver” {name}; --solver {solver})"


def another_place() -> str:
    return "offer another place/time (the programme settings page)"


def remove_pins() -> str:
    return "remove some pins (the selection page's pins)"


def count(n: int, one: str, many: str | None = None) -> str:
    """"1 set", "3 sets", "2 people"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"
