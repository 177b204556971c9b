"""Refilling confirmed sets from the waiting list: the sets, people and rules for the optimiser
(selection.refill), and applying a proposal the organiser has checked.

A set's places are its size when the sets were confirmed (never below the programme's minimum),
so a decline or withdrawal leaves a vacancy. Applying re-reads every status: someone who left the
waiting list or their set since the proposal is skipped and listed, never offered a place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.applications.lifecycle import TransitionRefused, change_status, move_to_set
from app.extensions import db
from app.models import (
    Application,
    ApplicationStatus,
    FeeAccount,
    LearningSet,
    Programme,
    ScheduledSession,
    SelectionRun,
    SetMember,
)
from app.sets.service import candidate_for
from app.sets.wording import counted
from selection import Candidate, Rules
from selection.refill import ExistingSet, RefillPlan, refill
from selection.serialise import rules_from_dict

REASON = "Refill"


@dataclass
class SetPlaces:
    """A confirmed set as the vacancies page shows it."""

    learning_set: LearningSet
    members: int
    places: int
    minimum: int

    @property
    def free(self) -> int:
        return max(self.places - self.members, 0)

    @property
    def below_minimum(self) -> bool:
        return self.members < self.minimum


def confirmed_run(programme: Programme) -> SelectionRun | None:
    return db.session.scalars(
        select(SelectionRun).where(SelectionRun.programme_id == programme.id, SelectionRun.confirmed_at.is_not(None))
        .order_by(SelectionRun.confirmed_at.desc())).first()


def sets_of(programme: Programme) -> list[LearningSet]:
    return list(db.session.scalars(
        select(LearningSet).where(LearningSet.programme_id == programme.id)
        .options(selectinload(LearningSet.members).selectinload(SetMember.application).selectinload(Application.slots),
                 selectinload(LearningSet.members).selectinload(SetMember.application)
                 .selectinload(Application.reviews))
        .order_by(LearningSet.id)))


def places_by_set(programme: Programme, run: SelectionRun | None) -> dict[str, int]:
    """How many members each set had when confirmed: the places a refill fills back up to."""
    arranged = {s["name"]: len(s["members"]) for s in ((run.arrangement or {}).get("sets", []) if run else [])}
    return {name: max(size, programme.min_set_size) for name, size in arranged.items()}


def set_places(programme: Programme) -> list[SetPlaces]:
    places = places_by_set(programme, confirmed_run(programme))
    return [SetPlaces(s, len(s.members), places.get(s.name, max(len(s.members), programme.min_set_size)),
                      programme.min_set_size) for s in sets_of(programme)]


def waiting_list(programme: Programme) -> list[Application]:
    """Waiting-list applications that could be offered a place: not the same person as someone placed."""
    placed_people = set(db.session.scalars(
        select(Application.search_key).where(Application.programme_id == programme.id,
                                             Application.status == ApplicationStatus.SELECTED)))
    waiting = db.session.scalars(
        select(Application).where(Application.programme_id == programme.id,
                                  Application.status == ApplicationStatus.WAITING_LIST)
        .options(selectinload(Application.slots), selectinload(Application.reviews))
        .order_by(Application.reference))
    return [a for a in waiting if a.search_key not in placed_people]


def waiting_count(programme: Programme) -> int:
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.programme_id == programme.id, Application.status == ApplicationStatus.WAITING_LIST)) or 0


@dataclass
class RefillInput:
    sets: list[ExistingSet]
    people: dict[str, Candidate]
    waiting: list[str]
    rules: Rules
    applications: dict[str, Application]
    lottery: dict[str, int] | None  # the confirmed run's draw, so the waiting list keeps its order


def refill_input(programme: Programme) -> RefillInput:
    """What the optimiser needs: each set with its members and places, the people, the waiting list
    (best review score first), and the confirmed run's rules with the programme's sizes."""
    run = confirmed_run(programme)
    places = places_by_set(programme, run)
    applications: dict[str, Application] = {}
    sets = []
    for learning_set in sets_of(programme):
        members = [m.application for m in learning_set.members]
        applications.update({a.reference: a for a in members})
        sets.append(ExistingSet(name=learning_set.name, slot=learning_set.slot_label,
                                members=[a.reference for a in members],
                                places=places.get(learning_set.name, max(len(members), programme.min_set_size))))
    waiting = waiting_list(programme)
    applications.update({a.reference: a for a in waiting})
    people = {reference: candidate_for(a) for reference, a in applications.items()}
    ranked = sorted(waiting, key=lambda a: (-people[a.reference].priority, a.reference))
    rules = rules_from_dict(run.rules) if run is not None else Rules()
    rules.min_size, rules.max_size = programme.min_set_size, programme.max_set_size
    rules.slots = tuple(slot.label for slot in programme.slots)
    rules.pins, rules.pinned_slots = {}, {}
    lottery = (run.result or {}).get("lottery") if run is not None else None
    return RefillInput(sets, people, [a.reference for a in ranked], rules, applications, lottery or None)


def propose(programme: Programme) -> tuple[RefillPlan, dict[str, Application]]:
    """The optimiser's plan and the applications it names."""
    data = refill_input(programme)
    return refill(data.sets, data.people, data.waiting, data.rules, lottery=data.lottery), data.applications


