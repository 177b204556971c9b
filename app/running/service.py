"""Running a set: its facilitator, each session's record, attendance, presenters and actions.

Every change to a set's running life happens here, never in a route. What is private to the set
(issue titles, ground rules, the issues it works on, actions and learning) is read through
app.running.privacy, which checks who is asking; this module's counts are what staff see.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Action,
    ActionOutcome,
    ActionReview,
    Application,
    Attendance,
    AttendanceMark,
    LearningSet,
    Presenter,
    Programme,
    Role,
    ScheduledSession,
    SessionKind,
    SessionRecord,
    User,
)
from app.schedule import service as schedule
from app.schedule.planner import Interval, Plan, plan_sessions
from selection.scorecard import org_key

#: limits stated on the forms
TITLE_LIMIT = 120
ACTION_LIMIT = 500
LEARNING_LIMIT = 500
#: an action's date is at most this long after the session it was set at
DUE_WITHIN_DAYS = 366
RECORD_LIMIT = 3000
#: missing this many sessions in a row (apologies or absent) flags a member to the organiser
MISSED_IN_A_ROW = 2


class RecordRefused(ValueError):
    """A record the rules do not allow (a session not yet held, someone not in the set...)."""


# --- facilitators ----------------------------------------------------------------------------


def facilitators() -> list[User]:
    """Active facilitator accounts, by name."""
    users = db.session.scalars(select(User).where(User.role == Role.FACILITATOR, User.active.is_(True))).all()
    return sorted(users, key=lambda u: (u.label.casefold(), u.id))


def facilitator_warnings(learning_set: LearningSet, user: User) -> list[str]:
    """Why this facilitator may not suit this set: a colleague among the members, or a place and
    time they have not said they can attend. Warnings, not refusals: the organiser decides."""
    warnings = []
    if user.organisation.strip():
        colleagues = [m.application for m in learning_set.members
                      if org_key(m.application.organisation) == org_key(user.organisation)]
        if colleagues:
            names = ", ".join(a.full_name for a in colleagues)
            warnings.append(f"{user.label} works for {user.organisation}, as {names} in this set does")
    if learning_set.slot_label not in (user.can_attend or []):
        warnings.append(f"{user.label} has not said they can attend {learning_set.slot_label}")
    clashes = [s.name for s in sets_facilitated_by(user)
               if s.id != learning_set.id and s.slot_label == learning_set.slot_label]
    if clashes:
        warnings.append(f"{user.label} already facilitates {', '.join(clashes)}, which "
                        f"{'meets' if len(clashes) == 1 else 'meet'} at the same place and time")
    return warnings


def assign_facilitator(learning_set: LearningSet, user: User | None, by: str) -> bool:
    """Give the set its facilitator (None removes it). Returns whether it changed."""
    if user is not None and user.role is not Role.FACILITATOR:
        raise RecordRefused(f"{user.email} is not a facilitator")
    before = learning_set.facilitator.email if learning_set.facilitator else None
    after = user.email if user else None
    if before == after:
        return False
    learning_set.facilitator = user
    audit.record(by, "set.facilitator_assigned", f"learning_set:{learning_set.id}",
                 before={"facilitator": before}, after={"facilitator": after})
    return True


def sets_facilitated_by(user: User) -> list[LearningSet]:
    return list(db.session.scalars(select(LearningSet).where(LearningSet.facilitator_id == user.id)
                                   .order_by(LearningSet.name)))


def facilitates(user: User | None, learning_set: LearningSet) -> bool:
    return (user is not None and getattr(user, "role", None) is Role.FACILITATOR
            and learning_set.facilitator_id == user.id)


# --- members and sessions --------------------------------------------------------------------


def members_of(learning_set: LearningSet) -> list[Application]:
    return schedule.members_in_order(learning_set)


def is_member(application: Application, learning_set: LearningSet) -> bool:
    return any(m.application_id == application.id for m in learning_set.members)


def sessions_of(learning_set: LearningSet) -> list[ScheduledSession]:
    return schedule.sessions_of(learning_set)


def record_of(session: ScheduledSession) -> SessionRecord | None:
    return db.session.scalars(select(SessionRecord).where(SessionRecord.session_id == session.id)).first()


def has_happened(session: ScheduledSession, today: date) -> bool:
    return session.on <= today


def next_session(learning_set: LearningSet, today: date) -> ScheduledSession | None:
    return next((s for s in sessions_of(learning_set) if s.on >= today), None)


def previous_session(session: ScheduledSession) -> ScheduledSession | None:
    earlier = [s for s in sessions_of(session.learning_set) if s.number < session.number]
    return earlier[-1] if earlier else None


def presenters_of(session: ScheduledSession) -> list[Presenter]:
    """Planned presenters (and anyone recorded as presenting), in name order."""
    return sorted(session.presenters, key=lambda p: (p.application.full_name.casefold(), p.application_id))


def presenter_row(session: ScheduledSession, application: Application) -> Presenter | None:
    return next((p for p in session.presenters if p.application_id == application.id), None)


def set_issue_title(session: ScheduledSession, application: Application, title: str, today: date) -> None:
    """A presenter names their issue before the session (optional, private to the set)."""
    row = presenter_row(session, application)
    if row is None or row.presented is False:
        raise RecordRefused("Only the people presenting at this session can give it a title")
    if has_happened(session, today) and record_of(session) is not None:
        raise RecordRefused("This session has been recorded: its titles can no longer change")
    row.issue_title = _clean(title, TITLE_LIMIT, "The title") or None


def _clean(text: str | None, limit: int, what: str) -> str:
    value = (text or "").strip()
    if len(value) > limit:
        raise RecordRefused(f"{what} must be {limit} characters or fewer")
    return value


@dataclass
class SessionEntry:
    """What the facilitator records after a session."""

    attendance: Mapping[int, Attendance]          # application id -> mark, for every member
    presented: Iterable[int]                      # application ids of those who presented
    ground_rules: str | None = None               # session 1 only
    issues: str | None = None                     # session 1 only
    agreed_interval: Interval | None = None       # session 1 only


def record_session(session: ScheduledSession, entry: SessionEntry, by: str, today: date) -> SessionRecord:
    """Record (or correct) attendance and presenters; for session 1 also what the set agreed."""
    if session.kind is not SessionKind.SESSION:
        raise RecordRefused("Only sessions are recorded here")
    if not has_happened(session, today):
        raise RecordRefused(f"{schedule.meeting_label(session)} has not happened yet: record it on or after "
                            f"its date")
    members = {a.id: a for a in members_of(session.learning_set)}
    missing = [a.full_name for a_id, a in members.items() if a_id not in entry.attendance]
    if missing:
        raise RecordRefused("Record attendance for everyone: " + ", ".join(missing))
    strangers = [a_id for a_id in [*entry.attendance, *entry.presented] if a_id not in members]
    if strangers:
        raise RecordRefused("Only members of this set can be recorded")
    presented = set(entry.presented)
    if not presented:
        raise RecordRefused("Record who presented: at least one member presents at each session")
    absent = [members[a_id].full_name for a_id in presented if entry.attendance[a_id] is not Attendance.PRESENT]
    if absent:
        raise RecordRefused("Someone who presented must be marked present: " + ", ".join(absent))
    with_actions = sorted({a.application.full_name for a in actions_of(session.learning_set)
                           if a.session_id == session.id and a.application_id not in presented})
    if with_actions:
        raise RecordRefused(", ".join(with_actions) + " presented: their actions from this session are recorded")
    record = record_of(session)
    now = utcnow()
    if record is None:
        record = SessionRecord(session_id=session.id, recorded_at=now, recorded_by=by)
        db.session.add(record)
    record.recorded_at, record.recorded_by = now, by
    if session.number == 1:
        record.ground_rules = _clean(entry.ground_rules, RECORD_LIMIT, "The ground rules") or None
        record.issues = _clean(entry.issues, RECORD_LIMIT, "The issues") or None
        record.agreed_interval = _interval_name(entry.agreed_interval) if entry.agreed_interval else None
    marks = {m.application_id: m for m in db.session.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id == session.id))}
    for a_id, status in entry.attendance.items():
        mark = marks.get(a_id) or AttendanceMark(session_id=session.id, application_id=a_id, status=status)
        mark.status = status
        db.session.add(mark)
    for row in session.presenters:
        row.presented = row.application_id in presented
    planned = {row.application_id for row in session.presenters}
    for a_id in sorted(presented - planned):
        session.presenters.append(Presenter(application=members[a_id], presented=True))
    # Counts only: the record's words stay out of the audit log, which organisers read.
    audit.record(by, "session.recorded", f"scheduled_session:{session.id}",
                 after={"present": sum(1 for s in entry.attendance.values() if s is Attendance.PRESENT),
                        "apologies": sum(1 for s in entry.attendance.values() if s is Attendance.APOLOGIES),
                        "absent": sum(1 for s in entry.attendance.values() if s is Attendance.ABSENT),
                        "presented": len(presented)})
    db.session.flush()
    return record


def _interval_name(interval: Interval) -> str:
    return "monthly" if interval.kind == "monthly" else f"{interval.weeks} weeks"


def interval_from_name(name: str | None) -> Interval | None:
    if not name:
        return None
    if name == "monthly":
        return Interval("monthly")
    weeks = name.split()[0]
    return Interval("weeks", int(weeks)) if weeks.isdigit() else None


def attendance_of(session: ScheduledSession) -> dict[int, Attendance]:
    return {m.application_id: m.status for m in db.session.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id == session.id))}


# --- re-planning from session 1 ------------------------------------------------------------------


def replan_from_first(learning_set: LearningSet, interval: Interval, by: str, today: date,
                      save: bool = True) -> Plan:
    """Sessions 2–6 (and the training) re-planned at the interval the members agreed, from
    session 1's date, with every rule of the schedule (bank holidays, the winter break, about
    eight months). Session 1, its record and the rota stay. With save=False only the plan."""
    sessions = sessions_of(learning_set)
    if not sessions:
        raise RecordRefused("This set has no schedule yet")
    first = sessions[0]
    settings = learning_set.schedule_settings or {}
    training_after = settings.get("training_after", 3)
    plan = plan_sessions(first.on, interval, learning_set.slot_label, schedule.winter_break_for(learning_set),
                         training_after=training_after)
    past = [s for s in sessions[1:] if s.on < today or record_of(s) is not None]
    if past:
        held = " and ".join(schedule.meeting_label(s) for s in past[:2]) + (" and later" if len(past) > 2 else "")
        return Plan(plan.sessions, plan.training, (f"{held} {'has' if len(past) == 1 else 'have'} happened: the "
                                                   f"remaining dates can be re-planned only before session 2",),
                    plan.notes)
    problems = list(plan.problems)
    early = [m for m in plan.sessions[1:] if m.on < today]
    if early:
        problems.append("At that interval some new dates would be in the past: choose a longer interval")
    if problems:
        return Plan(plan.sessions, plan.training, tuple(problems), plan.notes)
    if not save:
        return plan
    by_number = {s.number: s for s in sessions}
    changes = []
    for meeting in plan.sessions[1:]:
        row = by_number.get(meeting.number)
        if row is not None and row.on != meeting.on:
            old = schedule.when(row)
            row.on, row.updated_at = meeting.on, utcnow()
            changes.append(f"{schedule.meeting_label(row)}: {old} → {schedule.when(row)}")
    training = schedule.training_of(learning_set)
    if training is not None and plan.training is not None and training.on != plan.training.on:
        old = schedule.when(training)
        training.on, training.updated_at = plan.training.on, utcnow()
        changes.append(f"{schedule.meeting_label(training)}: {old} → {schedule.when(training)}")
    learning_set.schedule_settings = {**settings, "interval": interval.describe()}
    audit.record(by, "schedule.replanned", f"learning_set:{learning_set.id}",
                 after={"interval": _interval_name(interval), "changes": len(changes)})
    if changes:
        schedule.notify_change(learning_set, changes)
    return plan


# --- the action log ----------------------------------------------------------------------------


def add_action(session: ScheduledSession, application: Application, what: str, due_on: date | None,
               by: str, today: date) -> Action:
    """An action for a presenter of this session; `by` is "member" or the facilitator's email."""
    if not is_member(application, session.learning_set):
        raise RecordRefused("Actions belong to members of the set")
    row = presenter_row(session, application)
    if row is None or row.presented is False:
        raise RecordRefused(f"{application.full_name} did not present at {schedule.meeting_label(session)}")
    if not has_happened(session, today):
        raise RecordRefused(f"{schedule.meeting_label(session)} has not happened yet")
    text = _clean(what, ACTION_LIMIT, "The action")
    if not text:
        raise RecordRefused("Enter what the action is")
    if due_on is not None and due_on < session.on:
        raise RecordRefused("The date for an action must be on or after the session")
    if due_on is not None and due_on > session.on + timedelta(days=DUE_WITHIN_DAYS):
        raise RecordRefused("The date for an action must be within a year of the session")
    if any(a.session_id == session.id and a.application_id == application.id and a.what == text
           for a in actions_of(session.learning_set)):
        raise RecordRefused("That action is recorded already")
    action = Action(set_id=session.set_id, session_id=session.id, application_id=application.id, what=text,
                    due_on=due_on, created_at=utcnow(), created_by=by)
    db.session.add(action)
    audit.record(by, "action.added", f"learning_set:{session.set_id}", after={"session": session.number})
    db.session.flush()
    return action


