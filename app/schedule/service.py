"""Saving and changing a set's schedule: the database side of the planner and the rota.

Each function changes rows and records the change in the audit log in the same transaction; the
caller commits.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from app import audit
from app.clock import london, utcnow
from app.extensions import db
from app.programmes import current_programme
from app.finance.accounts import fees_due_before
from app.models import Application, LearningSet, Presenter, Programme, ScheduledSession, SessionKind
from app.outbox import Attachment
from app.schedule import ics
from app.schedule.planner import SESSIONS, Plan, WinterBreak, first_date_problem, move_check, slot_times, uk_date
from app.schedule.rota import build_rota

PLANNED = "schedule.planned"
PUBLISHED = "schedule.published"


def today() -> date:
    """Today in the UK, where every set meets."""
    return london(utcnow()).date()


def deadline_day(learning_set: LearningSet) -> date:
    """The UK day applications to the set's programme close: no session can be on or before it."""
    programme = db.session.get(Programme, learning_set.programme_id)
    assert programme is not None
    return london(programme.deadline).date()


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
    old_times = {(m.kind, m.number): when(m) for m in existing}
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
    changes = []
    for row in rows:
        old, new = old_times.pop((row.kind, row.number), None), when(row)
        if old != new:
            changes.append(f"{meeting_label(row)}: {old or 'not planned'} → {new}")
    changes += [f"{meeting_label_of(kind, number)}: {old} → cancelled" for (kind, number), old in old_times.items()]
    notify_change(learning_set, changes)
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


def usual_weekday(learning_set: LearningSet, leaving_out: ScheduledSession | None = None) -> int | None:
    """The weekday the set meets on (0 = Monday): the one its place and time names, or else the one
    most of its sessions are on."""
    named = slot_times(learning_set.slot_label).weekday
    if named is not None:
        return named
    days = Counter(s.on.weekday() for s in sessions_of(learning_set) if s is not leaving_out)
    return days.most_common(1)[0][0] if days else None


def check_move(session: ScheduledSession, new: date) -> Check:
    """Refuse a date in the past, a session out of order (or a training outside the sessions); warn
    about a bank holiday, the winter break, a session on another weekday than the set's usual one,
    or a training that is no longer between sessions 3 and 4."""
    learning_set = session.learning_set
    winter = winter_break_for(learning_set)
    sessions = sessions_of(learning_set)
    dates = [s.on for s in sessions]
    if session.kind is SessionKind.SESSION:
        if session.number == 1:
            # The same rule as planning: never in the past, never before applications close.
            too_early = first_date_problem(new, today(), deadline_day(learning_set))
            if too_early:
                return Check(too_early.replace("The first session", "Session 1"), [])
        refusal, warnings = move_check(dates, session.number - 1, new, winter, today=today(),
                                       usual_weekday=usual_weekday(learning_set, session))
        training = training_of(learning_set)
        if refusal is None and training is not None and new == training.on:
            warnings.append("The facilitation training is on that date too")
        return Check(refusal, warnings)
    if new < today():
        return Check(f"{uk_date(new)} is in the past: choose {uk_date(today())} or later", [])
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
    """Move a session (checks are the caller's, after showing any warnings); members of a published
    set are emailed the change. Returns whether it changed."""
    old_time = when(session)
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
    notify_change(session.learning_set, [f"{meeting_label(session)}: {old_time} → {when(session)}"])
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


def meeting_label_of(kind: SessionKind, number: int) -> str:
    return "Facilitation training" if kind is SessionKind.TRAINING else f"Session {number}"


def meeting_label(meeting: ScheduledSession) -> str:
    """'Session 2' or 'Facilitation training', as members read it."""
    return meeting_label_of(meeting.kind, meeting.number)


def when(meeting: ScheduledSession) -> str:
    """'Tuesday 8 December 2026, 09:30 to 12:30': a meeting's date and time, as the pages show them."""
    return f"{uk_date(meeting.on)}, {meeting.starts_at:%H:%M} to {meeting.ends_at:%H:%M}"


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


def calendar_filename(learning_set: LearningSet) -> str:
    """'set-3-sessions.ics': the name of the set's calendar file, downloaded or attached."""
    slug = "".join(c if c.isalnum() else "-" for c in learning_set.name.lower()).strip("-") or str(learning_set.id)
    return f"{slug}-sessions.ics"


# --- telling members their dates --------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    """One meeting as an email lists it."""

    name: str
    when: str
    venue: str
    presenters: str


def meeting_lines(learning_set: LearningSet) -> list[MeetingLine]:
    return [MeetingLine(meeting_label(m), when(m), m.venue, ", ".join(presenter_names(m)))
            for m in meetings_of(learning_set)]


def is_published(learning_set: LearningSet) -> bool:
    return learning_set.schedule_published_at is not None


def calendar_attachment(learning_set: LearningSet) -> Attachment:
    """The set's calendar as an email attachment."""
    return Attachment(calendar_filename(learning_set), "text/calendar", calendar_for(learning_set))


