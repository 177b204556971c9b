"""Refilling vacancies from the waiting list: every rule kept, fewest changes, plain reasons."""
from __future__ import annotations

import json
import random

import pytest

from selection import ExistingSet, Rules, check_set, form_sets, generate_instance, refill
from selection.refill import RefillPlan

from tests.selection.sel_helpers import person

DURHAM = "Durham, Wednesdays"
SUNDERLAND = "Sunderland, Fridays"


def seven_at(prefix: str, slot: str = DURHAM, voluntary: int = 2) -> list:
    """7 members from 7 organisations: `voluntary` voluntary, the rest public and private."""
    sectors = ["voluntary"] * voluntary + ["public", "private"] * 4
    return [person(f"{prefix}{i}", sectors[i], slots=(slot,)) for i in range(7)]


def board(*groups: tuple[str, list, int], waiting: list) -> tuple[list[ExistingSet], dict, list[str]]:
    sets, people = [], {}
    for name, members, places in groups:
        slot = next(iter(members[0].slots))
        sets.append(ExistingSet(name=name, slot=slot, members=[c.id for c in members], places=places))
        people.update({c.id: c for c in members})
    people.update({c.id: c for c in waiting})
    return sets, people, [c.id for c in waiting]


def after(plan: RefillPlan, sets: list[ExistingSet]) -> dict[str, list[str]]:
    """Each set's members once the plan (proposals and merges) is carried out."""
    final = {s.name: list(s.members) for s in sets}
    for p in plan.proposals:
        for mv in p.moves:
            final[mv.from_set].remove(mv.person)
            final[mv.to_set].append(mv.person)
        final[p.set].extend(p.add)
    for m in plan.merges:
        for mv in m.moves:
            final[mv.from_set].remove(mv.person)
            final[mv.to_set].append(mv.person)
    return final


def assert_every_touched_set_keeps_the_rules(plan, sets, people, rules):
    final = after(plan, sets)
    slot = {s.name: s.slot for s in sets}
    touched = {p.set for p in plan.proposals} | {mv.from_set for p in plan.proposals for mv in p.moves}
    touched |= {mv.to_set for m in plan.merges for mv in m.moves}
    for name in touched:
        card = check_set(final[name], slot[name], people, rules, name=name)
        assert card.ok, card.broken
    added = [p for prop in plan.proposals for p in prop.add]
    assert len(added) == len(set(added)), "someone was offered two places"
    members = {q for s in sets for q in s.members}
    assert not members & set(added), "a current member was 'added'"


def test_a_vacancy_is_filled_directly_by_someone_who_can_attend():
    waiting = [person("w1", "public", slots=(SUNDERLAND,)), person("w2", "private", slots=(DURHAM,))]
    sets, people, ids = board(("Set 1", seven_at("a"), 8), waiting=waiting)
    plan = refill(sets, people, ids, Rules(seed=1))
    assert plan.status == "optimal"
    assert plan.vacancies == [("Set 1", 1)]
    assert [(p.set, p.add, p.moves) for p in plan.proposals] == [("Set 1", ["w2"], [])]
    assert plan.unfilled == [] and plan.merges == []
    assert "Set 1 (Durham, Wednesdays): offer 1 place to Person w2." in plan.explanation
    assert_every_touched_set_keeps_the_rules(plan, sets, people, Rules())


def test_higher_priority_goes_first_whatever_the_lottery():
    waiting = [person(f"w{i}", "public", slots=(DURHAM,), priority=2 if i == 3 else 0) for i in range(5)]
    sets, people, ids = board(("Set 1", seven_at("a"), 8), waiting=waiting)
    for seed in range(4):
        plan = refill(sets, people, ids, Rules(seed=seed))
        assert plan.proposals[0].add == ["w3"]


def test_ties_go_to_the_seeded_lottery_the_same_way_every_time():
    waiting = [person(f"w{i}", "public", slots=(DURHAM,)) for i in range(6)]
    sets, people, ids = board(("Set 1", seven_at("a"), 8), waiting=waiting)
    picks = {seed: refill(sets, people, ids, Rules(seed=seed)).proposals[0].add[0] for seed in range(8)}
    assert {seed: refill(sets, people, list(reversed(ids)), Rules(seed=seed)).proposals[0].add[0]
            for seed in range(8)} == picks, "the waiting list's order must not matter"
    assert len(set(picks.values())) > 1, "different seeds should be able to pick different people"
    # the selection run's own lottery, when given, decides: lowest number first
    recorded = {"w0": 9, "w1": 4, "w2": 2, "w3": 7, "w4": 3, "w5": 5}
    assert refill(sets, people, ids, Rules(seed=0), lottery=recorded).proposals[0].add == ["w2"]


