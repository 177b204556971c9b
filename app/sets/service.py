"""Between the database and the optimiser: candidates from applications, runs, moves, confirmation."""
from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Application,
    ApplicationStatus,
    LearningSet,
    Programme,
    RunState,
    SelectionRun,
    SetMember,
)
from app.applications.lifecycle import change_status
from selection import Candidate, Rules, Scorecard, SelectionResult, Unplaced, check_set, draw_lottery, form_sets
from selection.advice import other_solver
from selection.serialise import as_written
from selection.serialise import candidate_from_dict, candidate_to_dict, rules_from_dict, rules_to_dict

# Everyone the organiser has judged eligible, including people placed or left out by an earlier
# confirmed run, so a new run can be compared with it.
POOL_STATUSES = (
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITING_LIST,
    ApplicationStatus.NOT_SELECTED,
)
LEFT_OUT_BY_ORGANISER = "Moved out of the sets by the organiser"
# Key in a run's stored rules listing the applications set aside as second applications.
SET_ASIDE = "set_aside"


@dataclass
class LeftOut:
    reference: str
    name: str
    why: str


def pool(programme: Programme) -> list[Application]:
    """The applications a new run considers: one per person (see pool_and_set_aside)."""
    return pool_and_set_aside(programme)[0]


def pool_and_set_aside(programme: Programme) -> tuple[list[Application], list[LeftOut]]:
    """The eligible applications, and the later ones from someone who applied twice (same name and
    organisation, any email: lifecycle.same_person), set aside so one person is never placed twice.
    The earliest application in the pool is the one considered."""
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.programme_id == programme.id, Application.status.in_(POOL_STATUSES))
            .options(selectinload(Application.slots), selectinload(Application.reviews))
        )
    )
    applications.sort(key=lambda a: (a.submitted_at, a.id))
    first_of: dict[str, Application] = {}
    kept: list[Application] = []
    set_aside: list[LeftOut] = []
    for application in applications:
        twin = first_of.get(application.search_key)
        if twin is None:
            first_of[application.search_key] = application
            kept.append(application)
        else:
            set_aside.append(LeftOut(application.reference, application.full_name,
                                     f"a second application from the same person as {twin.reference} "
                                     "(same name and organisation), which is the one considered"))
    kept.sort(key=lambda a: a.reference)
    return kept, set_aside


def candidate_for(application: Application, previous_set: str | None = None) -> Candidate:
    """Review priority is the average score (1–5) to two decimal places, as the organiser reads it
    (4 stays 4, 4.25 stays 4.25); unscored applications rank 0. `previous_set` names the set this
    person was in in an earlier programme (see previous_sets)."""
    average = application.average_score
    return Candidate(
        id=application.reference,
        organisation=application.organisation,
        sector=application.sector.value,
        slots=tuple(slot.label for slot in application.slots),
        priority=as_written(round(average, 2) if average is not None else None),
        previous_set=previous_set,
        name=application.full_name,
    )


def previous_sets(programme: Programme) -> dict[str, str]:
    """Email key -> "Programme: Set N" for everyone who was a member of a set in an earlier
    programme (the most recent one), so the optimiser keeps people who met in a set apart: nobody
    fills in a column for it."""
    rows = db.session.execute(
        select(Application.email_key, Programme.name, LearningSet.name)
        .join(SetMember, SetMember.application_id == Application.id)
        .join(LearningSet, LearningSet.id == SetMember.set_id)
        .join(Programme, Programme.id == LearningSet.programme_id)
        .where(LearningSet.programme_id != programme.id, Programme.id < programme.id)
        .order_by(Programme.id)
    ).all()
    return {email: f"{programme_name}: {set_name}" for email, programme_name, set_name in rows}


def candidates_for(programme: Programme, applications: Iterable[Application]) -> list[Candidate]:
    previous = previous_sets(programme)
    return [candidate_for(a, previous.get(a.email_key)) for a in applications]


def default_rules(programme: Programme) -> Rules:
    return Rules(min_size=programme.min_set_size, max_size=programme.max_set_size,
                 slots=tuple(slot.label for slot in programme.slots))


