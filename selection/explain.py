"""Plain-English reasons: why a person was left out, and which rule limited the sets.

Everything a reason needs is counted once per place/time when the Explainer is built, so a
reason costs only the places/times of that person: reasons take time linear in people + sets
(issue 10: 6,248 reasons took 46 s when each one scanned every applicant and every set).
Numbers read as the organiser wrote them (advice.number) and suggestions come only from advice.py.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import advice
from .advice import count, number
from .scorecard import org_key
from .types import Candidate, FormedSet, Rules, SelectionResult
from .units import Unit, build_units


def _able(candidates: Sequence[Candidate], slot: str) -> list[Candidate]:
    return [c for c in candidates if slot in c.slots]


def _shortage(slot: str, able: int, sectors: Counter[str], organisations: int, rules: Rules) -> str | None:
    """Why no set at all can form at `slot` from the counts of who can attend it; None if one could."""
    if able < rules.min_size:
        return f"only {count(able, 'applicant')} can attend {slot} (a set needs {rules.min_size})"
    if rules.require_all_sectors:
        for k in rules.sectors:
            if sectors[k] == 0:
                return f"no {k}-sector applicant can attend {slot}, so no set there can include every sector"
    if rules.separate_organisations and organisations < rules.min_size:
        return (f"the applicants who can attend {slot} come from only {organisations} organisations "
                f"(a set needs {rules.min_size} people from different organisations)")
    return None


def slot_shortage(candidates: Sequence[Candidate], slot: str, rules: Rules) -> str | None:
    """Why no set at all can form at `slot`, whatever else happens; None if one could."""
    able = _able(candidates, slot)
    return _shortage(slot, len(able), Counter(c.sector for c in able),
                     len({org_key(c.organisation) for c in able}), rules)


@dataclass
class _Place:
    """One place/time after selection, counted once for every reason that mentions it."""
    slot: str
    able: int = 0                                        # applicants who can attend (as they wrote)
    able_sectors: Counter[str] = field(default_factory=Counter)
    able_orgs: set[str] = field(default_factory=set)
    placeable: Counter[str] = field(default_factory=Counter)  # sector -> people who could be placed here
    waiting: Counter[str] = field(default_factory=Counter)    # sector -> of those, people left out
    waiting_orgs: set[str] = field(default_factory=set)
    sets: list[int] = field(default_factory=list)        # indices into Explainer.sets
    sizes: Counter[int] = field(default_factory=Counter)      # set size -> sets
    org_sets: Counter[str] = field(default_factory=Counter)   # organisation -> sets holding someone from it
    open_sets: list[int] = field(default_factory=list)   # sets with room for one more
    open_org_sets: Counter[str] = field(default_factory=Counter)
    not_one_each: set[str] = field(default_factory=set)  # sectors some set here has 0 or 2+ of
    priorities: Counter[float] = field(default_factory=Counter)  # priority -> people placed here
    #: (priority, sector) -> the highest lottery number placed here
    last_number: dict[tuple[float, str], int] = field(default_factory=dict)
    scarce: str | None = None   # the sector that limits the number of sets here (Explainer._scarce)

    @property
    def people(self) -> int:
        return sum(size * n for size, n in self.sizes.items())


@dataclass(frozen=True)
class _Cause:
    """Why one person is not in a set at one place/time: `kind` groups people for the summary lines."""
    kind: str   # unfinished | shortage | no_set | colleague | partner | full | mixed | room
    slot: str
    text: str


@dataclass
class _Blocking:
    """The sets at one place that cannot take someone: full; with room but holding a colleague; with
    room and no colleague but holding someone they must not be with. `free`: a set that could."""
    full: int = 0
    colleague: int = 0
    partner: int = 0
    free: int | None = None
    colleague_everywhere: bool = False
    partner_everywhere: bool = False


class Explainer:
    """Why each person left out was left out.

    `unfinished` names places/times whose people were not split into sets before the time limit."""

    def __init__(self, candidates: Sequence[Candidate], units: list[Unit], rules: Rules,
                 sets: Sequence[FormedSet], lottery: dict[str, int], unfinished: Sequence[str] = (),
                 order_proven: bool = True) -> None:
        """`order_proven`: False when the time limit stopped the search before who is placed
        (most placed, then priority, then lottery) was proven; reasons then never claim that
        someone lost the lottery or was outranked, because that may not be true."""
        self.rules, self.sets, self.lottery = rules, list(sets), lottery
        self.order_proven = order_proven
        self.by_id = {c.id: c for c in candidates}
        self.unfinished = list(dict.fromkeys(unfinished))
        self.out_of_time = frozenset(self.unfinished)   # the same, for look-ups
        offered = None if rules.slots is None else frozenset(rules.slots)
        self.unit_of = {m: u for u in units for m in u.members}
        for c in self.by_id.values():
            if c.id not in self.unit_of:   # not given a unit: a person on their own
                self.unit_of[c.id] = _alone(c, offered)
        self.partners: dict[str, set[str]] = defaultdict(set)
        for a, b in rules.never_together:
            self.partners[a].add(b)
            self.partners[b].add(a)
        self.places: dict[str, _Place] = {}
        self.set_of: dict[str, int] = {}
        self.set_orgs: list[set[str]] = []
        self.not_one_each: set[str] = set()       # sectors some set anywhere has 0 or 2+ of
        for j, s in enumerate(self.sets):
            self._count_set(j, s)
        self.placeable: Counter[str] = Counter()       # sector -> people who could be placed somewhere
        self.applied: Counter[str] = Counter(c.sector for c in self.by_id.values())
        self.waiting: Counter[str] = Counter()         # sector -> of those, people left out
        for c in self.by_id.values():
            self._count_person(c)
        self.scarce = self._scarce()
        for place in self.places.values():
            place.scarce = self._scarce(place)
        self._first_free: dict[tuple[str, str], int] = {}
        self._causes: dict[str, list[_Cause]] = {}

    # ---- counting, once ------------------------------------------------------------------
    def place(self, slot: str) -> _Place:
        if slot not in self.places:
            self.places[slot] = _Place(slot)
        return self.places[slot]

    def _count_set(self, j: int, s: FormedSet) -> None:
        place, max_size = self.place(s.slot), self.rules.max_size
        people = [self.by_id[m] for m in s.members if m in self.by_id]
        orgs = {org_key(c.organisation) for c in people}
        sectors = Counter(c.sector for c in people)
        self.set_orgs.append(orgs)
        place.sets.append(j)
        place.sizes[len(s.members)] += 1
        place.org_sets.update(orgs)
        if len(s.members) < max_size:
            place.open_sets.append(j)
            place.open_org_sets.update(orgs)
        uneven = {k for k in self.rules.sectors if sectors[k] != 1}
        place.not_one_each |= uneven
        self.not_one_each |= uneven
        for c in people:
            self.set_of[c.id] = j
            place.priorities[c.priority] += 1
            key = (c.priority, c.sector)
            place.last_number[key] = max(place.last_number.get(key, 0), self.lottery.get(c.id, 0))

    def _count_person(self, c: Candidate) -> None:
        org = org_key(c.organisation)
        for slot in c.slots:
            place = self.place(slot)
            place.able += 1
            place.able_sectors[c.sector] += 1
            place.able_orgs.add(org)
        unit = self.unit_of[c.id]
        left_out = c.id not in self.set_of
        if unit.slots:
            self.placeable[c.sector] += 1
            self.waiting[c.sector] += int(left_out)
        for slot in unit.slots:
            place = self.place(slot)
            place.placeable[c.sector] += 1
            if left_out:
                place.waiting[c.sector] += 1
                place.waiting_orgs.add(org)

    # ---- the rule that limits the number of sets ---------------------------------------------
    def _scarce(self, place: _Place | None = None) -> str | None:
        """The sector that limits the number of sets (across the run, or at one place/time): every
        applicant of it who could be placed is placed, every set has exactly one, and people who
        could attend are left out."""
        sets, waiting, uneven = ((self.sets, self.waiting, self.not_one_each) if place is None else
                                 (place.sets, place.waiting, place.not_one_each))
        if not self.rules.require_all_sectors or not sets or not waiting.total():
            return None
        return next((k for k in self.rules.sectors if k not in uneven and waiting[k] == 0), None)

    def _limit(self, slot: str) -> str | None:
        """Why there are no more sets at `slot`, when one rule says so."""
        place, scarce = self.place(slot), self.scarce
        if scarce is not None:
            able, applied = self.placeable[scarce], self.applied[scarce]
            who = "applied" if able == applied else "can attend an offered place/time"
            return (f"only {count(len(self.sets), 'set')} can form because only "
                    f"{count(able, f'{scarce}-sector applicant')} {who} and every set needs one")
        scarce = place.scarce
        if scarce is not None:
            here, able = len(place.sets), place.placeable[scarce]
            if able == here:
                return (f"only {count(here, 'set')} can form there because only "
                        f"{count(able, f'{scarce}-sector applicant')} can attend it and every set needs one")
            return (f"only {count(here, 'set')} can form there because every {scarce}-sector applicant who "
                    f"can attend it is placed ({here} there, {able - here} at other places/times) and every "
                    f"set needs one")
        if self.rules.sets is not None:
            asked = f"exactly {count(self.rules.sets, 'set')} {'was' if self.rules.sets == 1 else 'were'} asked for"
            return asked if len(place.sets) == len(self.sets) else f"{asked} in all, {len(place.sets)} of them here"
        return None

    # ---- reasons --------------------------------------------------------------------------
    def reason(self, candidate_id: str) -> str:
        c = self.by_id[candidate_id]
        unit = self.unit_of[c.id]
        if unit.blocked:
            return unit.blocked
        if not unit.slots:
            return "cannot attend any of the places/times offered"
        parts = [cause.text for cause in self.causes(candidate_id)]
        text = ". ".join([parts[0]] + [p[:1].upper() + p[1:] for p in parts[1:]])
        if unit.size > 1:
            others = [self.by_id[m].label for m in unit.members if m != c.id]
            text += f" (must be placed together with {', '.join(others)})"
        return text

    def causes(self, candidate_id: str) -> list[_Cause]:
        """One cause per place/time the person could attend; places that ran out of time first."""
        if candidate_id not in self._causes:
            c = self.by_id[candidate_id]
            unit = self.unit_of[c.id]
            slots = sorted(unit.slots, key=lambda s: (s not in self.out_of_time, s))
            self._causes[candidate_id] = [] if unit.blocked else [self._cause_at(c, unit, s) for s in slots]
        return self._causes[candidate_id]

    def _cause_at(self, c: Candidate, unit: Unit, slot: str) -> _Cause:
        rules, place = self.rules, self.place(slot)
        if slot in self.out_of_time:
            return _Cause("unfinished", slot, (
                f"left out because the time limit of {number(rules.time_limit)} s ran out before the people "
                f"who can attend {slot} were split into sets; this is not a rule they break"))
        shortage = _shortage(slot, place.able, place.able_sectors, len(place.able_orgs), rules)
        if shortage:
            return _Cause("shortage", slot, f"no set at their place/time: {shortage}")
        if not place.sets:
            return _Cause("no_set", slot, f"no set was formed at {slot}: {self.no_set_reason(place)}")
        b = self._blocking(c, unit, place)
        limit = self._limit(slot)
        also = f", and {limit}" if limit else ""
        n = len(place.sets)
        if b.free is not None:
            return _Cause("room", slot, f"left out at {slot} although {self.sets[b.free].name} had room: the "
                                        f"solver stopped before proving the best placement")
        if b.colleague_everywhere:
            org = c.organisation if unit.size == 1 else "the organisation of someone they must be placed with"
            return _Cause("colleague", slot, f"a colleague from {org} was placed in every set at {slot}{also}")
        if b.partner_everywhere:
            return _Cause("partner", slot, f"every set at {slot} has someone they must not be with{also}")
        if b.full == n:
            the_sets = "the set at" if n == 1 else "the sets at"
            are = "is" if n == 1 else "are"
            each = " each" if n > 1 else ""
            text = f"{the_sets} {slot} {are} full" + (f": {limit}" if limit else
                                                     f" ({rules.max_size} members{each})")
            decision = self._who_got_the_places(c, place, slot)
            return _Cause("full", slot, text + (f"; {decision}" if decision else ""))
        kinds = [f"{b.full} full"] if b.full else []
        if b.colleague:
            kinds.append(f"{b.colleague} with a colleague from {c.organisation}")
        if b.partner:
            kinds.append(f"{b.partner} with someone they must not be with")
        return _Cause("mixed", slot, f"every set at {slot} is full or cannot take them ({', '.join(kinds)}){also}")

    def _blocking(self, c: Candidate, unit: Unit, place: _Place) -> _Blocking:
        """What keeps them out of each set at the place, and a set that could take them, if any."""
        max_size, clash = self.rules.max_size, self.rules.separate_organisations
        partners = {p for m in unit.members for p in self.partners.get(m, ()) if p not in unit.members}
        partner_sets = {j for p in partners if (j := self.set_of.get(p)) is not None
                        and self.sets[j].slot == place.slot}
        if unit.size > 1:
            return self._blocking_group(unit, place, partner_sets)
        org, n, opened = org_key(c.organisation), len(place.sets), len(place.open_sets)
        colleague = place.open_org_sets[org] if clash else 0
        partner = sum(1 for j in partner_sets
                      if len(self.sets[j].members) < max_size and not (clash and org in self.set_orgs[j]))
        free = self._free_set(place, org, partner_sets) if opened - colleague - partner > 0 else None
        return _Blocking(full=n - opened, colleague=colleague, partner=partner, free=free,
                         colleague_everywhere=clash and place.org_sets[org] == n,
                         partner_everywhere=len(partner_sets) == n)

    def _free_set(self, place: _Place, org: str, partner_sets: set[int]) -> int | None:
        """The first set at the place with room and nobody from `org` or to avoid. Where the scan
        starts is kept per organisation, so an organisation's people skip its sets once between them."""
        key, clash = (place.slot, org), self.rules.separate_organisations
        start = self._first_free.get(key, 0)
        while clash and start < len(place.open_sets) and org in self.set_orgs[place.open_sets[start]]:
            start += 1
        self._first_free[key] = start
        for j in place.open_sets[start:]:
            if j not in partner_sets and not (clash and org in self.set_orgs[j]):
                return j
        return None

    def _blocking_group(self, unit: Unit, place: _Place, partner_sets: set[int]) -> _Blocking:
        """_blocking for people who must share a set: rare, so each set at the place is looked at."""
        orgs = set(unit.orgs) if self.rules.separate_organisations else set()
        found = _Blocking(colleague_everywhere=True, partner_everywhere=True)
        for j in place.sets:
            clash = bool(orgs & self.set_orgs[j])
            found.colleague_everywhere &= clash
            found.partner_everywhere &= j in partner_sets
            if len(self.sets[j].members) + unit.size > self.rules.max_size:
                found.full += 1
            elif clash:
                found.colleague += 1
            elif j in partner_sets:
                found.partner += 1
            elif found.free is None:
                found.free = j
        return found

    def _who_got_the_places(self, c: Candidate, place: _Place, slot: str) -> str | None:
        if not self.order_proven:
            return (f"the time limit of {number(self.rules.time_limit)} s stopped the search before the order "
                    f"by priority and lottery was proven, so someone with a lower priority or a higher lottery "
                    f"number may have a place they could have had; "
                    f"{advice.more_time(advice.longer_time_limit(self.rules.time_limit))}")
        if min(place.priorities) > c.priority:
            return "all places there were filled by higher-priority applicants"
        if c.priority not in place.priorities:
            return None
        mine = self.lottery.get(c.id, 0)
        # sectors in which someone of the same priority with a higher lottery number got a place here
        luckier = {k for k in self.rules.sectors if place.last_number.get((c.priority, k), 0) > mine}
        scarce = self.scarce or self.place(slot).scarce
        if not luckier:
            went = "places went to lower lottery numbers"
        elif luckier == {scarce} and c.sector != scarce:
            went = f"places went to lower lottery numbers and to the {scarce}-sector members every set needs"
        else:
            went = "places went to lower lottery numbers or to people the sector and organisation rules needed"
        return f"lost the lottery among priority {number(c.priority)} applicants: {went} (theirs: {mine})"

    def no_set_reason(self, place: _Place) -> str:
        """Why no set formed at a place where one could have: who was left to form it."""
        rules = self.rules
        if rules.require_all_sectors:
            for k in rules.sectors:
                if place.placeable[k] and not place.waiting[k]:
                    return (f"every {k}-sector applicant who can attend it ({place.placeable[k]}) was placed at "
                            f"another place/time, and every set needs one")
        left, could = place.waiting.total(), place.placeable.total()
        if left < rules.min_size:
            return (f"only {left} of the {count(could, 'applicant')} who can attend it were not placed at "
                    f"another place/time (a set needs {rules.min_size})")
        if rules.separate_organisations and len(place.waiting_orgs) < rules.min_size:
            return (f"the {left} applicants left who can attend it come from only {len(place.waiting_orgs)} "
                    f"organisations (a set needs {rules.min_size} people from different organisations)")
        return "too few of the applicants there could make up a set that keeps every rule"