def sector_board(extra_waiting: list | None = None):
    # Set 1 lost its only voluntary member; the only person waiting at Durham is private.
    # Set 2 has two voluntary members, so one can move if the private person takes their place.
    set1 = seven_at("a", voluntary=0)
    set2 = [person(f"b{i}", s, slots=(DURHAM,)) for i, s in
            enumerate(["voluntary", "voluntary", "public", "private", "public", "private", "public", "private"])]
    waiting = [person("w1", "private", slots=(DURHAM,), name="Yan Ho")] + (extra_waiting or [])
    return board(("Set 1", set1, 8), ("Set 2", set2, 8), waiting=waiting)


def test_a_member_moves_only_when_no_one_waiting_brings_the_missing_sector():
    sets, people, ids = sector_board()
    people["b0"] = person("b0", "voluntary", slots=(DURHAM,), name="Xia Lu")
    plan = refill(sets, people, ids, Rules(seed=2))
    by_set = {p.set: p for p in plan.proposals}
    assert [(m.person, m.from_set, m.to_set) for m in by_set["Set 1"].moves] in (
        [("b0", "Set 2", "Set 1")], [("b1", "Set 2", "Set 1")])
    assert by_set["Set 1"].add == [] and by_set["Set 2"].add == ["w1"]
    mover = people[by_set["Set 1"].moves[0].person].label
    assert (f"Set 1's place needs a voluntary-sector member: moved {mover} from Set 2, whose place goes to "
            f"Yan Ho.") in plan.explanation
    assert plan.unfilled == []
    assert_every_touched_set_keeps_the_rules(plan, sets, people, Rules())


def test_no_member_moves_when_someone_waiting_can_fill_the_place_directly():
    sets, people, ids = sector_board([person("w2", "voluntary", slots=(DURHAM,))])
    plan = refill(sets, people, ids, Rules(seed=2))
    assert [(p.set, p.add, p.moves) for p in plan.proposals] == [("Set 1", ["w2"], [])]
    assert not any("moved" in line for line in plan.explanation)


def test_a_waiting_person_is_offered_one_place_only():
    both = person("w1", "public", slots=(DURHAM, SUNDERLAND))
    sets, people, ids = board(("Set 1", seven_at("a"), 8), ("Set 2", seven_at("b", SUNDERLAND), 8),
                              waiting=[both])
    plan = refill(sets, people, ids, Rules(seed=0))
    assert [p.add for p in plan.proposals] == [["w1"]]
    assert len(plan.unfilled) == 1
    (name, places), = plan.unfilled
    slot = DURHAM if name == "Set 1" else SUNDERLAND
    assert places == 1
    assert any(f"Everyone on the waiting list who can attend {slot} is offered a place in another set." in line
               for line in plan.explanation)


def test_people_already_in_sets_are_never_added():
    members = seven_at("a")
    sets, people, ids = board(("Set 1", members, 8), waiting=[])
    plan = refill(sets, people, [members[0].id], Rules())
    assert plan.proposals == [] and plan.unfilled == [("Set 1", 1)]


def test_a_place_no_one_waiting_can_attend_is_explained():
    waiting = [person("w1", "public", slots=(DURHAM,))]
    sets, people, ids = board(("Set 1", seven_at("a", SUNDERLAND), 8), waiting=waiting)
    plan = refill(sets, people, ids, Rules())
    assert plan.proposals == [] and plan.unfilled == [("Set 1", 1)]
    assert "Set 1 (Sunderland, Fridays): 1 place not filled. No one on the waiting list can attend " \
           "Sunderland, Fridays." in plan.explanation


def test_a_missing_sector_no_one_waiting_has_is_explained():
    # Set 1 lost its only voluntary member; no voluntary person waiting can attend Durham
    waiting = [person("w1", "public", slots=(DURHAM,)), person("w2", "voluntary", slots=(SUNDERLAND,))]
    sets, people, ids = board(("Set 1", seven_at("a", voluntary=0), 8), waiting=waiting)
    plan = refill(sets, people, ids, Rules())
    assert plan.proposals == []
    assert plan.unfilled == [("Set 1", 1)]
    assert any("Set 1 needs a voluntary-sector member and no voluntary-sector person on the waiting list "
               "can attend its place and time" in line for line in plan.explanation)