def start_run(programme: Programme, rules: Rules, by: str, candidates: Iterable[Candidate] | None = None,
              set_aside: Iterable[LeftOut] | None = None) -> SelectionRun:
    """Queue a run over `candidates` (default: the programme's pool). The applications set aside
    (second applications from one person) are kept with the run's rules, so its page can say who
    was left out and why."""
    if candidates is None:
        applications, set_aside = pool_and_set_aside(programme)
        people = candidates_for(programme, applications)
    else:
        people = list(candidates)
    stored_rules = rules_to_dict(rules)
    stored_rules[SET_ASIDE] = [{"id": s.reference, "name": s.name, "why": s.why} for s in set_aside or ()]
    run = SelectionRun(
        programme=programme, created_by=by, created_at=utcnow(), state=RunState.QUEUED,
        rules=stored_rules, candidates=[candidate_to_dict(c) for c in people],
    )
    db.session.add(run)
    db.session.flush()
    audit.record(by, "selection.started", f"selection_run:{run.id}", after={"rules": run.rules, "candidates": len(people)})
    return run


def set_aside_of(run: SelectionRun) -> list[LeftOut]:
    """Applications the run did not consider because the same person applied earlier."""
    return [LeftOut(entry["id"], entry["name"], entry["why"]) for entry in (run.rules or {}).get(SET_ASIDE) or []]


def solver_failed(candidates: Sequence[Candidate], rules: Rules) -> SelectionResult:
    """The answer when the optimiser stops with an error (it should not, but a solver can crash):
    no sets, everyone left out with the reason, and what to try. "timed_out" because nothing was
    proven either way."""
    # worded as form_sets words the failures it catches itself
    return SelectionResult(
        status="timed_out", gap=None, seconds=0.0, seed=rules.seed, solver=rules.solver,
        unplaced=[Unplaced(c.id, "no sets were formed: the optimiser stopped with an error (see the explanation)")
                  for c in sorted(candidates, key=lambda c: c.id)],
        explanation=["The optimiser stopped with an error; no sets were formed and nothing is proven either way. "
                     f"Run it again; if it fails again, {other_solver('highs' if rules.solver == 'cbc' else 'cbc')}."],
        lottery=draw_lottery(candidates, rules.seed),
    )


def error_text(exc: BaseException) -> str:
    """What went wrong, for the log and the run's record (not for applicants)."""
    return f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"


def form_sets_safely(candidates: Sequence[Candidate], rules: Rules, *, started: float,
                     reserve: float = 0.0) -> tuple[SelectionResult, str | None]:
    """form_sets with its time limit counted from `started` (a `time.monotonic()` reading), ending
    `reserve` seconds early to leave time for writing the answer. Never raises: if the optimiser
    does, the answer is solver_failed's and the error's text comes second (else None)."""
    error = None
    try:
        # form_sets stops at its start + the time limit: counting from `reserve` earlier stops it that much sooner
        result = form_sets(candidates, rules, started=started - reserve)
    except Exception as exc:
        result, error = solver_failed(candidates, rules), error_text(exc)
    result.seconds = time.monotonic() - started
    return result, error


def execute_run(run_id: int, *, started: float | None = None, reserve: float = 0.0) -> None:
    """Solve a queued run and store its result; a run never stays "running" because of an error.

    The time limit counts from `started` (a `time.monotonic()` reading; default: now), so a caller
    such as `als select` counts its own work against the same limit, and keeps `reserve` seconds
    of it for writing the answer. If the optimiser raises, the run finishes with the solver_failed
    answer (the error is kept on the run); any other error marks the run failed."""
    started = time.monotonic() if started is None else started
    run = db.session.get(SelectionRun, run_id)
    if run is None or run.state is not RunState.QUEUED:
        return
    run.state = RunState.RUNNING
    run.started_at = utcnow()
    db.session.commit()
    try:
        candidates, rules = [candidate_from_dict(c) for c in run.candidates], rules_from_dict(run.rules)
        result, error = form_sets_safely(candidates, rules, started=started, reserve=reserve)
        if error is not None:
            current_app.logger.error("Selection run %s: the optimiser failed: %s", run_id, error)
            run.error = error
        _store_result(run, result)
        db.session.commit()
    except Exception as exc:  # a bug or a database error must not leave the run "running" for ever
        current_app.logger.exception("Selection run %s failed", run_id)
        db.session.rollback()
        run.state = RunState.FAILED
        run.error = error_text(exc)
        run.finished_at = utcnow()
        db.session.commit()