def _alone(c: Candidate, offered: frozenset[str] | None) -> Unit:
    slots = frozenset(c.slots) if offered is None else frozenset(c.slots) & offered
    return Unit(members=(c.id,), pin=None, slots=slots, sectors=Counter([c.sector]),
                orgs=Counter([org_key(c.organisation)]))


# ---- the lines above the sets ----------------------------------------------------------------
def explain_result(candidates: Sequence[Candidate], rules: Rules, result: SelectionResult,
                   slots: tuple[str, ...], explainer: Explainer | None = None) -> list[str]:
    """The lines above the sets: what was placed, how sure it is (result.status, .bound,
    .unfinished), and which rule binds. Pass the Explainer that wrote the reasons to reuse its counts."""
    if explainer is None:
        units, _ = build_units(candidates, rules)
        explainer = Explainer(candidates, units, rules, result.sets, result.lottery, unfinished=result.unfinished,
                              order_proven=result.status == "optimal")
    lines = [_proof(len(explainer.by_id), rules, result)]
    scarce = explainer.scarce
    if scarce is not None:
        able = explainer.placeable[scarce]
        lines.append(f"Only {count(able, f'{scarce}-sector applicant')} can attend an offered place/time, and "
                     f"every set needs one: at most {count(able, 'set')} ({count(able * rules.max_size, 'place')}). "
                     f"To place more people, {advice.without_sector(scarce)}.")
    full = sum(n for p in explainer.places.values() for size, n in p.sizes.items() if size == rules.max_size)
    waiting_for_sets = sum(p.waiting.total() for p in explainer.places.values() if p.sets)
    if rules.sets is not None:
        if result.unplaced and full == len(result.sets):
            # only when it binds: every set is full and people are waiting
            line = (f"Exactly {count(rules.sets, 'set')} {'was' if rules.sets == 1 else 'were'} asked for; this "
                    f"limits places to {rules.sets * rules.max_size:,} ({rules.sets:,} × {rules.max_size}).")
            if scarce is None and waiting_for_sets:
                line += f" To place more people, {advice.leave_set_count_open()}."
            lines.append(line)
    by_slot: dict[str, Counter[str]] = defaultdict(Counter)
    orgs_left: dict[str, Counter[str]] = defaultdict(Counter)
    spelling: dict[str, str] = {}
    stopped_by_time = 0
    for u in result.unplaced:
        causes = explainer.causes(u.id)
        stopped_by_time += any(cause.kind == "unfinished" for cause in causes)
        for cause in causes:
            by_slot[cause.slot][cause.kind] += 1
            if cause.kind == "colleague":
                # one organisation however its people typed it: shown as the first spelling met
                typed = explainer.by_id[u.id].organisation
                orgs_left[cause.slot][spelling.setdefault(org_key(typed), typed)] += 1
    if explainer.unfinished:
        lines.append(_out_of_time_line(explainer.unfinished, stopped_by_time, rules))
    elif result.status != "optimal" and result.sets:
        lines.append(f"To try to place more people or prove this is the best, "
                     f"{advice.more_time(advice.longer_time_limit(rules.time_limit))}.")
    for slot in slots:
        if slot not in explainer.out_of_time:
            lines.extend(_slot_lines(explainer, slot, scarce, by_slot[slot], orgs_left[slot]))
    prev = sum(s.scorecard.previous_pairs for s in result.sets)
    if rules.avoid_previous_pairs and prev:
        lines.append(f"{count(prev, 'pair')} of people who were in a set together before could not be separated.")
    if result.sets:
        lines.append("Sector mix, balance attributes and previous-set pairs are then improved set by set; "
                     "those soft goals are best effort and not part of the optimality proof.")
    return lines


