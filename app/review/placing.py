"""A confirmed set checked against its hard rules when someone joins it or a member's answers change.

The check is the optimiser's own (selection.check_set), on the set's members as they are now, with
the rules of the run that formed the set. Only the problems the change would add are reported, so a
set that already breaks a rule does not make every change look wrong, and a set below its minimum
size (waiting for a refill) is never made worse by one more member.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet, Programme, SelectionRun, SetMember
from app.sets.service import candidate_for, default_rules
from selection import Candidate, Rules, check_set
from selection.serialise import rules_from_dict


def rules_of(learning_set: LearningSet) -> Rules:
    run = db.session.get(SelectionRun, learning_set.run_id)
    programme = db.session.get(Programme, learning_set.programme_id)
    assert programme is not None
    rules = rules_from_dict(run.rules) if run is not None else default_rules(programme)
    # Pins told the optimiser where to put people when the sets were formed; a confirmed set is
    # judged on who is in it. The size is judged by the programme's maximum only (see above).
    rules.pins, rules.pinned_slots = {}, {}
    rules.min_size = 1
    rules.max_size = programme.max_set_size
    return rules


def _members(learning_set: LearningSet) -> dict[str, Candidate]:
    return {member.application.reference: candidate_for(member.application) for member in learning_set.members}


def _broken(learning_set: LearningSet, people: dict[str, Candidate], rules: Rules) -> list[str]:
    return check_set(list(people), learning_set.slot_label, people, rules, name=learning_set.name).broken


def problems_if_changed(learning_set: LearningSet, candidate: Candidate) -> list[str]:
    """Rules the set would newly break with `candidate` in it: added, or replacing the member with
    the same reference (their answers changed)."""
    rules = rules_of(learning_set)
    now = _members(learning_set)
    before = set(_broken(learning_set, now, rules))
    after = _broken(learning_set, {**now, candidate.id: candidate}, rules)
    return [problem for problem in after if problem not in before]


@dataclass
class SetChoice:
    """A set an application could be offered a place in."""

    learning_set: LearningSet
    members: int
    problems: list[str]


@dataclass
class PlacedTwin:
    """Another application from the same person (lifecycle.same_person) that already holds a place."""

    application: Application
    learning_set: LearningSet | None


def placed_twin(application: Application) -> PlacedTwin | None:
    """The same person's other application with a place, if any: one person is never placed twice."""
    from app.applications.lifecycle import same_person, set_of

    twin = next((other for other in same_person(application) if other.status is ApplicationStatus.SELECTED), None)
    return PlacedTwin(twin, set_of(twin)) if twin is not None else None


def may_be_offered(application: Application) -> bool:
    """Waiting list, not selected, or eligible once the programme's sets exist."""
    if not application.status.can_become(ApplicationStatus.SELECTED):
        return False
    return db.session.scalar(select(LearningSet.id).where(LearningSet.programme_id == application.programme_id)
                             .limit(1)) is not None


def sets_to_offer(application: Application) -> list[SetChoice]:
    """Sets meeting at a place and time the person can attend, with room for them, and what adding
    them would break in each."""
    programme = application.programme
    slots = [slot.label for slot in application.slots]
    sets = db.session.scalars(
        select(LearningSet)
        .where(LearningSet.programme_id == application.programme_id, LearningSet.slot_label.in_(slots))
        .options(selectinload(LearningSet.members).selectinload(SetMember.application).selectinload(Application.slots))
        .order_by(LearningSet.id)
    ).all()
    person = candidate_for(application)
    return [
        SetChoice(learning_set, len(learning_set.members), problems_if_changed(learning_set, person))
        for learning_set in sets
        if len(learning_set.members) < programme.max_set_size
        and all(member.application_id != application.id for member in learning_set.members)
    ]


def candidate_with_answers(application: Application, answers: dict[str, Any]) -> Candidate:
    """The optimiser's view of the person with changed (not yet saved) answers."""
    wanted = {int(slot_id) for slot_id in answers["slots"]}
    return dataclasses.replace(
        candidate_for(application),
        name=answers["full_name"],
        organisation=answers["organisation"],
        sector=answers["sector"],
        slots=tuple(slot.label for slot in application.programme.slots if slot.id in wanted),
    )