def _email_members(learning_set: LearningSet, template: str, except_for: Application | None = None,
                   **context: object) -> int:
    """One email to each current member, with the set's calendar attached. Returns how many."""
    from app.applications.service import private_link_for
    from app.outbox import queue_email

    calendar = calendar_attachment(learning_set)
    meetings = meeting_lines(learning_set)
    members = [a for a in members_in_order(learning_set) if except_for is None or a.id != except_for.id]
    for application in members:
        queue_email(application.email, template, attachment=calendar, application=application,
                    programme=application.programme, learning_set=learning_set, link=private_link_for(application),
                    meetings=meetings, **context)
    return len(members)


def publish(learning_set: LearningSet, by: str, now: datetime) -> int:
    """Publish a planned set's dates: record it and email every member the dates with the .ics.
    Returns how many members were emailed (0 if it was already published)."""
    if not sessions_of(learning_set):
        raise ValueError(f"{learning_set.name} has no dates to publish yet: plan its sessions first")
    if is_published(learning_set):
        return 0
    learning_set.schedule_published_at = now
    emailed = _email_members(learning_set, "schedule_published")
    audit.record(by, PUBLISHED, f"learning_set:{learning_set.id}", after={"members_emailed": emailed})
    return emailed


def publish_all(programme: Programme, by: str, now: datetime) -> tuple[int, int]:
    """Publish every planned set not yet published. Returns (sets published, members emailed)."""
    published = emailed = 0
    for learning_set in sets_of(programme):
        if not is_published(learning_set) and sessions_of(learning_set):
            emailed += publish(learning_set, by, now)
            published += 1
    return published, emailed


def notify_change(learning_set: LearningSet, changes: list[str], except_for: Application | None = None) -> int:
    """After publishing, one email to each member saying what changed (old → new) with the new .ics.
    A draft (unpublished) schedule sends nothing. Returns how many members were emailed."""
    if not changes or not is_published(learning_set):
        return 0
    return _email_members(learning_set, "schedule_changed", except_for=except_for, changes=changes)


def _presenters_by_session(sessions: list[ScheduledSession]) -> dict[int, str]:
    return {s.id: ", ".join(presenter_names(s)) or "nobody" for s in sessions}


def _rota_changes(sessions: list[ScheduledSession], before: dict[int, str]) -> list[str]:
    """'Session 6 (Tuesday 8 June 2027): presenting now Aoife Urquhart (was Łukasz Graham)'."""
    after = _presenters_by_session(sessions)
    return [f"{meeting_label(s)} ({uk_date(s.on)}): presenting now {after[s.id]} (was {before[s.id]})"
            for s in sessions if after[s.id] != before[s.id]]


def set_of_current_programme(set_id: int) -> LearningSet | None:
    """The set with this id if it belongs to the current programme (older programmes' sets are
    not managed from these pages)."""
    programme = current_programme()
    learning_set = db.session.get(LearningSet, set_id)
    if learning_set is None or programme is None or learning_set.programme_id != programme.id:
        return None
    return learning_set


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
    presented least (the first of them in the rota's order on a tie)."""
    from app.running.service import member_left_set   # running builds on the schedule

    member_left_set(learning_set, application)
    upcoming = [s for s in sessions_of(learning_set) if s.on >= today]
    before = _presenters_by_session(upcoming)
    changed = False
    now = utcnow()
    for session in upcoming:
        mine = [p for p in session.presenters if p.application_id == application.id]
        for presenter in mine:
            session.presenters.remove(presenter)
            session.updated_at = now
            changed = True
    counts = _presentations(learning_set)
    order = list(counts)  # members_in_order: alphabetical, as the rota takes turns
    members = {a.id: a for a in members_in_order(learning_set)}
    for session in upcoming:
        if session.presenters or not counts:
            continue
        chosen = min(order, key=lambda member_id: (counts[member_id], order.index(member_id)))
        session.presenters.append(Presenter(application=members[chosen]))
        session.updated_at = now
        counts[chosen] += 1
        changed = True
    if changed:
        audit.record(by, "schedule.rota_rebalanced", f"learning_set:{learning_set.id}",
                     after={"left": application.reference, **_snapshot(learning_set)})
        notify_change(learning_set, _rota_changes(upcoming, before))


def member_joined(learning_set: LearningSet, application: Application, by: str, today: date) -> None:
    """Give a new member one turn to present at the upcoming session with fewest presenters (the
    earliest of those, after the first, which is mostly co-production), so everyone still presents
    at least once. Nothing when the set has no sessions still to come, or they already present at one."""
    upcoming = [s for s in sessions_of(learning_set) if s.on >= today]
    if not upcoming or any(p.application_id == application.id for s in upcoming for p in s.presenters):
        return
    later = [s for s in upcoming if s.number > 1] or upcoming
    session = min(later, key=lambda s: (len(s.presenters), s.on))
    before = _presenters_by_session([session])
    session.presenters.append(Presenter(application=application))
    session.updated_at = utcnow()
    audit.record(by, "schedule.rota_rebalanced", f"learning_set:{learning_set.id}",
                 after={"joined": application.reference, **_snapshot(learning_set)})
    # The new member hears their turn in their offer; the others are told the rota changed.
    notify_change(learning_set, _rota_changes([session], before), except_for=application)
