"""Priority and the seeded lottery decide who is left out, never the order of applications."""
from __future__ import annotations

from selection import Rules, draw_lottery, form_sets

from tests.selection.sel_helpers import person, placed_ids, pool


def nine_equal():
    # 3 per sector, all different organisations: any one of the nine could be the one left out
    return pool(9)


def left_out(result) -> str:
    (u,) = result.unplaced
    return u.id


def test_same_seed_same_result_and_lottery_is_recorded():
    a = form_sets(nine_equal(), Rules(seed=7))
    b = form_sets(nine_equal(), Rules(seed=7))
    assert left_out(a) == left_out(b)
    assert a.lottery == b.lottery
    assert sorted(a.lottery.values()) == list(range(1, 10))


def test_the_tie_goes_to_the_worst_lottery_number():
    r = form_sets(nine_equal(), Rules(seed=3))
    worst = max(r.lottery, key=r.lottery.get)
    assert left_out(r) == worst
    assert "lost the lottery among priority 0 applicants" in r.unplaced[0].reason


def test_different_seeds_leave_out_different_people():
    losers = {left_out(form_sets(nine_equal(), Rules(seed=s))) for s in range(8)}
    assert len(losers) > 1


def test_input_order_does_not_matter():
    people = nine_equal()
    a = form_sets(people, Rules(seed=11))
    b = form_sets(list(reversed(people)), Rules(seed=11))
    assert left_out(a) == left_out(b)
    assert draw_lottery(people, 11) == draw_lottery(list(reversed(people)), 11)


def test_higher_priority_beats_the_lottery():
    people = nine_equal()
    people = [person(c.id, c.sector, priority=0 if c.id == "p04" else 1) for c in people]
    for seed in range(4):
        r = form_sets(people, Rules(seed=seed))
        assert left_out(r) == "p04"
        assert "filled by higher-priority applicants" in r.unplaced[0].reason


def test_higher_priority_colleague_takes_the_place():
    people = pool(8) + [person("vip", "public", org="Org p00", priority=9)]
    r = form_sets(people, Rules(sets=1))
    assert "vip" in placed_ids(r) and len(placed_ids(r)) == 8
    assert left_out(r) == "p00"
    assert "a colleague from Org p00 was placed in every set" in r.unplaced[0].reason


def test_more_placed_beats_priority():
    # 7 can attend Durham only; a priority-5 person who can attend only Newcastle has no set there.
    # Placing the most people comes first, so Durham's set is formed without them.
    people = pool(7) + [person("solo", "public", slots=("Newcastle",), priority=5)]
    r = form_sets(people, Rules())
    assert len(placed_ids(r)) == 7 and left_out(r) == "solo"
