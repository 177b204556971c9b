"""The selection pages: start a run, watch it, see and adjust the sets, confirm them."""
from __future__ import annotations

import io
import secrets
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from app.auth import actor, role_required
from app.clock import london, utcnow
from app.extensions import db
from app.finance.accounts import due_date_for
from app.models import Application, LearningSet, Role, RunState, SelectionRun
from app.programmes import current_programme
from app.sets import bp
from app.sets.forms import ActionForm, ConfirmForm, MoveForm, RunForm, SwapForm
from app.sets.service import (
    ConfirmRefused,
    MoveRefused,
    candidates_by_id,
    confirm,
    default_rules,
    execute_run,
    is_stale,
    move,
    outcome_of,
    pool_and_set_aside,
    preview_confirmation,
    rerun,
    run_in_background,
    scorecards,
    set_aside_of,
    start_run,
    swap,
    toggle_pin,
)
from app.sets.wording import counted, is_are
from selection.serialise import rules_from_dict

organiser_only = role_required(Role.ORGANISER)
LEAVE_OUT = "left-out"
# The organiser's own wording of the emails confirming sends, edited in the app.
CONFIRMATION_EMAILS = (("offer", "Offer of a place"), ("waiting_list", "Waiting list"), ("regret", "Not selected"))


@bp.app_template_filter("counted")
def counted_filter(number: int, noun: str, plural: str | None = None) -> str:
    """`{{ 3 | counted("applicant") }}` is "3 applicants"."""
    return counted(number, noun, plural)


@bp.app_template_filter("is_are")
def is_are_filter(number: int) -> str:
    return is_are(number)


def _launch(run: SelectionRun) -> None:
    db.session.commit()
    if current_app.config.get("SELECTION_ASYNC", True):
        run_in_background(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]
    else:
        execute_run(run.id)


@bp.route("/", methods=["GET", "POST"])
@organiser_only
def index() -> Response | str:
    """The selection page: the rules for a new run, and the runs so far."""
    programme = current_programme()
    if programme is None:
        abort(404)
    defaults = default_rules(programme)
    form = RunForm(data=None if request.method == "POST" else {
        "min_size": defaults.min_size, "max_size": defaults.max_size, "require_all_sectors": True,
        "separate_organisations": True, "avoid_previous_pairs": True, "time_limit": 30,
        "seed": secrets.randbelow(100_000), "solver": "cbc",
    })
    sets_confirmed = _sets_confirmed(programme.id)
    if sets_confirmed and request.method == "POST":
        # Once offers are out, places are filled from the waiting list, never by a new run.
        return redirect(url_for("sets.vacancies"))
    if form.validate_on_submit():
        rules = default_rules(programme)
        rules.min_size, rules.max_size, rules.sets = form.min_size.data, form.max_size.data, form.sets.data
        rules.require_all_sectors = bool(form.require_all_sectors.data)
        rules.separate_organisations = bool(form.separate_organisations.data)
        rules.avoid_previous_pairs = bool(form.avoid_previous_pairs.data)
        rules.time_limit, rules.seed, rules.solver = float(form.time_limit.data), form.seed.data, form.solver.data
        run = start_run(programme, rules, actor())
        _launch(run)
        return redirect(url_for("sets.run", run_id=run.id))
    runs = db.session.scalars(
        select(SelectionRun).where(SelectionRun.programme_id == programme.id).order_by(SelectionRun.id.desc())
    ).all()
    considered, set_aside = pool_and_set_aside(programme)
    return render_template("sets/index.html", form=form, programme=programme, runs=runs, pool_size=len(considered),
                           set_aside=set_aside, sets_confirmed=sets_confirmed)


def _sets_confirmed(programme_id: int) -> bool:
    return db.session.scalars(select(LearningSet.id).where(LearningSet.programme_id == programme_id)).first() is not None


def _run_or_404(run_id: int) -> SelectionRun:
    run = db.session.get(SelectionRun, run_id)
    if run is None:
        abort(404)
    return run


def _names(run: SelectionRun) -> dict[str, Application]:
    references = [c["id"] for c in run.candidates]
    return {a.reference: a for a in db.session.scalars(select(Application).where(Application.reference.in_(references)))}


@bp.route("/runs/<int:run_id>")
@organiser_only
def run(run_id: int) -> str:
    """A run: still running, failed, or its sets with every rule checked and who is left out and why."""
    selection_run = _run_or_404(run_id)
    if selection_run.state in (RunState.QUEUED, RunState.RUNNING):
        return render_template("sets/running.html", run=selection_run, stale=is_stale(selection_run),
                               elapsed=(utcnow() - (selection_run.started_at or selection_run.created_at)).total_seconds())
    if selection_run.state is RunState.FAILED:
        return render_template("sets/failed.html", run=selection_run)
    return render_template(
        "sets/result.html", run=selection_run, result=selection_run.result, arrangement=selection_run.arrangement,
        cards=scorecards(selection_run), people=candidates_by_id(selection_run), applications=_names(selection_run),
        rules=rules_from_dict(selection_run.rules), outcome=outcome_of(selection_run), action=ActionForm(),
        set_aside=set_aside_of(selection_run), sets_confirmed=_sets_confirmed(selection_run.programme_id),
    )