def _proof(applicants: int, rules: Rules, result: SelectionResult) -> str:
    placed = result.placed
    head = f"Placed {placed:,} of {count(applicants, 'applicant')} in {count(len(result.sets), 'set')}."
    if result.status == "optimal":
        return head + (" This is proven optimal for placing people (most placed, then by priority, "
                       "then by lottery).")
    if result.status == "timed_out":
        return head + (f" No sets were finished within the time limit of {number(rules.time_limit)} s; "
                       f"this does not prove that none exist.")
    if result.bound is None:
        return head + (f" These are valid sets, not proven best: placed {placed:,}; how many more could be "
                       f"placed is not known (no bound was proven within the time limit).")
    bound = max(result.bound, placed)
    if bound == placed:
        return head + (f" These are valid sets, not proven best: placed {placed:,}, the most that can be placed, "
                       f"but the order by priority and lottery was not proven.")
    return head + (f" These are valid sets, not proven best: placed {placed:,}; at most {bound:,} could be placed "
                   f"(gap {_percent((bound - placed) / bound)} %).")


def _percent(share: float) -> str:
    """A share as a percentage to read, never rounded down to 0 when something is missing."""
    pct = share * 100
    if 0 < pct < 0.1:
        return "less than 0.1"
    return number(round(pct)) if pct >= 10 else number(round(pct, 1))


