"""Why no answer exists: the binding rule, by how much, and only changes the organiser can make."""
from __future__ import annotations

import inspect
import re
import time

import pulp
import pytest

import selection.diagnose as diagnose_module
from selection import Candidate, Rules, advice, form_sets
from selection.diagnose import diagnose
from selection.units import build_units, offered_slots

from .sel_helpers import person, pool

NEWCASTLE = "Newcastle City Centre, Tuesday mornings"
DURHAM = "Durham, Wednesdays"


def explain(people: list[Candidate], rules: Rules, exact: bool = True, seconds: float = 20) -> list[str]:
    units, problems = build_units(people, rules)
    assert problems == []
    return diagnose(people, units, offered_slots(people, rules), rules, time.monotonic() + seconds, exact=exact)


def scarce_voluntary(voluntary: int) -> list[Candidate]:
    return ([person(f"v{i}", "voluntary") for i in range(voluntary)]
            + [person(f"a{i}", "public") for i in range(20)] + [person(f"b{i}", "private") for i in range(20)])


# Counting alone allows one set at B, but its only public (c0) and only private (c6) applicant
# work for the same organisation, and A has no public applicant: the slot model finds no set.
COLLEAGUE_CLASH = [
    Candidate(id="c0", organisation="Org 3", sector="public", slots=frozenset("B")),
    Candidate(id="c1", organisation="Org 3", sector="private", slots=frozenset("A")),
    Candidate(id="c2", organisation="Org 4", sector="voluntary", slots=frozenset("B")),
    Candidate(id="c3", organisation="Org 5", sector="voluntary", slots=frozenset("AB")),
    Candidate(id="c4", organisation="Org 0", sector="private", slots=frozenset("A")),
    Candidate(id="c5", organisation="Org 0", sector="voluntary", slots=frozenset("A")),
    Candidate(id="c6", organisation="Org 3", sector="private", slots=frozenset("AB")),
]
ONE_SET = Rules(min_size=3, max_size=4, sets=1)


def _advice_patterns() -> list[re.Pattern[str]]:
    """Every advice phrase, with its number or name left open. A suggestion names its control in
    brackets, which tells the phrases from helpers such as advice.number."""
    out = []
    for _, phrase in inspect.getmembers(advice, inspect.isfunction):
        if phrase.__module__ != advice.__name__:
            continue
        sample = str(phrase(*[4242] * len(inspect.signature(phrase).parameters)))
        if "(" not in sample:
            continue
        out.append(re.compile(re.escape(sample).replace("4242", r"[\w.]+")))
    return out


SUGGESTING = re.compile(r"\b(allow|remove|ask|pin|unpin|offer|try|untick|tick|leave|add|drop|relax|lower|raise|"
                        r"increase|reduce|choose|move|use)\b", re.IGNORECASE)


#: what introduces a list of changes in a line
LEADS = ("Changes to consider:", "would make it feasible:", "Worth trying")


def assert_suggestions_are_advice(lines: list[str]) -> None:
    patterns = _advice_patterns()
    for line in lines:
        rest = line
        for pattern in patterns:
            rest = pattern.sub("", rest)
        assert not SUGGESTING.search(rest), f"suggestion outside advice.py: {line!r}"
        if any(lead in line for lead in LEADS):
            assert rest != line, f"a list of changes without an advice phrase: {line!r}"


def test_too_many_sets_end_to_end_names_the_limit_and_the_number_that_fits():
    people = pool(30)
    r = form_sets(people, Rules(sets=6, time_limit=20))
    assert r.status == "infeasible" and r.sets == []
    assert all(u.reason for u in r.unplaced) and len(r.unplaced) == 30
    text = " ".join(r.explanation)
    assert "You asked for exactly 6 sets, but at most 5 can be formed" in text
    assert "only 30 applicants can attend an offered place/time, and a set needs at least 6" in text
    assert advice.ask_for_sets(5) in text and advice.smaller_sets(5) in text
    assert_suggestions_are_advice(r.explanation)
    # the number suggested is one that works
    assert len(form_sets(people, Rules(sets=5, time_limit=20)).sets) == 5