def remove_action(action: Action, by: str) -> None:
    """Take back an action recorded by mistake; once it has been reviewed it is history and stays."""
    if action.reviews:
        raise RecordRefused("This action has been reviewed, so it stays in the set's history: review it as "
                            "dropped instead")
    audit.record(by, "action.removed", f"learning_set:{action.set_id}", after={"session": action.session.number})
    db.session.delete(action)
    db.session.flush()


def actions_of(learning_set: LearningSet) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.set_id == learning_set.id)
                                   .order_by(Action.session_id, Action.id)))


def to_review_at(session: ScheduledSession) -> list[Action]:
    """Actions to review at this session: open ones set at an earlier session, plus any already
    reviewed here (so a review can be corrected)."""
    sessions = sessions_of(session.learning_set)
    earlier = {s.id for s in sessions if s.number < session.number}
    if sessions and session.id == sessions[-1].id:
        earlier.add(session.id)   # no later session: the last one's actions are reviewed at it
    out = []
    for action in actions_of(session.learning_set):
        if action.session_id not in earlier:
            continue
        reviewed_here = any(r.session_id == session.id for r in action.reviews)
        later_review = any(r.session.number > session.number for r in action.reviews)
        if reviewed_here or (action.is_open and not later_review):
            out.append(action)
    return out