def _out_of_time_line(slots: list[str], left_out: int, rules: Rules) -> str:
    shown = "; ".join(slots[:5]) + (f" and {len(slots) - 5} more" if len(slots) > 5 else "")
    return (f"The time limit of {number(rules.time_limit)} s ran out before the people who can attend "
            f"{shown} were split into sets; {count(left_out, 'applicant')} there "
            f"{'was' if left_out == 1 else 'were'} left out for that reason, not because of a rule. "
            f"To finish {'it' if len(slots) == 1 else 'them'}, {advice.more_time(advice.longer_time_limit(rules.time_limit))}.")


def _slot_lines(explainer: Explainer, slot: str, scarce: str | None, causes: Counter[str],
                colleagues: Counter[str]) -> list[str]:
    rules, place = explainer.rules, explainer.place(slot)
    waiting = place.waiting.total()
    if not place.sets:
        shortage = _shortage(slot, place.able, place.able_sectors, len(place.able_orgs), rules)
        if shortage:
            return [f"No set at {slot}: {shortage}."]
        return [f"No set was formed at {slot}: {explainer.no_set_reason(place)}."] if waiting else []
    n = len(place.sets)
    lines = [f"{slot}: {count(n, 'set')}, {count(place.people, 'person', 'people')}."]
    if not waiting:
        return lines
    if place.people == n * rules.max_size:
        the_sets = "The set at" if n == 1 else "The sets at"
        lines.append(f"{the_sets} {slot} {'is' if n == 1 else 'are'} full, and {count(waiting, 'applicant')} who "
                     f"could attend {'is' if waiting == 1 else 'are'} left out.")
    here = place.scarce
    if here is not None and here != scarce:
        able = place.placeable[here]
        who = (f"Only {count(able, f'{here}-sector applicant')} can attend {slot}" if able == n else
               f"Every {here}-sector applicant who can attend {slot} is placed ({n} there, "
               f"{able - n} at other places/times)")
        lines.append(f"{who}, and every set needs one: at most {count(n, 'set')} there "
                     f"({count(n * rules.max_size, 'place')}). To place more people there, "
                     f"{advice.without_sector(here)}, or {advice.another_place()}.")
    if causes["colleague"]:
        orgs = ", ".join(f"{k} from {org}" for org, k in colleagues.most_common(3))
        line = (f"{count(causes['colleague'], 'applicant')} who can attend {slot} "
                f"{'was' if causes['colleague'] == 1 else 'were'} left out because a colleague was placed "
                f"in every set there ({orgs}).")
        if place.open_sets:
            line += f" To place more of them, {advice.allow_colleagues()}."
        lines.append(line)
    if causes["partner"]:
        lines.append(f"{count(causes['partner'], 'applicant')} who can attend {slot} "
                     f"{'was' if causes['partner'] == 1 else 'were'} left out because every set there has "
                     f"someone they must not be with.")
    return lines