def _store_result(run: SelectionRun, result: SelectionResult) -> None:
    data = result.to_dict()
    run.result = data
    run.arrangement = {
        "sets": [{"name": s["name"], "slot": s["slot"], "members": list(s["members"])} for s in data["sets"]],
        "unplaced": [dict(u) for u in data["unplaced"]],
        "pins": {},
    }
    run.status = result.status
    run.placed = result.placed
    run.set_count = len(result.sets)
    run.seconds = result.seconds
    run.state = RunState.FINISHED
    run.finished_at = utcnow()


def run_in_background(app: Flask, run_id: int) -> None:
    def target() -> None:
        with app.app_context():
            try:
                execute_run(run_id)
            finally:
                db.session.remove()

    threading.Thread(target=target, name=f"selection-{run_id}", daemon=True).start()


def is_stale(run: SelectionRun) -> bool:
    """A run still "running" well past its time limit lost its worker (a restart): say so."""
    if run.state is not RunState.RUNNING or run.started_at is None:
        return False
    limit = float(run.rules.get("time_limit") or 30)
    return utcnow() > run.started_at + timedelta(seconds=limit * 4 + 120)


# --- the organiser's adjustments -------------------------------------------------------------


class MoveRefused(ValueError):
    pass


def candidates_by_id(run: SelectionRun) -> dict[str, Candidate]:
    return {c["id"]: candidate_from_dict(c) for c in run.candidates}


def scorecards(run: SelectionRun) -> dict[str, Scorecard]:
    """Each set of the current arrangement checked against every hard rule."""
    people = candidates_by_id(run)
    rules = rules_from_dict(run.rules)
    rules.pins = dict(run.arrangement.get("pins") or {})
    return {
        s["name"]: check_set(s["members"], s["slot"], people, rules, name=s["name"])
        for s in run.arrangement["sets"]
    }


def _locate(arrangement: dict[str, Any], person: str) -> dict[str, Any] | None:
    for formed in arrangement["sets"]:
        if person in formed["members"]:
            return formed
    return None


def move(run: SelectionRun, person: str, target: str, by: str) -> None:
    """Move someone to another set, or out of the sets (target "")."""
    if run.confirmed_at is not None:
        raise MoveRefused("This run is confirmed; start a new run to change the sets")
    arrangement = _copy(run.arrangement)
    if person not in candidates_by_id(run):
        raise MoveRefused("That person is not in this run")
    source = _locate(arrangement, person)
    destination = next((s for s in arrangement["sets"] if s["name"] == target), None) if target else None
    if target and destination is None:
        raise MoveRefused("Choose a set to move them to")
    if source is destination:
        return
    if source is not None:
        source["members"].remove(person)
    else:
        arrangement["unplaced"] = [u for u in arrangement["unplaced"] if u["id"] != person]
    if destination is not None:
        destination["members"].append(person)
    else:
        arrangement["unplaced"].append({"id": person, "reason": LEFT_OUT_BY_ORGANISER})
    arrangement["pins"].pop(person, None)
    run.arrangement = arrangement
    audit.record(by, "selection.moved", f"selection_run:{run.id}",
                 before={"person": person, "set": source["name"] if source else None},
                 after={"person": person, "set": target or None})