def review_action(action: Action, session: ScheduledSession, outcome: ActionOutcome, learning: str | None,
                  by: str, today: date) -> ActionReview:
    """Review an action at a later session: done or dropped closes it; partly or not done carries
    it to the next session."""
    last = sessions_of(session.learning_set)[-1]
    if action.set_id != session.set_id or (action.session.number >= session.number and session.id != last.id):
        raise RecordRefused("An action is reviewed at a later session of its own set")
    if not has_happened(session, today):
        raise RecordRefused(f"{schedule.meeting_label(session)} has not happened yet")
    review = next((r for r in action.reviews if r.session_id == session.id), None)
    if review is None:
        review = ActionReview(session=session, outcome=outcome, recorded_at=utcnow(), recorded_by=by)
        action.reviews.append(review)
    review.outcome = outcome
    review.learning = _clean(learning, LEARNING_LIMIT, "The learning") or None
    review.recorded_at, review.recorded_by = utcnow(), by
    latest = max(action.reviews, key=lambda r: r.session.number)
    action.closed_at = utcnow() if latest.outcome.closes else None
    audit.record(by, "action.reviewed", f"learning_set:{session.set_id}",
                 after={"session": session.number, "outcome": outcome.value})
    db.session.flush()
    return review


# --- what staff see: counts and attendance, never the words ------------------------------------


