"""Each hard rule, pins, pairs and exact set counts, as an organiser would notice them."""
from __future__ import annotations

import json

import pytest

from selection import Rules, form_sets

from tests.selection.sel_helpers import person, placed_ids, pool, set_of

DURHAM = "Durham, Wednesdays"
NEWCASTLE = "Newcastle City Centre, Tuesday mornings"


def test_six_people_from_three_sectors_form_one_valid_set():
    r = form_sets(pool(6), Rules())
    assert r.status == "optimal" and r.gap == 0.0
    assert len(r.sets) == 1 and len(r.sets[0].members) == 6
    card = r.sets[0].scorecard
    assert card.ok and card.size_ok and card.all_sectors and card.organisations_distinct
    assert card.sector_counts == {"public": 2, "private": 2, "voluntary": 2}
    assert r.sets[0].name == "Set 1" and r.sets[0].slot == DURHAM


def test_too_few_people_for_a_set_are_all_unplaced_with_the_reason():
    r = form_sets(pool(5), Rules())
    assert r.sets == []
    assert len(r.unplaced) == 5
    assert all("only 5 applicants can attend Durham, Wednesdays (a set needs 6)" in u.reason for u in r.unplaced)


def test_sizes_stay_within_bounds_and_everyone_fits():
    r = form_sets(pool(18), Rules())
    assert len(placed_ids(r)) == 18
    assert all(6 <= len(s.members) <= 8 for s in r.sets)
    # sector mix as even as possible: 6 of each sector over 3 sets -> 2 each
    assert all(s.scorecard.sector_counts == {"public": 2, "private": 2, "voluntary": 2} for s in r.sets)


def test_custom_size_bounds():
    r = form_sets(pool(10), Rules(min_size=3, max_size=4))
    assert all(3 <= len(s.members) <= 4 for s in r.sets)
    assert len(placed_ids(r)) == 10


def test_missing_sector_means_no_set_unless_relaxed():
    people = [person(f"x{i}", "public" if i % 2 else "private") for i in range(8)]
    r = form_sets(people, Rules())
    assert r.sets == []
    assert all("no voluntary-sector applicant can attend Durham, Wednesdays" in u.reason for u in r.unplaced)
    relaxed = form_sets(people, Rules(require_all_sectors=False))
    assert len(placed_ids(relaxed)) == 8


def test_two_colleagues_never_share_a_set():
    people = pool(6) + [person("acme2", "public", org="Acme Ltd")]
    people[0] = person("p00", "public", org="Acme Ltd")
    r = form_sets(people, Rules())
    assert len(r.sets) == 1 and len(r.sets[0].members) == 6
    assert r.sets[0].scorecard.organisations_distinct
    (left,) = r.unplaced
    assert left.id in {"p00", "acme2"}
    assert "a colleague from Acme Ltd was placed in every set at Durham, Wednesdays" in left.reason
    # organisation names are compared as typed by people: case and spacing do not matter
    people[0] = person("p00", "public", org="  ACME   ltd")
    assert len(form_sets(people, Rules()).unplaced) == 1
    assert len(placed_ids(form_sets(people, Rules(separate_organisations=False)))) == 7


def test_everyone_can_attend_their_set_place_and_time():
    people = pool(7, slots=(DURHAM,)) + pool(7, slots=(NEWCASTLE,), prefix="q")
    r = form_sets(people, Rules())
    by_id = {c.id: c for c in people}
    assert len(r.sets) == 2
    for s in r.sets:
        assert all(s.slot in by_id[m].slots for m in s.members)
        assert s.scorecard.everyone_can_attend


def test_pins_put_people_in_the_named_set_at_the_pinned_place():
    people = pool(14, slots=(DURHAM, NEWCASTLE))
    rules = Rules(pins={"p03": "Set 2", "p07": "Set 2", "p05": "Set 1"}, pinned_slots={"Set 2": NEWCASTLE})
    r = form_sets(people, rules)
    assert r.status == "optimal"
    s2 = next(s for s in r.sets if s.name == "Set 2")
    assert {"p03", "p07"} <= set(s2.members) and s2.slot == NEWCASTLE
    assert "p05" in next(s for s in r.sets if s.name == "Set 1").members
    assert all(s.scorecard.pins_ok for s in r.sets)


def test_impossible_pin_is_infeasible_with_a_reason_and_relaxation():
    people = pool(12, slots=(DURHAM,)) + pool(3, slots=(NEWCASTLE,), prefix="q")
    r = form_sets(people, Rules(pins={"p01": "Set 1"}, pinned_slots={"Set 1": NEWCASTLE}))
    assert r.status == "infeasible" and r.sets == []
    text = " ".join(r.explanation)
    assert "p01" in text or "Person p01" in text
    assert "Newcastle City Centre, Tuesday mornings" in text


def test_pin_to_a_place_with_too_few_people():
    people = pool(12, slots=(DURHAM, NEWCASTLE)) + pool(4, slots=(NEWCASTLE,), prefix="q")
    people = [c if c.id != "q00" else person("q00", "public", slots=(NEWCASTLE,)) for c in people]
    small = [c for c in people if c.id.startswith("q")] + pool(1, slots=(DURHAM,), prefix="z")
    r = form_sets(small, Rules(pins={"q00": "Set 1"}, pinned_slots={"Set 1": NEWCASTLE}))
    assert r.status == "infeasible"
    assert any("only 4 applicants can attend Newcastle City Centre, Tuesday mornings" in line
               for line in r.explanation)


