"""The selection pages: start a run, watch it, see and adjust the sets, confirm them."""
from __future__ import annotations

import io
import secrets

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.auth import actor, role_required
from app.clock import utcnow
from app.extensions import db
from app.models import Application, Role, RunState, SelectionRun
from app.programmes import current_programme
from app.sets import bp
from app.sets.forms import ActionForm, MoveForm, RunForm, SwapForm
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
    pool,
    rerun,
    run_in_background,
    scorecards,
    start_run,
    swap,
    toggle_pin,
)
from selection.serialise import rules_from_dict

organiser_only = role_required(Role.ORGANISER)
LEAVE_OUT = "left-out"


def _launch(run: SelectionRun) -> None:
    db.session.commit()
    if current_app.config.get("SELECTION_ASYNC", True):
        run_in_background(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]
    else:
        execute_run(run.id)


@bp.route("/", methods=["GET", "POST"])
@organiser_only
def index() -> Response | str:
    programme = current_programme()
    if programme is None:
        abort(404)
    defaults = default_rules(programme)
    form = RunForm(data=None if request.method == "POST" else {
        "min_size": defaults.min_size, "max_size": defaults.max_size, "require_all_sectors": True,
        "separate_organisations": True, "avoid_previous_pairs": True, "time_limit": 30,
        "seed": secrets.randbelow(100_000), "solver": "cbc",
    })
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
    return render_template("sets/index.html", form=form, programme=programme, runs=runs, pool_size=len(pool(programme)))


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
    )


@bp.route("/runs/<int:run_id>/status.json")
@organiser_only
def run_status(run_id: int) -> Response:
    selection_run = _run_or_404(run_id)
    return jsonify(state=selection_run.state.value, stale=is_stale(selection_run))


@bp.route("/runs/<int:run_id>/people/<reference>", methods=["GET", "POST"])
@organiser_only
def person(run_id: int, reference: str) -> Response | str:
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
    try:
        if request.form.get("move-submit") is not None and move_form.validate_on_submit():
            target = "" if move_form.target.data == LEAVE_OUT else move_form.target.data or ""
            move(selection_run, reference, target, actor())
            db.session.commit()
            _flash_changes(selection_run, f"Moved {candidate.label} to {target or 'the people left out'}.")
            return redirect(url_for("sets.run", run_id=run_id) + "#sets")
        if request.form.get("swap-submit") is not None and swap_form.validate_on_submit():
            other = (swap_form.other.data or "").strip().upper()
            if other not in people:
                swap_form.other.errors = ["Enter the reference of someone in this run, like ALS-7K3Q9"]
            else:
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


def _flash_changes(selection_run: SelectionRun, message: str) -> None:
    broken = [m for card in scorecards(selection_run).values() for m in card.broken]
    flash(message, "success")
    for problem in broken:
        flash(problem, "broken")


@bp.route("/runs/<int:run_id>/people/<reference>/pin", methods=["POST"])
@organiser_only
def pin(run_id: int, reference: str) -> Response:
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
    selection_run = _run_or_404(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    new_run = rerun(selection_run, actor())
    _launch(new_run)
    return redirect(url_for("sets.run", run_id=new_run.id))


@bp.route("/runs/<int:run_id>/confirm", methods=["GET", "POST"])
@organiser_only
def confirm_run(run_id: int) -> Response | str:
    selection_run = _run_or_404(run_id)
    if selection_run.state is not RunState.FINISHED:
        return redirect(url_for("sets.run", run_id=run_id))
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        try:
            counts = confirm(selection_run, actor(), before_deadline=True).counts
        except ConfirmRefused as refused:
            db.session.rollback()
            error = str(refused)
        else:
            db.session.commit()
            flash(f"Sets confirmed: {counts['selected']} offered a place, {counts['waiting_list']} on the waiting list, "
                  f"{counts['not_selected']} not selected. The emails are on their way.", "success")
            return redirect(url_for("sets.run", run_id=run_id))
    outcome = outcome_of(selection_run)
    applications = _names(selection_run)
    samples = {key: applications[refs[0]] for key, refs in outcome.items() if refs}
    previews = {}
    for key, template in (("selected", "offer"), ("waiting_list", "waiting_list"), ("not_selected", "regret")):
        if key in samples:
            set_name = next((s for s in selection_run.arrangement["sets"] if samples[key].reference in s["members"]), None)
            previews[key] = render_template(f"email/{template}.txt", application=samples[key],
                                            programme=selection_run.programme,
                                            learning_set={"name": set_name["name"], "slot_label": set_name["slot"]} if set_name else None)
    broken = [m for card in scorecards(selection_run).values() for m in card.broken]
    return render_template("sets/confirm.html", run=selection_run, outcome=outcome, previews=previews, form=form,
                           error=error, broken=broken)


@bp.route("/runs/<int:run_id>/sets.xlsx")
@organiser_only
def download_sets(run_id: int) -> Response:
    from app.sets.export import sets_workbook

    selection_run = _run_or_404(run_id)
    if selection_run.arrangement is None:
        abort(404)
    buffer = io.BytesIO()
    sets_workbook(selection_run, buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"sets-run-{run_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