def swap(run: SelectionRun, first: str, second: str, by: str) -> None:
    if run.confirmed_at is not None:
        raise MoveRefused("This run is confirmed; start a new run to change the sets")
    arrangement = _copy(run.arrangement)
    a, b = _locate(arrangement, first), _locate(arrangement, second)
    if a is None or b is None:
        raise MoveRefused("Both people must be in a set to swap them")
    if a is b:
        raise MoveRefused("They are already in the same set")
    a["members"][a["members"].index(first)] = second
    b["members"][b["members"].index(second)] = first
    for person in (first, second):
        arrangement["pins"].pop(person, None)
    run.arrangement = arrangement
    audit.record(by, "selection.swapped", f"selection_run:{run.id}",
                 before={first: a["name"], second: b["name"]}, after={first: b["name"], second: a["name"]})


def toggle_pin(run: SelectionRun, person: str, by: str) -> bool:
    """Pin someone to their current set for the next run. Returns True if now pinned."""
    arrangement = _copy(run.arrangement)
    formed = _locate(arrangement, person)
    if formed is None:
        raise MoveRefused("Only people in a set can be pinned")
    pinned = arrangement["pins"].pop(person, None) is None
    if pinned:
        arrangement["pins"][person] = formed["name"]
    run.arrangement = arrangement
    audit.record(by, "selection.pinned" if pinned else "selection.unpinned", f"selection_run:{run.id}",
                 after={"person": person, "set": formed["name"]})
    return pinned


def rerun(run: SelectionRun, by: str) -> SelectionRun:
    """The same rules and candidates again, keeping the organiser's pins (and their sets' places)."""
    rules = rules_from_dict(run.rules)
    pins = dict(run.arrangement.get("pins") or {}) if run.arrangement else {}
    slot_of = {s["name"]: s["slot"] for s in (run.arrangement or {}).get("sets", [])}
    rules.pins = pins
    rules.pinned_slots = {name: slot_of[name] for name in set(pins.values()) if name in slot_of}
    return start_run(run.programme, rules, by, [candidate_from_dict(c) for c in run.candidates], set_aside_of(run))


def _copy(arrangement: dict[str, Any]) -> dict[str, Any]:
    return {
        "sets": [{"name": s["name"], "slot": s["slot"], "members": list(s["members"])} for s in arrangement["sets"]],
        "unplaced": [dict(u) for u in arrangement["unplaced"]],
        "pins": dict(arrangement.get("pins") or {}),
    }


# --- confirming ---------------------------------------------------------------------------------


class ConfirmRefused(ValueError):
    """Confirming is not possible now; the message is one sentence for the organiser."""


class StillOpen(ConfirmRefused):
    """Applications are still open and the organiser has not said to confirm before the deadline."""


def outcome_of(run: SelectionRun) -> dict[str, list[str]]:
    """Who is offered a place, waiting-listed (a set meets at a place/time they can attend, so
    they can fill a place that falls free) or not selected (no set they can attend)."""
    people = candidates_by_id(run)
    slots_with_sets = {s["slot"] for s in run.arrangement["sets"] if s["members"]}
    selected = [p for s in run.arrangement["sets"] for p in s["members"]]
    waiting, regret = [], []
    for entry in run.arrangement["unplaced"]:
        candidate = people[entry["id"]]
        (waiting if set(candidate.slots) & slots_with_sets else regret).append(entry["id"])
    return {"selected": selected, "waiting_list": waiting, "not_selected": regret}


@dataclass
class Confirmation:
    counts: dict[str, int]
    left_out: list[LeftOut] = field(default_factory=list)


def _left_out_since(run: SelectionRun, by_reference: dict[str, Application]) -> dict[str, LeftOut]:
    """People the run placed or listed whose application changed since it ran, or who are a second
    application from someone placed already: they are left out of this confirmation."""
    gone: dict[str, LeftOut] = {}
    placed_people: dict[str, str] = {}
    for formed in run.arrangement["sets"]:
        for reference in formed["members"]:
            application = by_reference.get(reference)
            if application is None:
                continue
            twin = placed_people.get(application.search_key)
            if twin is not None:
                gone[reference] = LeftOut(reference, application.full_name,
                                          f"same name and organisation as {twin}, who keeps the place")
            else:
                placed_people[application.search_key] = reference
    for candidate in run.candidates:
        reference = candidate["id"]
        if reference in gone:
            continue
        application = by_reference.get(reference)
        twin = placed_people.get(application.search_key) if application is not None else None
        if twin is not None and twin != reference:
            gone[reference] = LeftOut(reference, application.full_name,
                                      f"same name and organisation as {twin}, who is offered a place")
            continue
        if application is None:
            gone[reference] = LeftOut(reference, candidate.get("name") or reference, "no longer in the database")
        elif application.status is not ApplicationStatus.ELIGIBLE:
            gone[reference] = LeftOut(reference, application.full_name,
                                      f"now {application.status.label.lower()} (it was eligible when the run started)")
    return gone


