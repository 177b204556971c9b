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
from app.sets.service import candidates_for
from selection import Candidate, Rules, check_set
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
                      programme.min_set_size) for s in sets_of(programme) if s.members]


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
    programme_id: int = 0


def refill_input(programme: Programme) -> RefillInput:
    """What the optimiser needs: each set with its members and places, the people, the waiting list
    (best review score first), and the confirmed run's rules with the programme's sizes."""
    run = confirmed_run(programme)
    places = places_by_set(programme, run)
    applications: dict[str, Application] = {}
    sets = []
    for learning_set in sets_of(programme):
        members = [m.application for m in learning_set.members]
        if not members:
            continue   # an empty set is not refilled: it is deleted when a merge empties it
        applications.update({a.reference: a for a in members})
        sets.append(ExistingSet(name=learning_set.name, slot=learning_set.slot_label,
                                members=[a.reference for a in members],
                                places=places.get(learning_set.name, max(len(members), programme.min_set_size))))
    waiting = waiting_list(programme)
    applications.update({a.reference: a for a in waiting})
    people = {c.id: c for c in candidates_for(programme, applications.values())}
    ranked = sorted(waiting, key=lambda a: (-people[a.reference].priority, a.reference))
    rules = rules_from_dict(run.rules) if run is not None else Rules()
    rules.min_size, rules.max_size = programme.min_set_size, programme.max_set_size
    rules.slots = tuple(slot.label for slot in programme.slots)
    rules.pins, rules.pinned_slots = {}, {}
    lottery = (run.result or {}).get("lottery") if run is not None else None
    return RefillInput(sets, people, [a.reference for a in ranked], rules, applications, lottery or None,
                      programme.id)


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


@dataclass
class _Step:
    """One change the plan proposes: `person` joins `to` (from the waiting list when `source` is None)."""

    person: str
    to: str
    source: str | None = None

    def label(self, data: RefillInput) -> str:
        application = data.applications.get(self.person) or _application(self.person)
        return f"{application.full_name} ({self.person})" if application is not None else self.person

    def not_done(self, data: RefillInput, why: str) -> str:
        if self.source is None:
            return f"{self.label(data)} was not offered a place in {self.to or 'a set'}: {why}"
        return f"{self.label(data)} was not moved from {self.source} to {self.to or 'another set'}: {why}"


def _steps(plan: dict[str, Any]) -> list[_Step]:
    """The plan's changes in the order they are made: merges, then moves, then offers. The plan
    comes back from the page, so anything malformed in it is simply not a step."""
    def texts(value: Any) -> list[Any]:
        return value if isinstance(value, list) else []

    steps: list[_Step] = []
    moves = [m for merge in texts(plan.get("merges")) if isinstance(merge, dict) for m in texts(merge.get("moves"))]
    proposals = [p for p in texts(plan.get("proposals")) if isinstance(p, dict)]
    moves += [m for p in proposals for m in texts(p.get("moves"))]
    for move in moves:
        if isinstance(move, dict):
            steps.append(_Step(str(move.get("person", "")), str(move.get("to", "")), str(move.get("from", ""))))
    for proposal in proposals:
        steps += [_Step(str(reference), str(proposal.get("set", ""))) for reference in texts(proposal.get("add"))]
    return steps


def _check_step(step: _Step, data: RefillInput, board: dict[str, list[str]], slots: dict[str, str],
                waiting: set[str], seen: set[str]) -> str | None:
    """Why this change can no longer be made on its own, or None: the person is still where the plan
    found them (on the waiting list, or in the set they move from) and can attend the set's place and time."""
    if step.to not in board:
        return f"{step.to} no longer exists" if step.to else "the plan does not say which set"
    if step.person in seen:
        return "the plan names them twice"
    if step.source == step.to:
        return f"they are in {step.to} already"
    application = data.applications.get(step.person)
    if step.source is None:
        if step.person not in waiting:
            current = application or _application(step.person)
            if current is None or current.programme_id != data.programme_id:
                return "the application no longer exists"
            if current.status is ApplicationStatus.WAITING_LIST:
                return "someone with the same name and organisation already has a place"
            return f"they are now {current.status.label.lower()}, no longer on the waiting list"
    elif not step.source:
        return "the plan does not say which set they are in"
    elif step.person not in board.get(step.source, []):
        return f"they are no longer in {step.source}"
    if slots[step.to] not in data.people[step.person].slots:
        return f"they cannot attend {slots[step.to]}"
    return None


