"""The organiser's schedule pages: every set, planning one, its sessions, changing a session, downloads."""
from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.clock import utcnow
from app.extensions import db
from app.models import Application, AuditEvent, LearningSet, Role, ScheduledSession, SessionKind
from app.programmes import current_programme
from app.schedule import bp, service
from app.schedule.export import write_programme_schedule
from app.schedule.forms import PlanForm, PublishForm, SessionForm, error_list, example_date
from app.schedule.planner import Interval, Plan, earliest_first_date, plan_sessions, slot_times, uk_date
from app.schedule.rota import build_rota

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.after_request
def no_store(response: Response) -> Response:
    # Names and dates of a confidential group: never kept in a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("uk_date")
def uk_date_filter(on: date) -> str:
    return uk_date(on)


@bp.app_template_filter("clock")
def clock_filter(at) -> str:  # type: ignore[no-untyped-def]
    return at.strftime("%H:%M")


def _set(set_id: int) -> LearningSet:
    return service.set_of_current_programme(set_id) or abort(404)


@bp.route("/")
@role_required(Role.ORGANISER)
def index() -> str:
    programme = current_programme()
    sets = service.sets_of(programme) if programme else []
    rows = []
    for learning_set in sets:
        sessions = service.sessions_of(learning_set)
        rows.append({"set": learning_set, "sessions": sessions, "published": service.is_published(learning_set),
                     "first": sessions[0].on if sessions else None, "last": sessions[-1].on if sessions else None})
    drafts = sum(1 for row in rows if row["first"] and not row["published"])
    return render_template("schedule/index.html", programme=programme, rows=rows, drafts=drafts,
                           publish_form=PublishForm())


def _members_phrase(count: int) -> str:
    return f"{count} member{'' if count == 1 else 's'}"


@bp.route("/publish", methods=["POST"])
@role_required(Role.ORGANISER)
def publish_all() -> BaseResponse:
    """Publish every planned set's dates not yet published, emailing each member theirs."""
    programme = current_programme()
    if programme is None or not PublishForm().validate_on_submit():
        return redirect(url_for("schedule.index"))
    published, emailed = service.publish_all(programme, actor(), utcnow())
    db.session.commit()
    if published:
        flash(f"Dates published for {published} set{'' if published == 1 else 's'}: "
              f"{_members_phrase(emailed)} emailed their dates and calendar file", "success")
    else:
        flash("There were no planned sets waiting to be published", "info")
    return redirect(url_for("schedule.index"))


@bp.route("/sets/<int:set_id>/publish", methods=["POST"])
@role_required(Role.ORGANISER)
def publish(set_id: int) -> BaseResponse:
    """Publish one set's dates and email its members."""
    learning_set = _set(set_id)
    if not PublishForm().validate_on_submit():
        return redirect(url_for("schedule.set_schedule", set_id=set_id))
    if not service.sessions_of(learning_set):
        flash(f"{learning_set.name} has no dates to publish yet: plan its sessions first", "info")
        return redirect(url_for("schedule.plan", set_id=set_id))
    if service.is_published(learning_set):
        flash(f"{learning_set.name}'s dates were already published", "info")
        return redirect(url_for("schedule.set_schedule", set_id=set_id))
    emailed = service.publish(learning_set, actor(), utcnow())
    db.session.commit()
    flash(f"{learning_set.name}'s dates are published: {_members_phrase(emailed)} emailed their dates and "
          "calendar file", "success")
    return redirect(url_for("schedule.set_schedule", set_id=set_id))


def _interval(form: PlanForm) -> Interval:
    return Interval("weeks", int(form.weeks.data)) if form.interval.data == "weeks" else Interval("monthly")


def _plan(form: PlanForm, learning_set: LearningSet) -> Plan:
    return plan_sessions(form.first_date.data, _interval(form), learning_set.slot_label, form.winter_break,
                         form.training_after, today=service.today(), deadline_day=service.deadline_day(learning_set))


def _attach_problems(form: PlanForm, plan: Plan) -> None:
    """Show the planner's problems as errors on the field that fixes them."""
    for problem in plan.problems:
        field = (form.first_date if problem.startswith("The first session")
                 else form.winter_start if "winter break dates" in problem else form.interval)
        field.errors = [*field.errors, problem]