@dataclass
class SetCounts:
    actions_set: int = 0
    actions_reviewed: int = 0
    actions_done: int = 0
    actions_open: int = 0
    sessions_recorded: int = 0
    #: session number -> {"present": n, "apologies": n, "absent": n}
    attendance: dict[int, dict[str, int]] = field(default_factory=dict)


def counts_of(learning_set: LearningSet) -> SetCounts:
    """Counts only: what organisers and finance may see of a set's running (Chatham House)."""
    counts = SetCounts()
    actions = actions_of(learning_set)
    counts.actions_set = len(actions)
    counts.actions_reviewed = sum(1 for a in actions if a.reviews)
    counts.actions_done = sum(1 for a in actions if a.reviews and
                              max(a.reviews, key=lambda r: r.session.number).outcome is ActionOutcome.DONE)
    counts.actions_open = sum(1 for a in actions if a.is_open)
    for session in sessions_of(learning_set):
        if record_of(session) is None:
            continue
        counts.sessions_recorded += 1
        marks = attendance_of(session)
        counts.attendance[session.number] = {s.value: sum(1 for m in marks.values() if m is s) for s in Attendance}
    return counts


@dataclass
class MissedFlag:
    application: Application
    learning_set: LearningSet
    sessions: list[int]   # the session numbers missed in a row


def missed_in_a_row(programme: Programme) -> list[MissedFlag]:
    """Members whose latest MISSED_IN_A_ROW or more recorded sessions were missed (apologies or absent)."""
    flags: list[MissedFlag] = []
    for learning_set in schedule.sets_of(programme):
        recorded = [s for s in sessions_of(learning_set) if record_of(s) is not None]
        marks = {s.number: attendance_of(s) for s in recorded}
        for application in members_of(learning_set):
            # the misses up to the latest recorded session: once they are back, the flag goes
            run: list[int] = []
            for session in recorded:
                status = marks[session.number].get(application.id)
                if status is not None and status is not Attendance.PRESENT:
                    run.append(session.number)
                elif status is not None:
                    run = []
            if len(run) >= MISSED_IN_A_ROW:
                flags.append(MissedFlag(application, learning_set, run))
    return flags


def member_left_set(learning_set: LearningSet, application: Application) -> int:
    """A member who leaves takes their open actions with them: nobody can review them now.
    Returns how many were closed (their history stays)."""
    closed = 0
    for action in actions_of(learning_set):
        if action.application_id == application.id and action.is_open:
            action.closed_at = utcnow()
            closed += 1
    return closed


def attendance_table(learning_set: LearningSet) -> dict[int, dict[int, Attendance]]:
    """application id -> {session number -> mark}: attendance is not private to the set."""
    table: dict[int, dict[int, Attendance]] = defaultdict(dict)
    for session in sessions_of(learning_set):
        for a_id, status in attendance_of(session).items():
            table[a_id][session.number] = status
    return dict(table)
