"""The facilitator's pages: their sets, one set's page, recording a session, its actions and their
review, and re-planning the dates at the interval the set agreed.

Only a set's own facilitator reaches its pages; anyone else signed in as a facilitator gets 404, so
they do not learn the set exists. What is private to the set (issue titles, the record's words,
actions and learning) is read through app.running.privacy; every change goes through
app.running.service.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.extensions import db
from app.facilitate import bp
from app.facilitate.forms import ActionForm, ReplanForm, interval_data, record_form, review_form
from app.models import Action, Attendance, LearningSet, Role, ScheduledSession, SessionKind
from app.running import service
from app.running.privacy import PrivateToTheSet, SessionView, SetView, Viewer, private_view
from app.running.service import RecordRefused, SessionEntry
from app.schedule import service as schedule
from app.schedule.forms import error_list, example_date
from app.schedule.planner import SESSIONS, Interval


@bp.after_request
def no_store(response: Response) -> Response:
    # Members' contact details and what the set shares in confidence: never kept in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _my_set(set_id: int) -> LearningSet:
    learning_set = db.session.get(LearningSet, set_id)
    if learning_set is None or not service.facilitates(current_user, learning_set):
        abort(404)
    return learning_set


def _my_session(session_id: int) -> ScheduledSession:
    session = db.session.get(ScheduledSession, session_id)
    if (session is None or session.kind is not SessionKind.SESSION
            or not service.facilitates(current_user, session.learning_set)):
        abort(404)
    return session


def _private(learning_set: LearningSet) -> SetView:
    try:
        return private_view(learning_set, Viewer(user=current_user._get_current_object()))
    except PrivateToTheSet:
        abort(404)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- what to do next --------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Something the facilitator has to do now, as a link or button."""

    text: str
    href: str


def planned_interval(learning_set: LearningSet) -> Interval | None:
    """The interval the dates were planned at (stored as the planner describes it)."""
    described = (learning_set.schedule_settings or {}).get("interval")
    candidates = [Interval("monthly"), *(Interval("weeks", n) for n in range(1, 27))]
    return next((i for i in candidates if i.describe() == described), None)


def agreed_interval(view: SetView) -> Interval | None:
    """The interval the members agreed at session 1, once it is recorded."""
    record = view.agreements
    return service.interval_from_name(record.agreed_interval) if record else None


def replan_offered(view: SetView, today: date) -> bool:
    """Session 1 agreed another interval than the plan's, and the later dates are all still to come."""
    agreed = agreed_interval(view)
    later = [s.session for s in view.sessions[1:]]
    return (agreed is not None and agreed != planned_interval(view.learning_set)
            and not any(service.has_happened(s, today) for s in later))


def unreviewed_at(session: ScheduledSession) -> list[Action]:
    """Open actions from earlier sessions that are not yet reviewed at this one."""
    return [a for a in service.to_review_at(session) if not any(r.session_id == session.id for r in a.reviews)]


def next_steps(view: SetView, today: date) -> list[Step]:
    """What to do now, most pressing first: record a session that has happened, re-plan the dates,
    review open actions, add the presenters' actions."""
    held = [s for s in view.sessions if service.has_happened(s.session, today)]
    steps = [Step(f"Record session {s.session.number}", url_for(".record", session_id=s.session.id))
             for s in held if s.record is None][:1]
    if replan_offered(view, today):
        steps.append(Step("Re-plan the remaining dates", url_for(".replan", set_id=view.learning_set.id)))
    if held:
        latest = held[-1]
        waiting = len(unreviewed_at(latest.session))
        if waiting:
            steps.append(Step(f"Review {_plural(waiting, 'open action')}",
                              url_for(".review", session_id=latest.session.id)))
        presented = [p for p in latest.session.presenters if p.presented]
        if latest.record is not None and presented and not latest.actions:
            steps.append(Step(f"Add the presenters' actions from session {latest.session.number}",
                              url_for(".actions", session_id=latest.session.id)))
    return steps


# --- the sets -----------------------------------------------------------------------------------


@bp.route("/")
@role_required(Role.FACILITATOR)
def index() -> str:
    """The sets this facilitator runs, each with its next session and the next thing to do."""
    today = schedule.today()
    rows = []
    for learning_set in service.sets_facilitated_by(current_user):
        view = _private(learning_set)
        rows.append({"set": learning_set, "members": len(learning_set.members),
                     "next": service.next_session(learning_set, today), "steps": next_steps(view, today)})
    return render_template("facilitate/index.html", rows=rows, today=today)