@bp.route("/sets/<int:set_id>/plan", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def plan(set_id: int) -> str | BaseResponse:
    learning_set = _set(set_id)
    form = PlanForm()
    earliest = earliest_first_date(service.today(), service.deadline_day(learning_set))
    form.first_date.description = (f"{uk_date(earliest)} or later: after the deadline for applications, and not in "
                                   f"the past. For example, "
                                   f"{example_date(earliest, slot_times(learning_set.slot_label).weekday)}")
    existing = service.sessions_of(learning_set)
    preview: Plan | None = None
    rota: list[list[Application]] = []
    if form.validate_on_submit():
        preview = _plan(form, learning_set)
        _attach_problems(form, preview)
        if preview.ok and form.save.data:
            service.save_plan(learning_set, preview, actor(), interval=_interval(form).describe(),
                              winter=form.winter_break, training_after=form.training_after)
            db.session.commit()
            flash(f"{learning_set.name}'s schedule is saved: six sessions from {uk_date(preview.sessions[0].on)}",
                  "success")
            return redirect(url_for("schedule.set_schedule", set_id=learning_set.id))
        rota = build_rota(service.members_in_order(learning_set), len(preview.sessions))
    return render_template("schedule/plan.html", learning_set=learning_set, form=form, preview=preview, rota=rota,
                           errors=error_list(form), existing=existing, slot=slot_times(learning_set.slot_label),
                           published=service.is_published(learning_set))


@bp.route("/sets/<int:set_id>")
@role_required(Role.ORGANISER)
def set_schedule(set_id: int) -> str:
    learning_set = _set(set_id)
    meetings = service.meetings_of(learning_set)
    sessions = [m for m in meetings if m.kind is SessionKind.SESSION]
    presented = {p.application_id for s in sessions for p in s.presenters}
    never = [a for a in service.members_in_order(learning_set) if a.id not in presented] if sessions else []
    return render_template("schedule/set.html", learning_set=learning_set, meetings=meetings, never=never,
                           members=service.members_in_order(learning_set), summary=service.summary,
                           presenter_names=service.presenter_names, winter=service.winter_break_for(learning_set),
                           published=service.is_published(learning_set), publish_form=PublishForm())


def _session(learning_set: LearningSet, session_id: int) -> ScheduledSession:
    session = db.session.get(ScheduledSession, session_id)
    if session is None or session.set_id != learning_set.id:
        abort(404)
    return session


@bp.route("/sets/<int:set_id>/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_session(set_id: int, session_id: int) -> str | BaseResponse:
    learning_set = _set(set_id)
    session = _session(learning_set, session_id)
    members = service.members_in_order(learning_set)
    by_reference = {a.reference: a for a in members}
    is_session = session.kind is SessionKind.SESSION
    form = SessionForm(data={"on": session.on, "presenters": [p.application.reference for p in session.presenters]})
    form.presenters.choices = [(a.reference, a.full_name) for a in members]
    if is_session and session.number == 1:
        earliest = earliest_first_date(service.today(), service.deadline_day(learning_set))
        form.on.description = (f"{uk_date(earliest)} or later (after the deadline for applications). "
                               f"For example, {example_date(max(session.on, earliest))}")
    else:
        form.on.description = f"Today or later. For example, {example_date(max(session.on, service.today()))}"
    warnings: list[str] = []
    if form.validate_on_submit():
        new = form.on.data
        chosen = [by_reference[r] for r in form.presenters.data if r in by_reference] if is_session else []
        if new != session.on:
            check = service.check_move(session, new)
            if check.refusal:
                form.on.errors = [check.refusal]
            warnings += check.warnings
        if is_session and not chosen:
            form.presenters.errors = ["Select at least one presenter: every session needs one"]
        elif is_session:
            warnings += [f"{a.full_name} would then never present" for a in service.never_presenting(session, chosen)]
        # What the warnings were about: if the organiser changes anything, they see fresh warnings.
        seen = f"{new.isoformat()}|{','.join(sorted(a.reference for a in chosen))}"
        if not form.on.errors and not form.presenters.errors and (not warnings or form.confirmed.data == seen):
            # Presenters first, so the email a published set's members get for the move names them.
            changed = is_session and service.set_presenters(session, chosen, actor())
            moved = service.move(session, new, actor())
            db.session.commit()
            name = service.summary(learning_set, session).split(": ", 1)[1].capitalize()
            if moved or changed:
                parts = [f"moved to {uk_date(new)}"] if moved else []
                parts += ["presenters changed"] if changed else []
                flash(f"{name} {' and '.join(parts)}", "success")
            else:
                flash(f"You did not change {name.lower()}", "info")
            return redirect(url_for("schedule.set_schedule", set_id=learning_set.id))
        form.confirmed.data = seen if warnings and not form.on.errors and not form.presenters.errors else ""
    return render_template("schedule/session.html", learning_set=learning_set, session=session, form=form,
                           warnings=warnings, is_session=is_session, errors=error_list(form),
                           title=service.summary(learning_set, session))


@bp.route("/sets/<int:set_id>.ics")
@role_required(Role.ORGANISER)
def download_ics(set_id: int) -> Response:
    learning_set = _set(set_id)
    if not service.sessions_of(learning_set):
        abort(404)
    return Response(service.calendar_for(learning_set).encode("utf-8"), mimetype="text/calendar",
                    content_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{service.calendar_filename(learning_set)}"'})


@bp.route("/schedule.xlsx")
@role_required(Role.ORGANISER)
def download_schedule() -> Response:
    programme = current_programme()
    if programme is None:
        abort(404)
    out = io.BytesIO()
    write_programme_schedule(programme, out)
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(out.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="schedule-{stamp}.xlsx"'})


@bp.route("/sets/<int:set_id>/history")
@role_required(Role.ORGANISER)
def history(set_id: int) -> str:
    learning_set = _set(set_id)
    target = f"learning_set:{learning_set.id}"
    events = db.session.query(AuditEvent).filter(
        (AuditEvent.target == target) | AuditEvent.target.like(f"{target}:%")).order_by(AuditEvent.id.desc()).all()
    return render_template("schedule/history.html", learning_set=learning_set, events=events)

