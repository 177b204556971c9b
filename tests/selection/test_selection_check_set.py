"""check_set names the rule a manual move breaks, in the organiser's words."""
from __future__ import annotations

from selection import Candidate, Rules, check_set

DURHAM = "Durham, Wednesdays"


def people():
    rows = [("a", "Ann Lee", "Acme Ltd", "private", (DURHAM,)),
            ("b", "Bob Ray", "Acme Ltd", "private", (DURHAM,)),
            ("c", "Cara Dunn", "Durham County Council", "public", (DURHAM,)),
            ("d", "Dev Shah", "NHS Trust", "public", (DURHAM,)),
            ("e", "Ella Bell", "Hope Trust", "voluntary", ("Sunderland, Fridays",)),
            ("f", "Femi Ali", "Shelter North", "voluntary", (DURHAM,)),
            ("g", "Gita Rao", "Byker Ltd", "private", (DURHAM,))]
    return {pid: Candidate(id=pid, name=name, organisation=org, sector=sector, slots=frozenset(slots))
            for pid, name, org, sector, slots in rows}


def test_valid_set_has_no_broken_rules():
    card = check_set(["a", "c", "d", "f", "g"], DURHAM, people(), Rules(min_size=5), name="Set 1")
    assert card.ok and card.broken == []
    assert card.sector_counts == {"public": 2, "private": 2, "voluntary": 1}


def test_each_broken_rule_is_named():
    rules = Rules(never_together=[("c", "d")], must_together=[("g", "a")])
    card = check_set(["a", "b", "c", "d", "e"], DURHAM, people(), rules, name="Set 2")
    text = "\n".join(card.broken)
    assert "Set 2 has 5 members (a set needs 6 to 8)" in text
    assert "Set 2 has 2 people from Acme Ltd (Ann Lee and Bob Ray)" in text
    assert "Ella Bell cannot attend Durham, Wednesdays" in text
    assert "Cara Dunn and Dev Shah must not be in the same set" in text
    assert "Ann Lee must be in the same set as Gita Rao" in text
    assert not card.organisations_distinct and not card.everyone_can_attend and not card.pairs_ok


def test_missing_sector_and_pins():
    rules = Rules(min_size=3, pins={"f": "Set 1"})
    card = check_set(["a", "c", "d"], DURHAM, people(), rules, name="Set 3")
    assert "Set 3 has no voluntary-sector member" in card.broken
    assert not card.all_sectors
    moved = check_set(["a", "c", "f"], DURHAM, people(), rules, name="Set 3")
    assert "Femi Ali is pinned to Set 1, not Set 3" in moved.broken and not moved.pins_ok