def test_scarce_sector_caps_the_sets_and_is_named():
    lines = explain(scarce_voluntary(4), Rules(sets=6))
    text = " ".join(lines)
    assert "You asked for exactly 6 sets, but at most 4 can be formed" in text
    assert "only 4 voluntary-sector applicants can attend an offered place/time, and every set needs one" in text
    assert advice.without_sector("voluntary") in text and advice.ask_for_sets(4) in text
    assert "allow sets without every sector" not in text
    assert_suggestions_are_advice(lines)


def test_counting_needs_no_solver_so_a_crashing_solver_changes_nothing(monkeypatch):
    calls = []

    def crash(*args, **kwargs):
        calls.append(args)
        raise pulp.PulpSolverError("Pulp: Error while executing")

    monkeypatch.setattr(diagnose_module, "solve", crash)
    lines = explain(scarce_voluntary(4), Rules(sets=6))
    assert any("at most 4 can be formed" in line for line in lines)
    assert calls == []


def test_a_crashing_solver_still_gives_an_explanation_not_a_traceback(monkeypatch):
    def crash(*args, **kwargs):
        raise pulp.PulpSolverError("Pulp: Error while executing")

    monkeypatch.setattr(diagnose_module, "solve", crash)
    lines = explain(COLLEAGUE_CLASH, ONE_SET)
    assert lines
    assert any(advice.other_solver("highs") in line for line in lines)
    assert_suggestions_are_advice(lines)


def test_when_counting_allows_it_the_solver_finds_the_real_limit():
    lines = explain(COLLEAGUE_CLASH, ONE_SET)
    text = " ".join(lines)
    assert "You asked for exactly 1 set, but no set can be formed" in text
    assert "Any one of these would make it feasible" in text
    assert advice.without_sector("public") in text and advice.allow_colleagues() in text
    assert_suggestions_are_advice(lines)


def test_changes_checked_only_on_places_and_times_are_not_promised():
    lines = explain(COLLEAGUE_CLASH, ONE_SET, exact=False)
    promised = next(line for line in lines if "would make it feasible" in line)
    assert advice.leave_set_count_open() in promised   # needs no check: nothing is demanded then
    assert advice.allow_colleagues() not in promised
    assert any("Worth trying" in line and advice.allow_colleagues() in line for line in lines)


def test_no_time_left_means_no_solve_and_says_so(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("solved after the deadline")

    monkeypatch.setattr(diagnose_module, "solve", must_not_run)
    lines = explain(COLLEAGUE_CLASH, ONE_SET, seconds=-1)
    assert any("not enough time" in line and advice.more_time(60) in line for line in lines)


def test_pinned_place_with_too_few_of_a_sector():
    people = pool(24, slots=(DURHAM, NEWCASTLE)) + [person("n1", "public", slots=(NEWCASTLE,))]
    # only p02 (voluntary) can attend Newcastle from the voluntary sector
    people = [c if c.sector != "voluntary" or c.id == "p02" else person(c.id, "voluntary", slots=(DURHAM,))
              for c in people]
    rules = Rules(pins={"p00": "Set 1", "p01": "Set 2"}, pinned_slots={"Set 1": NEWCASTLE, "Set 2": NEWCASTLE})
    lines = explain(people, rules)
    text = " ".join(lines)
    assert f"2 sets are pinned to {NEWCASTLE}, but at most 1 can form there" in text
    assert f"only 1 voluntary-sector applicant can attend {NEWCASTLE}" in text
    assert advice.remove_pins() in text and advice.without_sector("voluntary") in text
    assert_suggestions_are_advice(lines)


def test_fewer_sets_asked_for_than_the_pins_name():
    lines = explain(pool(30), Rules(sets=1, pins={"p00": "Set 1", "p01": "Set 2"}))
    text = " ".join(lines)
    assert "You asked for exactly 1 set, but the pins name 2 different sets" in text
    assert advice.ask_for_sets(2) in text
    assert_suggestions_are_advice(lines)


@pytest.mark.parametrize("line", [
    "Allow sets without every sector to place more.",
    "You asked for 6 sets; pin fewer sets there.",
])
def test_the_advice_check_catches_made_up_suggestions(line):
    with pytest.raises(AssertionError):
        assert_suggestions_are_advice([line])