@bp.route("/runs/<int:run_id>/status.json")
@organiser_only
def run_status(run_id: int) -> Response:
    """The run's state, for the running page to poll."""
    selection_run = _run_or_404(run_id)
    return jsonify(state=selection_run.state.value, stale=is_stale(selection_run))


@bp.route("/runs/<int:run_id>/people/<reference>", methods=["GET", "POST"])
@organiser_only
def person(run_id: int, reference: str) -> Response | str:
    """Move someone to another set (or out of the sets), or swap them with someone in another set."""
    selection_run = _run_or_404(run_id)
    people = candidates_by_id(selection_run)
    if reference not in people or selection_run.arrangement is None:
        abort(404)
    candidate = people[reference]
    current = next((s["name"] for s in selection_run.arrangement["sets"] if reference in s["members"]), "")
    move_form = MoveForm(prefix="move")
    move_form.target.choices = [
        (s["name"], f"{s['name']}: {s['slot']}" + ("" if s["slot"] in candidate.slots else " (cannot attend)"))
        for s in selection_run.arrangement["sets"]
    ] + [(LEAVE_OUT, "Leave out of the sets")]
    swap_form = SwapForm(prefix="swap")
    swap_form.other.choices = [("", "Choose a person")] + _swap_choices(selection_run, people, reference)
    try:
        if request.form.get("move-submit") is not None and move_form.validate_on_submit():
            target = "" if move_form.target.data == LEAVE_OUT else move_form.target.data or ""
            move(selection_run, reference, target, actor())
            db.session.commit()
            _flash_changes(selection_run, f"Moved {candidate.label} to {target or 'the people left out'}.")
            return redirect(url_for("sets.run", run_id=run_id) + "#sets")
        if request.form.get("swap-submit") is not None and swap_form.validate_on_submit():
            other = next(p for p in people if p.lower() == swap_form.other.data)
            swap(selection_run, reference, other, actor())
            db.session.commit()
            _flash_changes(selection_run, f"Swapped {candidate.label} and {people[other].label}.")
            return redirect(url_for("sets.run", run_id=run_id) + "#sets")
    except MoveRefused as refused:
        (swap_form.other if request.form.get("swap-submit") is not None else move_form.target).errors = [str(refused)]
    if request.method == "GET":
        move_form.target.data = current or LEAVE_OUT
    return render_template("sets/person.html", run=selection_run, candidate=candidate, current=current,
                           move_form=move_form, swap_form=swap_form, form=move_form if move_form.errors else swap_form,
                           application=_names(selection_run).get(reference))


def _swap_choices(selection_run: SelectionRun, people: dict, reference: str) -> list[tuple[str, str]]:
    """Everyone in a set other than this person's, labelled so the organiser can tell them apart.
    Values are lower case because the GOV.UK select macro lower-cases option values."""
    return [
        (member.lower(), f"{people[member].label}, {formed['name']}, {people[member].sector.capitalize()} sector"
                 f" ({people[member].organisation})")
        for formed in selection_run.arrangement["sets"] if reference not in formed["members"]
        for member in formed["members"] if member in people
    ]


def _flash_changes(selection_run: SelectionRun, message: str) -> None:
    broken = [m for card in scorecards(selection_run).values() for m in card.broken]
    flash(message, "success")
    for problem in broken:
        flash(problem, "broken")


@bp.route("/runs/<int:run_id>/people/<reference>/pin", methods=["POST"])
@organiser_only
def pin(run_id: int, reference: str) -> Response:
    """Pin or unpin someone to their set for the next run."""
    selection_run = _run_or_404(run_id)
    if ActionForm().validate_on_submit():
        try:
            pinned = toggle_pin(selection_run, reference, actor())
        except MoveRefused as refused:
            flash(str(refused), "broken")
        else:
            db.session.commit()
            flash(f"{'Pinned' if pinned else 'Unpinned'} {candidates_by_id(selection_run)[reference].label}. "
                  "Pins are kept when you run again.", "success")
    return redirect(url_for("sets.run", run_id=run_id) + "#sets")