def test_a_set_below_the_minimum_that_cannot_be_refilled_is_merged():
    rules = Rules(min_size=4, max_size=8)
    small = [person("a0", "public"), person("a1", "voluntary")]
    other = [person(f"b{i}", s) for i, s in enumerate(["public", "private", "voluntary", "private", "public"])]
    sets, people, ids = board(("Set 1", small, 5), ("Set 2", other, 5), waiting=[])
    plan = refill(sets, people, ids, rules)
    assert plan.unfilled == [("Set 1", 3)]
    (merge,) = plan.merges
    assert merge.sets == ["Set 1", "Set 2"] and merge.into == "Set 2"
    assert [(m.person, m.from_set, m.to_set) for m in merge.moves] == [("a0", "Set 1", "Set 2"),
                                                                        ("a1", "Set 1", "Set 2")]
    assert merge.reason.startswith("Set 1 has 2 members, below the minimum of 4, and cannot be refilled")
    assert_every_touched_set_keeps_the_rules(plan, sets, people, rules)


def test_members_are_spread_when_no_single_set_has_room():
    rules = Rules(min_size=4, max_size=6)
    small = [person("a0", "public"), person("a1", "voluntary")]
    full = [person(f"b{i}", s) for i, s in enumerate(["public", "private", "voluntary", "private", "public"])]
    more = [person(f"c{i}", s) for i, s in enumerate(["public", "private", "voluntary", "private", "public"])]
    sets, people, ids = board(("Set 1", small, 5), ("Set 2", full, 5), ("Set 3", more, 5), waiting=[])
    plan = refill(sets, people, ids, rules)
    (merge,) = plan.merges
    assert merge.into == "" and merge.sets == ["Set 1", "Set 2", "Set 3"]
    assert sorted(m.to_set for m in merge.moves) == ["Set 2", "Set 3"]
    assert_every_touched_set_keeps_the_rules(plan, sets, people, rules)


def test_of_two_sets_below_the_minimum_the_smaller_moves_into_the_larger():
    rules = Rules(min_size=6, max_size=8)
    larger = [person(f"a{i}", s) for i, s in enumerate(["public", "private", "voluntary", "public", "private"])]
    smaller = [person("b0", "voluntary"), person("b1", "public")]
    sets, people, ids = board(("Set 15", larger, 6), ("Set 19", smaller, 6), waiting=[])
    plan = refill(sets, people, ids, rules)
    (merge,) = plan.merges
    assert merge.into == "Set 15"
    assert [(m.person, m.from_set) for m in merge.moves] == [("b0", "Set 19"), ("b1", "Set 19")]
    assert_every_touched_set_keeps_the_rules(plan, sets, people, rules)


def test_a_set_that_cannot_merge_because_the_others_are_full_says_they_have_no_room():
    rules = Rules(min_size=4, max_size=5)
    small = [person("a0", "public"), person("a1", "voluntary")]
    full = [person(f"b{i}", s) for i, s in enumerate(["public", "private", "voluntary", "private", "public"])]
    sets, people, ids = board(("Set 1", small, 5), ("Set 2", full, 5), waiting=[])
    plan = refill(sets, people, ids, rules)
    assert plan.merges == []
    line = next(line for line in plan.explanation if "no merge is proposed" in line)
    assert "the other sets at Durham, Wednesdays have no room" in line
    assert "only 0" not in line


def test_no_merge_is_proposed_when_none_keeps_the_rules():
    rules = Rules(min_size=4, max_size=8)
    small = [person("a0", "public", org="Acme"), person("a1", "voluntary")]
    other = [person(f"b{i}", s) for i, s in enumerate(["public", "private", "voluntary", "private", "public"])]
    other[0] = person("b0", "public", org="Acme")   # a colleague of a0: a0 cannot join Set 2
    sets, people, ids = board(("Set 1", small, 5), ("Set 2", other, 5), waiting=[])
    plan = refill(sets, people, ids, rules)
    assert plan.merges == []
    assert any("Set 1 has 2 members, below the minimum of 4, and cannot be refilled" in line
               and "no merge is proposed" in line for line in plan.explanation)