def nothing_to_do(plan: RefillPlan) -> bool:
    return not plan.proposals and not plan.merges


# --- applying a proposal ------------------------------------------------------------------------


@dataclass
class Applied:
    """What applying a proposal did, in sentences for the organiser (and the command line)."""

    offered: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    removed_sets: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.offered or self.moved or self.removed_sets)


def apply_plan(programme: Programme, plan: dict[str, Any], by: str, now: datetime) -> Applied:
    """Apply a plan (RefillPlan.to_dict(), as previewed): merges and moves first, then the offers.
    Every step re-reads the person's status now; anything no longer possible is skipped and said."""
    sets = {s.name: s for s in sets_of(programme)}
    done = Applied()
    for merge in plan.get("merges") or []:
        into = sets.get(merge.get("into", ""))
        if into is None:
            done.skipped.append(f"Merging into {merge.get('into')} was skipped: that set no longer exists")
            continue
        for step in merge.get("moves") or []:
            _move(step, sets, by, now, done)
        for name in merge.get("sets") or []:
            if name != into.name and name in sets:
                _remove_if_empty(sets[name], by, done)
    for proposal in plan.get("proposals") or []:
        target = sets.get(proposal.get("set", ""))
        for step in proposal.get("moves") or []:
            _move(step, sets, by, now, done)
        if target is None:
            done.skipped += [f"{reference} was not offered a place: {proposal.get('set')} no longer exists"
                             for reference in proposal.get("add") or []]
            continue
        for reference in proposal.get("add") or []:
            _offer(programme, reference, target, by, now, done)
    audit.record(by, "sets.refilled", f"programme:{programme.id}",
                 after={"offered": done.offered, "moved": done.moved, "removed_sets": done.removed_sets,
                        "skipped": done.skipped})
    return done


def _application(reference: str) -> Application | None:
    return db.session.scalars(select(Application).where(Application.reference == reference)).first()


def _offer(programme: Programme, reference: str, target: LearningSet, by: str, now: datetime, done: Applied) -> None:
    application = _application(reference)
    if application is None or application.programme_id != programme.id:
        done.skipped.append(f"{reference} was not offered a place: the application no longer exists")
        return
    if application.status is not ApplicationStatus.WAITING_LIST:
        done.skipped.append(f"{application.full_name} ({reference}) was not offered a place: they are now "
                            f"{application.status.label.lower()}, no longer on the waiting list")
        return
    try:
        change_status(application, ApplicationStatus.SELECTED, by, now, learning_set=target, reason=REASON)
    except TransitionRefused as refused:
        done.skipped.append(f"{application.full_name} ({reference}) was not offered a place: {refused}")
        return
    done.offered.append(f"{application.full_name} ({reference}) offered a place in {target.name}")


def _move(step: dict[str, str], sets: dict[str, LearningSet], by: str, now: datetime, done: Applied) -> None:
    reference, source, target = step.get("person", ""), sets.get(step.get("from", "")), sets.get(step.get("to", ""))
    application = _application(reference)
    name = f"{application.full_name} ({reference})" if application else reference
    if target is None:
        done.skipped.append(f"{name} was not moved: {step.get('to')} no longer exists")
        return
    still_there = (application is not None and application.status is ApplicationStatus.SELECTED and source is not None
                   and any(m.application_id == application.id for m in source.members))
    if not still_there:
        done.skipped.append(f"{name} was not moved to {target.name}: they are no longer in {step.get('from')}")
        return
    assert application is not None
    move_to_set(application, target, by, now)
    done.moved.append(f"{name} moved from {step.get('from')} to {target.name}")


def _remove_if_empty(learning_set: LearningSet, by: str, done: Applied) -> None:
    """Delete a set a merge emptied, unless something still refers to it (then say what)."""
    db.session.flush()
    if learning_set.members:
        done.skipped.append(f"{learning_set.name} was kept: it still has {counted(len(learning_set.members), 'member')}")
        return
    sessions = db.session.scalar(select(func.count(ScheduledSession.id)).where(ScheduledSession.set_id == learning_set.id)) or 0
    accounts = db.session.scalar(select(func.count(FeeAccount.id)).where(FeeAccount.set_id == learning_set.id)) or 0
    blockers = []
    if sessions:
        blockers.append(f"{counted(sessions, 'scheduled session')} (delete its schedule first)")
    if accounts:
        blockers.append(f"{counted(accounts, 'fee account')} of people who were in it, kept for finance")
    if blockers:
        done.skipped.append(f"{learning_set.name} is now empty but was not deleted: it has " + " and ".join(blockers))
        return
    audit.record(by, "sets.deleted", f"learning_set:{learning_set.id}", before={"name": learning_set.name})
    db.session.delete(learning_set)
    done.removed_sets.append(learning_set.name)