@bp.route("/sets/<int:set_id>")
@role_required(Role.FACILITATOR)
def set_page(set_id: int) -> str:
    """One set: the next thing to do, its sessions (dates, presenters and their titles, each
    record), what it agreed at session 1, its actions, and its members' contact details."""
    learning_set = _my_set(set_id)
    view = _private(learning_set)
    today = schedule.today()
    members = service.members_of(learning_set)
    names = {a.id: a.full_name for a in members}
    attendance = {s.session.id: service.attendance_of(s.session) for s in view.sessions if s.record}
    # The training sits among the sessions, by date, as members have it in their calendars.
    training = schedule.training_of(learning_set)
    meetings: list[SessionView | ScheduledSession] = [*view.sessions, *([training] if training else [])]
    meetings.sort(key=lambda m: (m.session.on if isinstance(m, SessionView) else m.on))
    return render_template(
        "facilitate/set.html", learning_set=learning_set, view=view, members=members, names=names,
        meetings=meetings, attendance=attendance, Attendance=Attendance, steps=next_steps(view, today),
        next_session=service.next_session(learning_set, today), agreed=agreed_interval(view),
        planned=planned_interval(learning_set), today=today, when=schedule.when, has_happened=service.has_happened,
        presenters_of=service.presenters_of)


# --- recording a session ------------------------------------------------------------------------


def _record_data(session: ScheduledSession, view: SetView) -> dict[str, object]:
    """The form as last saved, or before any record the rota's presenters and the planned interval."""
    record = view.session(session.number).record  # type: ignore[union-attr]
    if record is None:
        data: dict[str, object] = {"presented": [str(p.application_id) for p in session.presenters]}
    else:
        data = {f"attendance_{a_id}": mark.value for a_id, mark in service.attendance_of(session).items()}
        data["presented"] = [str(p.application_id) for p in session.presenters if p.presented]
    if session.number == 1:
        agreed = service.interval_from_name(record.agreed_interval) if record else None
        data.update(interval_data(agreed or planned_interval(session.learning_set)))
        data.update(ground_rules=record.ground_rules if record else "", issues=record.issues if record else "")
    return data


