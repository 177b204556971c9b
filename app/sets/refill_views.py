"""Vacancies and the waiting list: see the places that fell free, preview the optimiser's
replacements, and confirm them (the offers go out). Under /manage/sets, in the "sets" blueprint."""
from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth import actor, role_required
from app.clock import utcnow
from app.extensions import db
from app.models import Application, Programme, Role
from app.programmes import current_programme
from app.sets import bp
from app.sets.forms import RefillForm
from app.sets.refill import apply_plan, nothing_to_do, propose, set_places, waiting_count
from app.sets.wording import counted

organiser_only = role_required(Role.ORGANISER)


def _programme() -> Programme:
    programme = current_programme()
    if programme is None:
        abort(404)
    return programme


@organiser_only
def vacancies() -> str:
    """Every confirmed set with its members and places, and how many people are on the waiting list."""
    programme = _programme()
    sets = set_places(programme)
    return render_template("sets/vacancies.html", programme=programme, sets=sets, waiting=waiting_count(programme),
                           needing=[s for s in sets if s.free or s.below_minimum])


@organiser_only
def refill_proposal() -> str:
    """The optimiser's replacements from the waiting list, to check before anything is sent."""
    programme = _programme()
    plan, applications = propose(programme)
    sets = {s.learning_set.name: s.learning_set for s in set_places(programme)}
    return render_template("sets/refill.html", programme=programme, plan=plan, applications=applications, sets=sets,
                           plan_json=json.dumps(plan.to_dict()), form=RefillForm(), empty=nothing_to_do(plan))


@organiser_only
def refill_confirm() -> Response:
    """Apply the previewed replacements: offers to the people added, moves and merges. The plan sent
    back is only a proposal: every change is checked again against the sets as they are now, and
    anything that no longer holds is skipped and listed."""
    programme = _programme()
    form = RefillForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan: dict[str, Any] = json.loads(request.form.get("plan", ""))
    except ValueError:
        abort(400)
    if not isinstance(plan, dict):
        abort(400)
    done = apply_plan(programme, plan, actor(), utcnow())
    db.session.commit()
    if done.offered:
        flash(f"Offers sent to {counted(len(done.offered), 'person', 'people')}: " + "; ".join(done.offered) + ".",
              "success")
    if done.moved:
        flash("Moved: " + "; ".join(done.moved) + ".", "success")
    if done.removed_sets:
        flash("Deleted " + ", ".join(done.removed_sets) + ", emptied by the merge.", "success")
    if done.skipped:
        flash(f"{counted(len(done.skipped), 'change')} could not be made: " + "; ".join(done.skipped) + ".", "skipped")
    if not done.changed and not done.skipped:
        flash("Nothing was changed.", "success")
    return redirect(url_for("sets.vacancies"))


def describe(application: Application | None, reference: str) -> str:
    """Name, organisation and sector, for the preview and the command line."""
    if application is None:
        return reference
    return f"{application.full_name} ({application.organisation}, {application.sector.label})"


@bp.record_once
def _register(state: Any) -> None:
    # These pages live under /manage/sets (the sets as confirmed), not under the selection runs.
    state.app.add_url_rule("/manage/sets/vacancies", "sets.vacancies", vacancies)
    state.app.add_url_rule("/manage/sets/vacancies/proposal", "sets.refill_proposal", refill_proposal)
    state.app.add_url_rule("/manage/sets/vacancies/confirm", "sets.refill_confirm", refill_confirm, methods=["POST"])


@bp.after_request
def _no_store(response: Response) -> Response:
    # Names, sets and places of people: never kept in a shared or back-button cache.
    response.headers["Cache-Control"] = "no-store"
    return response
