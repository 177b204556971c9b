"""Saving and changing a set's schedule: the database side of the planner and the rota.

Each function changes rows and records the change in the audit log in the same transaction; the
caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from app import audit
from app.clock import utcnow
from app.extensions import db
from app.finance.accounts import fees_due_before
from app.models import Application, LearningSet, Presenter, Programme, ScheduledSession, SessionKind
from app.schedule import ics
from app.schedule.planner import SESSIONS, Plan, WinterBreak, move_check, uk_date
from app.schedule.rota import build_rota

PLANNED = "schedule.planned"


def members_in_order(learning_set: LearningSet) -> list[Application]:
    """Alphabetical by name (then id, for namesakes): the order the rota takes turns in, which the
    organiser can explain to the set."""
    return sorted((m.application for m in learning_set.members), key=lambda a: (a.full_name.casefold(), a.id))


def sessions_of(learning_set: LearningSet) -> list[ScheduledSession]:
    """The set's six sessions in number order, without the training."""
    return list(db.session.scalars(
        select(ScheduledSession).where(ScheduledSession.set_id == learning_set.id,
                                       ScheduledSession.kind == SessionKind.SESSION)
        .order_by(ScheduledSession.number)))


def training_of(learning_set: LearningSet) -> ScheduledSession | None:
    return db.session.scalars(select(ScheduledSession).where(
        ScheduledSession.set_id == learning_set.id, ScheduledSession.kind == SessionKind.TRAINING)).first()


def meetings_of(learning_set: LearningSet) -> list[ScheduledSession]:
    """Sessions and training in date order, as they will happen."""
    rows = sessions_of(learning_set)
    training = training_of(learning_set)
    if training is not None:
        rows.append(training)
    return sorted(rows, key=lambda s: (s.on, s.kind is SessionKind.SESSION, s.number))


def _snapshot(learning_set: LearningSet) -> dict:
    """What the audit log keeps of a schedule: dates and presenters by reference."""
    return {
        "sessions": {str(s.number): {"on": s.on.isoformat(), "presenters": sorted(p.application.reference
                                                                                    for p in s.presenters)}
                     for s in sessions_of(learning_set)},
        "training": (t.on.isoformat() if (t := training_of(learning_set)) else None),
    }


def save_plan(learning_set: LearningSet, plan: Plan, by: str, *, interval: str,
              winter: WinterBreak | None, training_after: int | None) -> list[ScheduledSession]:
    """Replace the set's schedule with the plan and a fresh rota; bring the fees' due date forward."""
    if not plan.ok:
        raise ValueError("; ".join(plan.problems))
    existing = meetings_of(learning_set)
    before = _snapshot(learning_set) if existing else None
    for row in existing:
        db.session.delete(row)
    db.session.flush()  # the unique (set, kind, number) must be free before the new rows go in
    now = utcnow()
    rota = build_rota(members_in_order(learning_set), len(plan.sessions))
    rows: list[ScheduledSession] = []
    for meeting in plan.meetings:
        row = ScheduledSession(
            set_id=learning_set.id, kind=SessionKind(meeting.kind), number=meeting.number, on=meeting.on,
            starts_at=meeting.starts_at, ends_at=meeting.ends_at, venue=meeting.venue,
            review_point=meeting.review_point, updated_at=now,
        )
        if meeting.kind == "session":
            row.presenters = [Presenter(application=a) for a in rota[meeting.number - 1]]
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    learning_set.schedule_settings = {
        "interval": interval,
        "training_after": training_after,
        "winter_break": ([winter.start_day, winter.start_month, winter.end_day, winter.end_month]
                         if winter else None),
    }
    audit.record(by, PLANNED, f"learning_set:{learning_set.id}", before=before,
                 after={**_snapshot(learning_set), **learning_set.schedule_settings})
    fees_due_before(learning_set, plan.sessions[0].on, by)
    return rows


def winter_break_for(learning_set: LearningSet) -> WinterBreak | None:
    """The break the set was planned with, or the default one before it is planned."""
    settings = learning_set.schedule_settings
    if not settings or "winter_break" not in settings:
        return WinterBreak()
    values = settings["winter_break"]
    return WinterBreak(*values) if values else None


@dataclass
class Check:
    refusal: str | None
    warnings: list[str]


def check_move(session: ScheduledSession, new: date) -> Check:
    """Refuse a session out of order (or a training outside the sessions); warn about a bank holiday,
    the winter break, or a training that is no longer between sessions 3 and 4."""
    learning_set = session.learning_set
    winter = winter_break_for(learning_set)
    sessions = sessions_of(learning_set)
    dates = [s.on for s in sessions]
    if session.kind is SessionKind.SESSION:
        refusal, warnings = move_check(dates, session.number - 1, new, winter)
        training = training_of(learning_set)
        if refusal is None and training is not None and new == training.on:
            warnings.append("The facilitation training is on that date too")
        return Check(refusal, warnings)
    if dates and not dates[0] < new < dates[-1]:
        return Check(f"The training must be between the first session on {uk_date(dates[0])} "
                     f"and the last on {uk_date(dates[-1])}", [])
    _, warnings = move_check([], 0, new, winter)
    if len(dates) >= 4 and not dates[2] < new < dates[3]:
        warnings.append("The training would no longer be at the halfway point, between sessions 3 and 4")
    if new in dates:
        warnings.append("A session is on that date too")
    return Check(None, warnings)