def _settle(steps: list[_Step], data: RefillInput, skipped: list[str]) -> list[_Step]:
    """The steps that can be made together: each still possible on its own, and every set they
    change keeping every hard rule afterwards (size, sector mix, organisations, pairs), checked
    with the same rules as the preview. A set that would break a rule gets none of the changes
    touching it; that can undo a change elsewhere, so this repeats until nothing more is dropped."""
    board = {s.name: list(s.members) for s in data.sets}
    slots = {s.name: s.slot for s in data.sets}
    waiting, seen = set(data.waiting), set()
    kept: list[_Step] = []
    for step in steps:
        why = _check_step(step, data, board, slots, waiting, seen)
        if why is not None:
            skipped.append(step.not_done(data, why))
            continue
        seen.add(step.person)
        kept.append(step)
    while True:
        final = {name: list(members) for name, members in board.items()}
        for step in kept:
            if step.source is not None:
                final[step.source].remove(step.person)
            final[step.to].append(step.person)
        touched = {step.to for step in kept} | {step.source for step in kept if step.source is not None}
        broken = {}
        for name in sorted(touched):
            if not final[name]:
                continue   # a merge emptied it: it is deleted
            card = check_set(final[name], slots[name], data.people, data.rules, name=name)
            if not card.ok:
                broken[name] = "; ".join(card.broken)
        if not broken:
            return kept
        for step in [s for s in kept if s.to in broken or s.source in broken]:
            name = step.to if step.to in broken else step.source
            skipped.append(step.not_done(data, f"afterwards {broken[name]}"))
            kept.remove(step)


def apply_plan(programme: Programme, plan: dict[str, Any], by: str, now: datetime) -> Applied:
    """Apply a plan (RefillPlan.to_dict(), as previewed) as far as it still holds now.

    The plan is only a proposal (it comes back from a page or a file): every change is re-checked
    against the database first, as the preview checked it, and anything that no longer holds is
    skipped and said. Sets a merge empties are deleted."""
    data = refill_input(programme)
    done = Applied()
    steps = _settle(_steps(plan), data, done.skipped)
    sets = {s.name: s for s in sets_of(programme)}
    for step in steps:
        if step.source is not None:
            _move(step, sets, by, now, done)
    for step in steps:
        if step.source is None:
            _offer(data.applications[step.person], sets[step.to], by, now, done)
    for name in dict.fromkeys(step.source for step in steps if step.source is not None):
        if name is not None:
            _remove_if_empty(sets[name], by, done)
    audit.record(by, "sets.refilled", f"programme:{programme.id}",
                 after={"offered": done.offered, "moved": done.moved, "removed_sets": done.removed_sets,
                        "skipped": done.skipped})
    return done


def _application(reference: str) -> Application | None:
    return db.session.scalars(select(Application).where(Application.reference == reference)).first()


def _offer(application: Application, target: LearningSet, by: str, now: datetime, done: Applied) -> None:
    try:
        change_status(application, ApplicationStatus.SELECTED, by, now, learning_set=target, reason=REASON)
    except TransitionRefused as refused:
        done.skipped.append(f"{application.full_name} ({application.reference}) was not offered a place: {refused}")
        return
    done.offered.append(f"{application.full_name} ({application.reference}) offered a place in {target.name}")


def _move(step: _Step, sets: dict[str, LearningSet], by: str, now: datetime, done: Applied) -> None:
    member = next(m for m in sets[step.source or ""].members if m.application.reference == step.person)
    application = member.application
    try:
        move_to_set(application, sets[step.to], by, now)
    except TransitionRefused as refused:
        done.skipped.append(f"{application.full_name} ({step.person}) was not moved to {step.to}: {refused}")
        return
    done.moved.append(f"{application.full_name} ({step.person}) moved from {step.source} to {step.to}")


def _remove_if_empty(learning_set: LearningSet, by: str, done: Applied) -> None:
    """Delete a set the plan emptied. Fee accounts of people who moved already follow them; the
    closed accounts of people who left no longer point at it (the audit log keeps where they were);
    its scheduled sessions go with it."""
    db.session.flush()
    db.session.refresh(learning_set)
    if learning_set.members:
        return
    left = db.session.scalars(select(FeeAccount).where(FeeAccount.set_id == learning_set.id)).all()
    for account in left:
        account.learning_set = None
    sessions = db.session.scalars(select(ScheduledSession).where(ScheduledSession.set_id == learning_set.id)).all()
    for session in sessions:
        db.session.delete(session)
    audit.record(by, "sets.deleted", f"learning_set:{learning_set.id}",
                 before={"name": learning_set.name, "slot": learning_set.slot_label,
                         "closed_fee_accounts": [a.application.reference for a in left],
                         "scheduled_sessions": len(sessions)})
    db.session.delete(learning_set)
    done.removed_sets.append(learning_set.name)