def test_never_together_pair_goes_to_different_sets_or_one_is_left_out():
    r = form_sets(pool(12), Rules(never_together=[("p00", "p03")]))
    assert len(placed_ids(r)) == 12
    assert set_of(r, "p00") is not set_of(r, "p03")
    one_set = form_sets(pool(7), Rules(never_together=[("p00", "p03")]))
    assert len(one_set.sets) == 1
    assert not {"p00", "p03"} <= set(one_set.sets[0].members)
    (left,) = one_set.unplaced
    assert left.id in {"p00", "p03"} and "must not be with" in left.reason


def test_must_together_pair_shares_a_set():
    r = form_sets(pool(14), Rules(must_together=[("p00", "p01"), ("p01", "p13")]))
    s = set_of(r, "p00")
    assert {"p01", "p13"} <= set(s.members)
    assert all(x.scorecard.pairs_ok for x in r.sets)


def test_must_together_colleagues_are_left_out_or_contradict_a_pin():
    people = pool(8)
    people[1] = person("p01", "private", org="Org p00")
    r = form_sets(people, Rules(must_together=[("p00", "p01")]))
    assert r.status == "optimal" and len(placed_ids(r)) == 6
    assert {u.id for u in r.unplaced} == {"p00", "p01"}
    assert all("work for Org p00 but must be in the same set" in u.reason for u in r.unplaced)
    pinned = form_sets(people, Rules(must_together=[("p00", "p01")], pins={"p00": "Set 1"}))
    assert pinned.status == "infeasible"
    assert "work for Org p00 but must be in the same set" in " ".join(pinned.explanation)


def test_previous_set_pairs_are_split_up():
    people = pool(12, previous_set=None)
    people = [person(c.id, c.sector, previous_set="2023 Set 4" if c.id in ("p00", "p03") else None)
              for c in people]
    r = form_sets(people, Rules())
    assert set_of(r, "p00") is not set_of(r, "p03")
    assert sum(s.scorecard.previous_pairs for s in r.sets) == 0


def test_exact_number_of_sets_limits_places_and_reasons_mention_priority():
    people = pool(24)
    people = [person(c.id, c.sector, priority=2 if int(c.id[1:]) < 16 else 0) for c in people]
    r = form_sets(people, Rules(sets=2))
    assert len(r.sets) == 2 and len(placed_ids(r)) == 16
    assert placed_ids(r) == {f"p{i:02d}" for i in range(16)}
    assert all("filled by higher-priority applicants" in u.reason for u in r.unplaced)
    assert any("Exactly 2 sets" in line for line in r.explanation)


def test_too_many_sets_asked_for_explains_the_scarce_sector():
    people = [person(f"v{i}", "voluntary") for i in range(3)] + \
             [person(f"a{i}", "public") for i in range(20)] + [person(f"b{i}", "private") for i in range(20)]
    r = form_sets(people, Rules(sets=5))
    assert r.status == "infeasible"
    text = " ".join(r.explanation)
    assert "only 3 voluntary-sector applicants" in text and "ask for 3 sets" in text


def test_balance_attribute_is_spread_evenly():
    people = [person(f"p{i:02d}", ("public", "private", "voluntary")[i % 3],
                     attributes={"region": "Tyneside" if i < 8 else "Wearside"}) for i in range(16)]
    r = form_sets(people, Rules(balance={"region": 1}))
    assert len(r.sets) == 2
    for s in r.sets:
        assert s.scorecard.attribute_counts["region"] == {"Tyneside": 4, "Wearside": 4}


def test_highs_and_cbc_agree_on_how_many_are_placed():
    people = pool(20, slots=(DURHAM,)) + pool(9, slots=(NEWCASTLE, DURHAM), prefix="q")
    a = form_sets(people, Rules(solver="cbc", sets=3))
    b = form_sets(people, Rules(solver="highs", sets=3))
    assert a.status == b.status == "optimal"
    assert len(placed_ids(a)) == len(placed_ids(b)) == 24


def test_to_dict_is_json_ready():
    r = form_sets(pool(9), Rules(sets=1))
    d = json.loads(json.dumps(r.to_dict()))
    assert {"status", "gap", "seconds", "sets", "unplaced", "explanation"} <= set(d)
    assert set(d["sets"][0]) >= {"name", "slot", "members"} and len(d["sets"][0]["members"]) == 8
    assert len(d["unplaced"]) == 1 and set(d["unplaced"][0]) == {"id", "reason"}
    assert d["status"] == "optimal"


def test_rules_naming_unknown_people_are_rejected():
    with pytest.raises(ValueError, match="nobody"):
        form_sets(pool(6), Rules(pins={"nobody": "Set 1"}))


def test_bad_size_range_is_rejected():
    with pytest.raises(ValueError):
        form_sets(pool(6), Rules(min_size=8, max_size=6))