def move(session: ScheduledSession, new: date, by: str, starts_at: time | None = None,
         ends_at: time | None = None) -> bool:
    """Move a session (checks are the caller's, after showing any warnings). Returns whether it changed."""
    before = {"on": session.on.isoformat(), "starts_at": session.starts_at.isoformat(timespec="minutes"),
              "ends_at": session.ends_at.isoformat(timespec="minutes")}
    session.on = new
    session.starts_at = starts_at or session.starts_at
    session.ends_at = ends_at or session.ends_at
    after = {"on": session.on.isoformat(), "starts_at": session.starts_at.isoformat(timespec="minutes"),
             "ends_at": session.ends_at.isoformat(timespec="minutes")}
    before, after = audit.changed_fields(before, after)
    if not after:
        return False
    session.updated_at = utcnow()
    audit.record(by, "schedule.session_moved", _target(session), before=before, after=after)
    if session.kind is SessionKind.SESSION and session.number == 1:
        fees_due_before(session.learning_set, new, by)  # fees fall due before the (new) first session
    return True


def never_presenting(session: ScheduledSession, chosen: list[Application]) -> list[Application]:
    """Members who would never present if this session's presenters became `chosen`."""
    others = {p.application_id for s in sessions_of(session.learning_set) if s.id != session.id for p in s.presenters}
    mine = {a.id for a in chosen}
    return [a for a in members_in_order(session.learning_set) if a.id not in others | mine]


def set_presenters(session: ScheduledSession, chosen: list[Application], by: str) -> bool:
    if not chosen:
        raise ValueError("Every session needs at least one presenter")
    before = sorted(p.application.reference for p in session.presenters)
    after = sorted(a.reference for a in chosen)
    if before == after:
        return False
    keep = {a.id for a in chosen}
    session.presenters = [p for p in session.presenters if p.application_id in keep]
    have = {p.application_id for p in session.presenters}
    session.presenters += [Presenter(application=a) for a in chosen if a.id not in have]
    session.updated_at = utcnow()
    audit.record(by, "schedule.presenters_changed", _target(session),
                 before={"presenters": before}, after={"presenters": after})
    return True


def _target(session: ScheduledSession) -> str:
    return f"learning_set:{session.set_id}:{session.kind.value}:{session.number}"


def summary(learning_set: LearningSet, meeting: ScheduledSession) -> str:
    if meeting.kind is SessionKind.TRAINING:
        return f"{learning_set.name}: facilitation training"
    return f"{learning_set.name}: session {meeting.number} of {SESSIONS}"


def presenter_names(meeting: ScheduledSession) -> list[str]:
    return sorted((p.application.full_name for p in meeting.presenters), key=str.casefold)


def calendar_for(learning_set: LearningSet) -> str:
    """The set's .ics file: one event per session and one for the training."""
    events = []
    for meeting in meetings_of(learning_set):
        lines = []
        if meeting.kind is SessionKind.TRAINING:
            lines.append("Training and support to equip members to facilitate future action learning sets.")
        else:
            names = presenter_names(meeting)
            if names:
                lines.append(f"Presenting: {', '.join(names)}")
            if meeting.number == 1:
                lines.append("Co-production: ground rules, how the set will work and the issues to discuss.")
        if meeting.review_point:
            lines.append(meeting.review_point)
        lines.append("Chatham House rules; everything said in the set is confidential.")
        events.append(ics.CalendarEvent(
            uid=ics.event_uid(learning_set.id, meeting.kind.value, meeting.number),
            summary=summary(learning_set, meeting), on=meeting.on, starts_at=meeting.starts_at,
            ends_at=meeting.ends_at, location=meeting.venue, description="\n".join(lines),
            last_modified=meeting.updated_at,
        ))
    return ics.build_calendar(events, stamp=utcnow(), name=f"Action learning: {learning_set.name}")


def sets_of(programme: Programme) -> list[LearningSet]:
    return list(db.session.scalars(select(LearningSet).where(LearningSet.programme_id == programme.id)
                                   .order_by(LearningSet.id)))


# --- members joining and leaving after the schedule is planned ---------------------------------


def _presentations(learning_set: LearningSet) -> dict[int, int]:
    counts = {a.id: 0 for a in members_in_order(learning_set)}
    for session in sessions_of(learning_set):
        for presenter in session.presenters:
            if presenter.application_id in counts:
                counts[presenter.application_id] += 1
    return counts


def member_left(learning_set: LearningSet, application: Application, by: str, today: date) -> None:
    """Take a departing member off the sessions still to come (sessions already held keep their
    presenters, as history) and give any session left without a presenter to the member who has
    presented least."""
    upcoming = [s for s in sessions_of(learning_set) if s.on >= today]
    changed = False
    for session in upcoming:
        mine = [p for p in session.presenters if p.application_id == application.id]
        for presenter in mine:
            session.presenters.remove(presenter)
            changed = True
    counts = _presentations(learning_set)
    members = {a.id: a for a in members_in_order(learning_set)}
    for session in upcoming:
        if session.presenters or not counts:
            continue
        chosen = min(counts, key=lambda member_id: (counts[member_id], list(members).index(member_id)))
        session.presenters.append(Presenter(application=members[chosen]))
        counts[chosen] += 1
        changed = True
    if changed:
        audit.record(by, "schedule.rota_rebalanced", f"learning_set:{learning_set.id}",
                     after={"left": application.reference, **_snapshot(learning_set)})


def member_joined(learning_set: LearningSet, application: Application, by: str, today: date) -> None:
    """Give a new member a turn to present at the upcoming session with fewest presenters (the
    earliest of those, after the first), so everyone still presents at least once."""
    upcoming = [s for s in sessions_of(learning_set) if s.on >= today]
    if not upcoming:
        return
    later = [s for s in upcoming if s.number > 1] or upcoming
    session = min(later, key=lambda s: (len(s.presenters), s.on))
    session.presenters.append(Presenter(application=application))
    session.updated_at = utcnow()
    audit.record(by, "schedule.rota_rebalanced", f"learning_set:{learning_set.id}",
                 after={"joined": application.reference, **_snapshot(learning_set)})