@pytest.mark.parametrize("seed", [3, 8])
def test_every_set_in_a_realistic_plan_keeps_every_rule(seed):
    people = {c.id: c for c in generate_instance(260, seed)}
    rules = Rules(seed=seed, sets=28, time_limit=20)
    formed = form_sets(list(people.values()), rules)
    assert formed.sets
    rng = random.Random(seed)
    sets = [ExistingSet(s.name, s.slot, list(s.members), len(s.members)) for s in formed.sets]
    for s in rng.sample(sets, 6):
        for q in rng.sample(s.members, rng.choice([1, 1, 2, 3])):
            s.members.remove(q)
    waiting = [u.id for u in formed.unplaced]
    plan = refill(sets, people, waiting, Rules(seed=seed, time_limit=20))
    assert plan.status in ("optimal", "feasible")
    assert plan.proposals
    assert_every_touched_set_keeps_the_rules(plan, sets, people, rules)
    filled = {name: n for name, n in plan.vacancies}
    for name, n in plan.unfilled:
        assert 0 < n <= filled[name]


def test_with_no_time_to_solve_a_simple_answer_that_keeps_the_rules_is_given():
    waiting = [person("w1", "private", slots=(DURHAM,)), person("w2", "voluntary", slots=(DURHAM,))]
    sets, people, ids = board(("Set 1", seven_at("a", voluntary=0)[:6], 8), waiting=waiting)
    plan = refill(sets, people, ids, Rules(time_limit=0))
    assert plan.status == "feasible"
    assert any("a simple answer that keeps every rule" in line for line in plan.explanation)
    assert sorted(plan.proposals[0].add) == ["w1", "w2"]
    assert_every_touched_set_keeps_the_rules(plan, sets, people, Rules())


def test_highs_gives_the_same_answer():
    sets, people, ids = sector_board([person("w2", "voluntary", slots=(DURHAM,))])
    plan = refill(sets, people, ids, Rules(seed=2, solver="highs"))
    assert plan.status == "optimal"
    assert [(p.set, p.add) for p in plan.proposals] == [("Set 1", ["w2"])]


def test_the_plan_as_json():
    sets, people, ids = sector_board()
    plan = refill(sets, people, ids, Rules(seed=2)).to_dict()
    assert set(plan) == {"vacancies", "proposals", "merges", "unfilled", "explanation", "status"}
    assert plan["vacancies"] == [{"set": "Set 1", "places": 1}]
    set1 = next(p for p in plan["proposals"] if p["set"] == "Set 1")
    assert set(set1) == {"set", "add", "moves"}
    assert set1["moves"][0]["from"] == "Set 2" and set1["moves"][0]["to"] == "Set 1"
    assert plan["status"] == "optimal"
    assert json.loads(json.dumps(plan)) == plan


def test_a_member_who_can_no_longer_attend_is_named_and_the_set_left_for_the_organiser():
    members = seven_at("a")
    members[3] = person("a3", "public", slots=(SUNDERLAND,), name="Cara Dunn")   # changed availability
    sets, people, ids = board(("Set 1", members, 8), waiting=[person("w1", "public", slots=(DURHAM,))])
    sets[0] = ExistingSet("Set 1", DURHAM, [c.id for c in members], 8)
    plan = refill(sets, people, ids, Rules())
    assert plan.proposals == [] and plan.unfilled == [("Set 1", 1)]
    assert "Set 1 (Durham, Wednesdays): 1 place not filled. The organiser needs to settle this first: " \
           "Cara Dunn cannot attend Durham, Wednesdays." in plan.explanation


def test_members_only_move_between_sets_at_the_same_place_and_time():
    # The only spare voluntary member is in a Sunderland set; even one who could also attend Durham
    # stays put: moves are only between sets that meet at the same place and time.
    set1 = seven_at("a", voluntary=0)
    set3 = [person("c0", "voluntary", slots=(SUNDERLAND, DURHAM)), person("c1", "voluntary", slots=(SUNDERLAND,))]
    set3 += [person(f"c{i}", s, slots=(SUNDERLAND,)) for i, s in enumerate(["public", "private"] * 3, start=2)]
    waiting = [person("w1", "private", slots=(DURHAM, SUNDERLAND))]
    sets, people, ids = board(("Set 1", set1, 8), ("Set 3", set3, 8), waiting=waiting)
    plan = refill(sets, people, ids, Rules())
    assert all(not p.moves for p in plan.proposals)
    assert ("Set 1", 1) in plan.unfilled
    assert_every_touched_set_keeps_the_rules(plan, sets, people, Rules())
