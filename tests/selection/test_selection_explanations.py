"""Explanations name the rule that limited the sets, read numbers as written, and cost one pass."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from selection import Candidate, FormedSet, Rules, SelectionResult, Unplaced, check_set, draw_lottery, form_sets
from selection.advice import allow_colleagues, leave_set_count_open, more_time, without_sector
from selection.explain import Explainer, explain_result
from selection.units import build_units

from tests.selection.sel_helpers import person, placed_ids, pool

DURHAM = "Durham, Wednesdays"
NEWCASTLE = "Newcastle, Tuesdays"


def scarce_voluntary(voluntary: int, others: int, slots=(DURHAM,), prefix: str = "") -> list[Candidate]:
    """`voluntary` voluntary-sector applicants among public and private ones, all from different organisations."""
    return ([person(f"{prefix}v{i:02d}", "voluntary", slots=slots, priority=1) for i in range(voluntary)]
            + [person(f"{prefix}o{i:02d}", ("public", "private")[i % 2], slots=slots, priority=1)
               for i in range(others)])


def test_a_scarce_sector_is_named_as_the_limit_and_in_every_reason():
    people = scarce_voluntary(3, 37)
    r = form_sets(people, Rules(seed=5))
    assert len(r.sets) == 3 and len(placed_ids(r)) == 24
    assert ("Only 3 voluntary-sector applicants can attend an offered place/time, and every set needs one: "
            "at most 3 sets (24 places). To place more people, " + without_sector("voluntary") + ".") in r.explanation
    assert len(r.unplaced) == 16
    for u in r.unplaced:
        assert u.reason.startswith(f"the sets at {DURHAM} are full: only 3 sets can form because only 3 "
                                   f"voluntary-sector applicants applied and every set needs one; ")
        assert ("lost the lottery among priority 1 applicants: places went to lower lottery numbers and to the "
                "voluntary-sector members every set needs") in u.reason
        assert u.reason.endswith(f"(theirs: {r.lottery[u.id]})")


def test_a_sector_scarce_at_one_place_is_named_for_that_place():
    # Durham has one voluntary-sector applicant, so one set; Newcastle has plenty.
    people = scarce_voluntary(1, 15) + scarce_voluntary(3, 6, slots=(NEWCASTLE,), prefix="n")
    r = form_sets(people, Rules(seed=2))
    assert [s.slot for s in r.sets] == [DURHAM, NEWCASTLE]
    assert any(line.startswith(f"Only 1 voluntary-sector applicant can attend {DURHAM}, and every set needs "
                               f"one: at most 1 set there (8 places).") for line in r.explanation)
    durham_left = [u for u in r.unplaced if u.id.startswith("o")]
    assert len(durham_left) == 8
    assert all(u.reason.startswith(f"the set at {DURHAM} is full: only 1 set can form there because only 1 "
                                   f"voluntary-sector applicant can attend it and every set needs one")
               for u in durham_left)
    assert not any("can attend an offered place/time" in line for line in r.explanation)


def test_priorities_read_as_the_organiser_wrote_them():
    review_scores = form_sets(pool(9, priority=4.25), Rules(seed=3))
    (u,) = review_scores.unplaced
    assert "lost the lottery among priority 4.25 applicants" in u.reason
    whole = form_sets(pool(9, priority=1.0), Rules(seed=3))
    (u,) = whole.unplaced
    assert "among priority 1 applicants" in u.reason and "1.0" not in u.reason


def test_an_exact_set_count_is_named_with_what_would_place_more():
    r = form_sets(pool(24), Rules(sets=2))
    assert len(placed_ids(r)) == 16
    assert (f"Exactly 2 sets were asked for; this limits places to 16 (2 × 8). To place more people, "
            f"{leave_set_count_open()}.") in r.explanation
    assert all(u.reason.startswith(f"the sets at {DURHAM} are full: exactly 2 sets were asked for; ")
               for u in r.unplaced)


def test_colleagues_in_every_set_are_counted_with_the_change_that_helps():
    people = pool(6) + [person("acme2", "public", org="Acme Ltd")]
    people[0] = person("p00", "public", org="Acme Ltd")
    r = form_sets(people, Rules())
    (left,) = r.unplaced
    assert left.reason == f"a colleague from Acme Ltd was placed in every set at {DURHAM}"
    assert (f"1 applicant who can attend {DURHAM} was left out because a colleague was placed in every set "
            f"there (1 from Acme Ltd). To place more of them, {allow_colleagues()}.") in r.explanation


def unfinished_durham(time_limit: float) -> tuple[list[Candidate], Rules, Explainer]:
    people = pool(9) + pool(4, slots=(DURHAM, NEWCASTLE), prefix="q")
    rules = Rules(time_limit=time_limit)
    units, _ = build_units(people, rules)
    return people, rules, Explainer(people, units, rules, [], draw_lottery(people, 0), unfinished=[DURHAM])


def test_people_left_out_when_time_ran_out_are_told_so_not_blamed_on_a_rule():
    people, rules, explainer = unfinished_durham(10)
    out_of_time = (f"left out because the time limit of 10 s ran out before the people who can attend {DURHAM} "
                   f"were split into sets; this is not a rule they break")
    assert explainer.reason("p00") == out_of_time
    both = explainer.reason("q00")   # could also attend Newcastle, where too few can form a set
    assert both == out_of_time + f". No set at their place/time: only 4 applicants can attend {NEWCASTLE} (a set needs 6)"
    assert not any("breaking a rule" in explainer.reason(c.id) for c in people)


def test_the_explanation_names_unfinished_places_and_a_time_limit_likely_to_finish_them():
    people, rules, explainer = unfinished_durham(10)
    result = SelectionResult(status="timed_out", gap=None, seconds=10.0, seed=0, solver="cbc",
                             unplaced=[Unplaced(c.id, explainer.reason(c.id)) for c in people],
                             lottery=explainer.lottery, unfinished=[DURHAM])
    lines = explain_result(people, rules, result, (DURHAM, NEWCASTLE), explainer=explainer)
    assert (f"The time limit of 10 s ran out before the people who can attend {DURHAM} were split into sets; "
            f"13 applicants there were left out for that reason, not because of a rule. "
            f"To finish it, {more_time(20)}.") in lines
    long_run = unfinished_durham(60)[2]
    assert more_time(120) in " ".join(explain_result(people, replace(rules, time_limit=60), result,
                                                     (DURHAM, NEWCASTLE), explainer=long_run))


def test_an_unproven_result_states_an_honest_gap_against_the_bound():
    r = form_sets(pool(9), Rules(seed=1))
    head = "Placed 8 of 9 applicants in 1 set."
    assert r.explanation[0].startswith(head + " This is proven optimal")
    stopped = replace(r, status="feasible", gap=None, bound=60)
    assert explain_result(pool(9), Rules(), stopped, (DURHAM,))[0] == (
        head + " These are valid sets, not proven best: placed 8; at most 60 could be placed (gap 87 %).")
    unknown = explain_result(pool(9), Rules(), replace(stopped, bound=None), (DURHAM,))[0]
    assert "placed 8; how many more could be placed is not known" in unknown


class Counted(Sequence):
    """A sequence that counts every pass over it and every item looked up."""

    def __init__(self, items: list) -> None:
        self.items, self.reads = items, 0

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        self.reads += 1
        return self.items[i]

    def __iter__(self):
        self.reads += 1
        return iter(self.items)


class CountedSet(FormedSet):
    """A set that counts how often its members are read."""
    reads = 0

    def __getattribute__(self, name: str):
        if name == "members":
            CountedSet.reads += 1
        return super().__getattribute__(name)


def full_sets_of_a_scarce_sector(sets: int, left_out: int) -> tuple[list[Candidate], Rules, SelectionResult]:
    """`sets` full sets, each with the only voluntary-sector member there is, and `left_out` others."""
    people = scarce_voluntary(sets, 7 * sets + left_out)
    rules = Rules()
    by_id = {c.id: c for c in people}
    others = [c.id for c in people if c.sector != "voluntary"]
    formed = []
    for j in range(sets):
        members = [f"v{j:02d}"] + others[7 * j:7 * j + 7]
        formed.append(CountedSet(f"Set {j + 1}", DURHAM, members, check_set(members, DURHAM, by_id, rules)))
    result = SelectionResult(status="optimal", gap=0.0, seconds=0.0, seed=0, solver="cbc", sets=formed,
                             lottery=draw_lottery(people, 0))
    result.unplaced = [Unplaced(pid, "") for pid in others[7 * sets:]]
    return people, rules, result


def reads_to_explain(sets: int, left_out: int) -> tuple[int, int, int]:
    """Passes over the applicants to build the explainer; passes after it (reasons and summary); and how
    often the reasons read a set's members."""
    people, rules, result = full_sets_of_a_scarce_sector(sets, left_out)
    units, _ = build_units(people, rules)
    counted = Counted(people)
    explainer = Explainer(counted, units, rules, result.sets, result.lottery)
    built, CountedSet.reads = counted.reads, 0
    reasons = [explainer.reason(u.id) for u in result.unplaced]
    set_reads = CountedSet.reads
    assert all(f"only {sets} sets can form" in text for text in reasons)
    explain_result(counted, rules, result, (DURHAM,), explainer=explainer)
    return built, counted.reads - built, set_reads