@bp.route("/runs/<int:run_id>/rerun", methods=["POST"])
@organiser_only
def run_again(run_id: int) -> Response:
    """Run again with the same rules and candidates, keeping the pins."""
    selection_run = _run_or_404(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    new_run = rerun(selection_run, actor())
    _launch(new_run)
    return redirect(url_for("sets.run", run_id=new_run.id))


@bp.route("/runs/<int:run_id>/confirm", methods=["GET", "POST"])
@organiser_only
def confirm_run(run_id: int) -> Response | str:
    """Check who will be offered a place, waiting-listed or told no (and who is left out, and why),
    then confirm: the sets are created and the emails sent."""
    selection_run = _run_or_404(run_id)
    if selection_run.state is not RunState.FINISHED:
        return redirect(url_for("sets.run", run_id=run_id))
    programme = selection_run.programme
    still_open = programme.is_open(utcnow())
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        if still_open and not form.before_deadline.data:
            form.before_deadline.errors = ["Tick ‘Confirm before the deadline’ to offer places while applications "
                                           "are still open"]
        else:
            try:
                confirmation = confirm(selection_run, actor(), before_deadline=bool(form.before_deadline.data))
            except ConfirmRefused as refused:
                db.session.rollback()
                error = str(refused)
            else:
                db.session.commit()
                counts = confirmation.counts
                flash(f"Sets confirmed: {counts['selected']} offered a place, "
                      f"{counts['waiting_list']} on the waiting list, {counts['not_selected']} not selected. "
                      "The emails are on their way.", "success")
                if confirmation.left_out:
                    left = len(confirmation.left_out)
                    flash(f"{counted(left, 'applicant')} {is_are(left)} left out and sent nothing: "
                          + "; ".join(f"{p.name} ({p.reference}), {p.why}" for p in confirmation.left_out) + ".",
                          "success")
                return redirect(url_for("sets.run", run_id=run_id))
    preview = preview_confirmation(selection_run)
    gone = {p.reference for p in preview.left_out}
    outcome = {key: [r for r in refs if r not in gone] for key, refs in outcome_of(selection_run).items()}
    applications = _names(selection_run)
    samples = {key: applications[refs[0]] for key, refs in outcome.items() if refs and refs[0] in applications}
    previews = {}
    for key, template in (("selected", "offer"), ("waiting_list", "waiting_list"), ("not_selected", "regret")):
        if key in samples:
            formed = next((s for s in selection_run.arrangement["sets"] if samples[key].reference in s["members"]), None)
            # A set that is never saved, and the answer-by date confirming would give, for the example only.
            learning_set = (LearningSet(programme_id=programme.id, name=formed["name"], slot_label=formed["slot"])
                            if formed else None)
            today = london(utcnow()).date()
            respond_by = today + timedelta(days=programme.respond_days) if formed else None
            # The context the real email gets (lifecycle._email): the account confirming would open,
            # with its due date; no payments yet, and no dates until the schedule is published.
            account = SimpleNamespace(due_date=due_date_for(today, None)) if formed else None
            previews[key] = _preview_email(template, application=_AsOffered(samples[key], respond_by),
                                           programme=programme, link="(their private link)",
                                           learning_set=learning_set, left_set=None, account=account, balance=None,
                                           meetings=[])
    broken = [m for card in scorecards(selection_run).values() for m in card.broken]
    set_count = sum(1 for s in selection_run.arrangement["sets"] if any(m not in gone for m in s["members"]))
    return render_template("sets/confirm.html", run=selection_run, outcome=outcome, previews=previews, form=form,
                           error=error, broken=broken, preview=preview, still_open=still_open, set_count=set_count,
                           email_links=_email_wording_links())


def _preview_email(template: str, **context: Any) -> tuple[str, str]:
    """Subject and body of an email as queue_email would write it: the organiser's wording if they
    have written one, otherwise the standard one."""
    from app.settings.emails import custom_wording, render_custom

    custom = custom_wording(template)
    if custom is not None:
        try:
            wording = render_custom(custom, context)
            return wording.subject, wording.body
        except Exception:  # noqa: BLE001 - the real email falls back to the standard wording too
            pass
    subject, _, body = render_template(f"email/{template}.txt", **context).lstrip().partition("\n")
    return subject.removeprefix("Subject:").strip(), body.strip()


class _AsOffered:
    """An application as an example email shows it once offered, without changing the application."""

    def __init__(self, application: Application, respond_by: date | None) -> None:
        self._application = application
        self.respond_by = respond_by or application.respond_by

    def __getattr__(self, name: str) -> Any:
        return getattr(self._application, name)


def _email_wording_links() -> list[tuple[str, str]]:
    """Links to the pages where the organiser edits each email's wording (when that page exists)."""
    links = []
    for name, title in CONFIRMATION_EMAILS:
        try:
            links.append((title, url_for("settings.edit_email_template", name=name)))
        except BuildError:  # the settings pages are not installed in this build
            continue
    return links


@bp.route("/runs/<int:run_id>/sets.xlsx")
@organiser_only
def download_sets(run_id: int) -> Response:
    """The run's sets as a workbook: a summary and one sheet per set."""
    from app.sets.export import sets_workbook

    selection_run = _run_or_404(run_id)
    if selection_run.arrangement is None:
        abort(404)
    buffer = io.BytesIO()
    sets_workbook(selection_run, buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"sets-run-{run_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