def preview_confirmation(run: SelectionRun) -> Confirmation:
    """What confirming now would do: the counts and who is left out (and why), without changing anything."""
    by_reference = _applications_of(run)
    gone = _left_out_since(run, by_reference)
    outcome = {key: [r for r in refs if r not in gone] for key, refs in outcome_of(run).items()}
    return Confirmation({key: len(value) for key, value in outcome.items()}, list(gone.values()))


def _applications_of(run: SelectionRun) -> dict[str, Application]:
    return {
        a.reference: a
        for a in db.session.scalars(select(Application).where(Application.programme_id == run.programme_id,
                                                                Application.reference.in_([c["id"] for c in run.candidates])))
    }


def confirm(run: SelectionRun, by: str, *, before_deadline: bool = False) -> Confirmation:
    """Create the run's sets and decide everyone's place, reading every status as it is now: anyone
    withdrawn or changed since the run is left out (and listed). Offers, waiting-list and regret
    emails, fee accounts and memberships all follow from app.applications.lifecycle."""
    if run.state is not RunState.FINISHED or run.arrangement is None:
        raise ConfirmRefused("Only a finished run can be confirmed")
    if run.confirmed_at is not None:
        raise ConfirmRefused("This run is already confirmed")
    already = db.session.scalars(select(LearningSet).where(LearningSet.programme_id == run.programme_id)).first()
    if already is not None:
        raise ConfirmRefused("Sets for this programme were confirmed already; they cannot be replaced here")
    now = utcnow()
    if run.programme.is_open(now) and not before_deadline:
        raise StillOpen("Applications are still open: tick ‘Confirm before the deadline’ to offer places now, "
                        "knowing that people who apply later will not be in these sets")
    broken = [message for card in scorecards(run).values() for message in card.broken]
    if broken:
        raise ConfirmRefused("Fix these before confirming: " + "; ".join(broken))
    by_reference = _applications_of(run)
    gone = _left_out_since(run, by_reference)
    outcome = {key: [r for r in refs if r not in gone] for key, refs in outcome_of(run).items()}
    if not outcome["selected"]:
        raise ConfirmRefused("Nobody would be offered a place, so there is nothing to confirm: mark applications "
                             "eligible and run the selection again")
    for formed in run.arrangement["sets"]:
        members = [p for p in formed["members"] if p not in gone]
        if not members:
            continue
        learning_set = LearningSet(programme_id=run.programme_id, run_id=run.id, name=formed["name"],
                                   slot_label=formed["slot"], created_at=now)
        db.session.add(learning_set)
        db.session.flush()
        for reference in members:
            change_status(by_reference[reference], ApplicationStatus.SELECTED, by, now,
                          learning_set=learning_set, decision=True, reason=f"Selection run {run.id}")
    for key, status in (("waiting_list", ApplicationStatus.WAITING_LIST),
                        ("not_selected", ApplicationStatus.NOT_SELECTED)):
        for reference in outcome[key]:
            change_status(by_reference[reference], status, by, now, decision=True, reason=f"Selection run {run.id}")
    run.confirmed_at = now
    run.confirmed_by = by
    counts = {key: len(value) for key, value in outcome.items()}
    audit.record(by, "selection.confirmed", f"selection_run:{run.id}",
                 after={**counts, "left_out": sorted(gone), "before_deadline": run.programme.is_open(now)})
    return Confirmation(counts, list(gone.values()))