def test_reasons_take_one_pass_however_many_are_left_out():
    small, large = reads_to_explain(sets=2, left_out=5), reads_to_explain(sets=12, left_out=150)
    assert small == large
    built, after, set_reads = large
    assert after == 0 and set_reads == 0   # a reason never goes back over the applicants or the sets
    assert built <= 2


def test_the_summary_without_an_explainer_also_takes_a_fixed_number_of_passes():
    def passes(sets: int, left_out: int) -> int:
        people, rules, result = full_sets_of_a_scarce_sector(sets, left_out)
        counted = Counted(people)
        explain_result(counted, rules, result, (DURHAM,))
        return counted.reads

    assert passes(2, 5) == passes(12, 150)


def test_when_the_order_was_not_proven_nobody_is_told_they_lost_the_lottery(monkeypatch):
    """The time limit stopped the priority and lottery phases: who is placed may not follow the
    lottery, so the reasons say the search was stopped instead (a probe found 'lost the lottery'
    given to people a lower lottery number could have swapped with)."""
    import selection.master as master

    real = master.solve_master

    def stopped_after_most_placed(*args, **kwargs):
        result = real(*args, **kwargs)
        result.proven = False   # as when the time limit stops a later phase
        return result

    monkeypatch.setattr("selection.core.solve_master", stopped_after_most_placed)
    r = form_sets(scarce_voluntary(3, 37), Rules(seed=5, time_limit=7))
    assert r.status == "feasible" and r.unplaced
    for u in r.unplaced:
        assert "lost the lottery" not in u.reason
        assert "the time limit of 7 s stopped the search before the order by priority and lottery was proven" in u.reason