@bp.route("/sessions/<int:session_id>/record", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def record(session_id: int) -> str | BaseResponse:
    """After a session: who came (present, apologies, absent) and who presented; at session 1 also
    the ground rules, the issues the set wants to work on and the interval the members agreed."""
    session = _my_session(session_id)
    learning_set = session.learning_set
    view = _private(learning_set)
    today = schedule.today()
    first = session.number == 1
    members = service.members_of(learning_set)
    # What was posted stands on its own: a question left unanswered must not show the old answer.
    form = record_form(members, first, {} if request.method == "POST" else _record_data(session, view))
    recorded = view.session(session.number).record is not None  # type: ignore[union-attr]
    refusal = None
    if form.validate_on_submit():
        entry = SessionEntry(attendance=form.attendance(), presented=form.presented_ids(),
                             ground_rules=form["ground_rules"].data if first else None,
                             issues=form["issues"].data if first else None,
                             agreed_interval=form.agreed_interval())
        try:
            service.record_session(session, entry, by=actor(), today=today)
        except RecordRefused as refused:
            db.session.rollback()
            refusal = str(refused)
        else:
            db.session.commit()
            flash(f"Session {session.number} {'record corrected' if recorded else 'recorded'}", "success")
            return redirect(url_for(".set_page", set_id=learning_set.id))
    errors = ([{"text": refusal}] if refusal else []) + error_list(form)
    return render_template("facilitate/record.html", learning_set=learning_set, session=session, form=form,
                           members=members, errors=errors, happened=service.has_happened(session, today),
                           first=first, when=schedule.when(session), session_recorded=recorded,
                           record_limit=service.RECORD_LIMIT)


# --- re-planning from session 1 -----------------------------------------------------------------


def _date_changes(learning_set: LearningSet, sessions_and_training: list[tuple[str, date]]) -> list[dict]:
    """Each meeting's old and new date, in the new plan's order."""
    old = {schedule.meeting_label(m): m.on for m in schedule.meetings_of(learning_set)}
    return [{"name": name, "old": old.get(name), "new": on} for name, on in sessions_and_training]


@bp.route("/sets/<int:set_id>/replan", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def replan(set_id: int) -> str | BaseResponse:
    """Session 2 onwards (and the training) at the interval the members agreed at session 1: a
    preview of the old and new dates first; saving emails every member what changed."""
    learning_set = _my_set(set_id)
    view = _private(learning_set)
    agreed = agreed_interval(view)
    if agreed is None:
        flash("Record session 1 first, with how often the members agreed to meet", "info")
        return redirect(url_for(".set_page", set_id=learning_set.id))
    form = ReplanForm()
    today = schedule.today()
    save = form.validate_on_submit()
    try:
        plan = service.replan_from_first(learning_set, agreed, by=actor(), today=today, save=save)
    except RecordRefused as refused:
        flash(str(refused), "info")
        return redirect(url_for(".set_page", set_id=learning_set.id))
    if save and plan.ok:
        db.session.commit()
        told = ("every member has been emailed the new dates" if schedule.is_published(learning_set)
                else "members get them when the organiser publishes the schedule")
        flash(f"The dates are re-planned {agreed.describe()}: {told}", "success")
        return redirect(url_for(".set_page", set_id=learning_set.id))
    meetings = [(schedule.meeting_label_of(SessionKind(m.kind), m.number), m.on) for m in plan.meetings]
    return render_template("facilitate/replan.html", learning_set=learning_set, form=form, plan=plan,
                           agreed=agreed, planned=planned_interval(learning_set),
                           changes=_date_changes(learning_set, meetings),
                           errors=[{"text": problem} for problem in plan.problems])


# --- the action log -------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/actions", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def actions(session_id: int) -> str | BaseResponse:
    """A presenter's action from this session: what they will do and, if they said, by when."""
    session = _my_session(session_id)
    learning_set = session.learning_set
    view = _private(learning_set)
    today = schedule.today()
    presenters = [p for p in service.presenters_of(session) if p.presented is not False]
    form = ActionForm()
    form.presenter.choices = [(str(p.application_id), p.application.full_name) for p in presenters]
    if len(presenters) == 1 and not form.is_submitted():
        form.presenter.data = str(presenters[0].application_id)
    form.due_on.description = f"For example, {example_date(session.on + timedelta(weeks=4))}"
    refusal = None
    if form.validate_on_submit():
        presenter = next(p for p in presenters if str(p.application_id) == form.presenter.data)
        try:
            due_on = form.due_on.data if isinstance(form.due_on.data, date) else None  # day, month and year
            service.add_action(session, presenter.application, form.what.data or "", due_on, by=actor(), today=today)
        except RecordRefused as refused:
            db.session.rollback()
            refusal = str(refused)
        else:
            db.session.commit()
            flash(f"Action added for {presenter.application.full_name}", "success")
            return redirect(url_for(".actions", session_id=session.id))
    errors = error_list(form)
    if refusal:
        # The service's one rule about the date belongs by the date boxes.
        errors.insert(0, {"text": refusal, "href": "#due_on-day"} if "date" in refusal else {"text": refusal})
    return render_template("facilitate/actions.html", learning_set=learning_set, session=session, form=form,
                           presenters=presenters, errors=errors, set_here=view.session(session.number).actions,  # type: ignore[union-attr]
                           happened=service.has_happened(session, today), when=schedule.when(session),
                           limit=service.ACTION_LIMIT)


@bp.route("/actions/<int:action_id>/remove", methods=["POST"])
@role_required(Role.FACILITATOR)
def remove_action(action_id: int) -> BaseResponse:
    """Take back an action recorded by mistake (before it is reviewed)."""
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    session = _my_session(action.session_id)
    try:
        service.remove_action(action, by=actor())
    except RecordRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash("Action removed", "success")
    return redirect(url_for(".actions", session_id=session.id))


@bp.route("/sessions/<int:session_id>/review", methods=["GET", "POST"])
@role_required(Role.FACILITATOR)
def review(session_id: int) -> str | BaseResponse:
    """Each action still open from earlier sessions, reviewed at this one: done, partly done, not
    done or dropped, with a line of learning. Partly and not done carry to the next session."""
    session = _my_session(session_id)
    learning_set = session.learning_set
    _private(learning_set)  # actions are the set's own words: checked before they are read
    today = schedule.today()
    to_review = service.to_review_at(session)
    data: dict[str, object] = {}
    for action in to_review if request.method != "POST" else []:
        here = next((r for r in action.reviews if r.session_id == session.id), None)
        if here is not None:
            data[f"outcome_{action.id}"], data[f"learning_{action.id}"] = here.outcome.value, here.learning or ""
    form = review_form(to_review, data)
    refusal = None
    if form.validate_on_submit():
        reviewed = form.reviewed()
        try:
            for action, outcome, learning in reviewed:
                service.review_action(action, session, outcome, learning, by=actor(), today=today)
        except RecordRefused as refused:
            db.session.rollback()
            refusal = str(refused)
        else:
            db.session.commit()
            carried = sum(1 for _, outcome, _ in reviewed if not outcome.closes)
            message = f"{_plural(len(reviewed), 'action')} reviewed at session {session.number}"
            if carried and session.number < SESSIONS:
                message += f": {carried} carr{'ies' if carried == 1 else 'y'} to session {session.number + 1}"
            flash(message, "success")
            return redirect(url_for(".set_page", set_id=learning_set.id))
    errors = ([{"text": refusal}] if refusal else []) + error_list(form)
    return render_template("facilitate/review.html", learning_set=learning_set, session=session, form=form,
                           to_review=to_review, errors=errors, happened=service.has_happened(session, today),
                           when=schedule.when(session), limit=service.LEARNING_LIMIT)
