"""The organiser's review pages: the list with counts and filters, one application, and changes to it."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.applications import lifecycle
from app.applications.lifecycle import TransitionRefused, same_person, set_of
from app.applications.service import note_download
from app.auth import actor, role_required
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, Role, Sector
from app.privacy.erasure import erase, erasure_of
from app.privacy.forms import EraseForm
from app.programmes import current_programme
from app.review import bp, consequences, editing, history, placing, queries, service
from app.review.forms import (
    BulkStatusForm,
    EligibilityForm,
    FilterForm,
    OfferForm,
    ScoreForm,
    StatusForm,
    check_bool,
    check_value,
)


@bp.after_request
def no_store(response: Response) -> Response:
    # These pages are full of personal data: never keep them in a shared or back-button cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _filters(form: FilterForm, slot_ids: set[int]) -> queries.Filters:
    """Unknown values in the query string are ignored rather than failing the whole page."""
    statuses = {s.value: s for s in ApplicationStatus}
    sectors = {s.value: s for s in Sector}
    return queries.Filters(
        statuses=[statuses[v] for v in form.status.data or [] if v in statuses],
        sectors=[sectors[v] for v in form.sector.data or [] if v in sectors],
        slot_ids=[int(v) for v in form.slot.data or [] if v.isdigit() and int(v) in slot_ids],
        search=(form.q.data or "")[:200],
        sort=form.sort.data if form.sort.data in queries.SORTS else queries.DEFAULT_SORT,
    )


def _page_links(page: queries.Page) -> dict:
    """Parameters for govukPagination: first, last and neighbours, with ellipses between."""
    args = request.args.to_dict(flat=False)

    def href(number: int) -> str:
        return url_for("review.index", **{**args, "page": number})

    numbers = sorted({1, page.pages, page.page - 1, page.page, page.page + 1} & set(range(1, page.pages + 1)))
    items: list[dict] = []
    for previous, number in zip([0, *numbers], numbers, strict=False):
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == page.page})
    params: dict = {"items": items, "landmarkLabel": "Pages of applications"}
    if page.page > 1:
        params["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        params["next"] = {"href": href(page.page + 1)}
    return params


def _render_index(bulk_form: BulkStatusForm) -> str:
    programme = current_programme()
    if programme is None:
        return render_template("review/index.html", programme=None, form=bulk_form)
    filter_form = FilterForm(formdata=request.args)
    filter_form.slot.choices = [(str(slot.id), slot.label) for slot in programme.slots]
    filters = _filters(filter_form, {slot.id for slot in programme.slots})
    page = queries.page_of_applications(programme, filters, request.args.get("page", 1, type=int))
    return render_template(
        "review/index.html", programme=programme, counts=queries.counts(programme), page=page,
        filters=filters, filter_form=filter_form, form=bulk_form, pagination=_page_links(page),
        bulk_action=url_for("review.bulk_status", **request.args.to_dict(flat=False)),
        me=current_user.id, duplicates=queries.possible_duplicates(programme, page.items),
    )


@bp.route("/")
@role_required(Role.ORGANISER)
def index() -> str:
    """The list of applications with counts, filters and the bulk status form."""
    return _render_index(BulkStatusForm(prefix="bulk"))


@bp.route("/status", methods=["POST"])
@role_required(Role.ORGANISER)
def bulk_status() -> str | BaseResponse:
    """Change the status of the ticked applications, then go back to the same filtered page.
    Those that may not make the move are left as they are and named in the banner."""
    form = BulkStatusForm(prefix="bulk")
    programme = current_programme()
    if programme is None or not form.validate_on_submit():
        return _render_index(form)
    status = ApplicationStatus(form.status.data)
    found = queries.applications_by_reference(programme, [str(ref) for ref in form.selected.data][:5000])
    if form.confirmed.data != "yes":
        effects = consequences.of_change(found, status)
        if effects.need_confirming:
            return render_template("review/confirm_status.html", effects=effects, form=form,
                                   action=url_for("review.bulk_status", **request.args.to_dict(flat=False)),
                                   back=url_for("review.index", **request.args.to_dict(flat=False)), bulk=True)
    outcome = service.change_many(found, status, actor(), utcnow())
    db.session.commit()
    flash(outcome.sentence(), "warning" if outcome.refused else "success")
    return redirect(url_for("review.index", **request.args.to_dict(flat=False)))


def _application(reference: str) -> Application:
    application = queries.find_application(None, reference)
    if application is None:
        abort(404)
    return application


def _render_detail(application: Application, error_form=None, **forms) -> str:  # type: ignore[no-untyped-def]
    me = current_user._get_current_object()
    mine = next((review for review in application.reviews if review.reviewer_id == me.id), None)
    eligibility = forms.get("eligibility") or EligibilityForm(prefix="eligibility", data={
        "senior_role": check_value(application.eligible_senior_role),
        "commitment": check_value(application.eligible_commitment),
        "fee": check_value(application.eligible_fee),
        "notes": application.organiser_notes or "",
    })
    score = forms.get("score") or ScoreForm(prefix="score", data={
        "score": str(mine.score) if mine else None, "comment": (mine.comment or "") if mine else "",
    })
    status = forms.get("status") or StatusForm(prefix="status", formdata=None).configure(application.status)
    others = [review for review in application.reviews if review.reviewer_id != me.id]
    events = queries.history(application.reference)
    erasure = erasure_of(application)
    return render_template(
        "review/detail.html", application=application, form=error_form,
        eligibility_form=eligibility, score_form=score, status_form=status,
        my_review=mine, other_reviews=sorted(others, key=lambda r: r.reviewer.email),
        history=history.describe(events, None if mine else me.email),
        erasure=erasure, learning_set=set_of(application), same_person=same_person(application),
        can_offer=erasure is None and placing.may_be_offered(application) and placing.placed_twin(application) is None,
    )


@bp.route("/<reference>")
@role_required(Role.ORGANISER)
def detail(reference: str) -> str:
    """One application: answers, note, eligibility, scores, status, its set and its history."""
    return _render_detail(_application(reference))


@bp.route("/<reference>/eligibility", methods=["POST"])
@role_required(Role.ORGANISER)
def save_eligibility(reference: str) -> str | BaseResponse:
    """Save the checklist; every check passed makes a submitted or late application eligible."""
    application = _application(reference)
    form = EligibilityForm(prefix="eligibility")
    if not form.validate_on_submit():
        return _render_detail(application, form, eligibility=form)
    by, now = actor(), utcnow()
    changed = service.save_eligibility(application, {
        "eligible_senior_role": check_bool(form.senior_role.data),
        "eligible_commitment": check_bool(form.commitment.data),
        "eligible_fee": check_bool(form.fee.data),
        "organiser_notes": form.notes.data or "",
    }, by)
    marked = erasure_of(application) is None and service.eligible_if_checks_passed(application, by, now)
    db.session.commit()
    if marked:
        flash("Eligibility checks saved and marked eligible" if changed
              else "Every eligibility check has passed: marked eligible", "success")
    elif changed and application.status is ApplicationStatus.ELIGIBLE and not service.all_checks_passed(application):
        flash("Eligibility checks saved. The application is still eligible: change its status below if it "
              "should not be", "success")
    else:
        flash("Eligibility checks saved" if changed else "You did not change the eligibility checks",
              "success" if changed else "info")
    return redirect(url_for("review.detail", reference=reference, _anchor="eligibility"))


@bp.route("/<reference>/score", methods=["POST"])
@role_required(Role.ORGANISER)
def save_score(reference: str) -> str | BaseResponse:
    """Save the signed-in reviewer's score and comment."""
    application = _application(reference)
    form = ScoreForm(prefix="score")
    if not form.validate_on_submit():
        return _render_detail(application, form, score=form)
    changed = service.save_score(application, current_user._get_current_object(), int(form.score.data),
                                 form.comment.data or "", utcnow())
    db.session.commit()
    flash("Your score has been saved" if changed else "You did not change your score",
          "success" if changed else "info")
    return redirect(url_for("review.detail", reference=reference, _anchor="scores"))


def _erased(application: Application) -> BaseResponse | None:
    """Someone whose data was erased stays withdrawn: nothing more is changed for them."""
    if erasure_of(application) is None:
        return None
    flash(f"{application.reference} was erased on request: it cannot be changed", "info")
    return redirect(url_for("review.detail", reference=application.reference))


@bp.route("/<reference>/status", methods=["POST"])
@role_required(Role.ORGANISER)
def change_status(reference: str) -> str | BaseResponse:
    """Move the application to another status it may have now; a refused move is shown as an error."""
    application = _application(reference)
    if (stop := _erased(application)) is not None:
        return stop
    form = StatusForm(prefix="status").configure(application.status)
    if not form.validate_on_submit():
        return _render_detail(application, form, status=form)
    status = ApplicationStatus(form.status.data)
    if form.confirmed.data != "yes" and application.status is ApplicationStatus.SELECTED:
        # Someone with a place leaves their set, is emailed and may be owed a refund: say so first.
        effects = consequences.of_change([application], status)
        if effects.need_confirming:
            return render_template("review/confirm_status.html", effects=effects, form=form,
                                   action=url_for("review.change_status", reference=reference),
                                   back=url_for("review.detail", reference=reference, _anchor="status"),
                                   bulk=False, application=application)
    try:
        changed = lifecycle.change_status(application, status, actor(), utcnow(), reason=form.reason.data or None)
    except TransitionRefused as refused:
        db.session.rollback()
        form.status.errors = [str(refused)]
        return _render_detail(_application(reference), form, status=form)
    db.session.commit()
    flash(f"Status changed to {status.label.lower()}" if changed else f"The status was already {status.label.lower()}",
          "success" if changed else "info")
    return redirect(url_for("review.detail", reference=reference, _anchor="status"))


@bp.route("/<reference>/offer", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def offer_place(reference: str) -> str | BaseResponse:
    """Offer a place in a set that meets when and where they can, with room; each set says whether
    adding them keeps every rule. The offer email, fee account and rota follow from the lifecycle."""
    application = _application(reference)
    if (stop := _erased(application)) is not None:
        return stop
    if not placing.may_be_offered(application):
        flash(f"{application.reference} is {application.status.label.lower()}: they cannot be offered a place "
              "from here", "info")
        return redirect(url_for("review.detail", reference=reference, _anchor="status"))
    twin = placing.placed_twin(application)
    if twin is not None:
        # Listing sets would suggest a second place that submitting then refuses: say why up front.
        return render_template("review/offer.html", application=application, twin=twin, form=None, choices=[],
                               max_size=application.programme.max_set_size)
    choices = placing.sets_to_offer(application)
    form = OfferForm()
    form.learning_set.choices = [(str(choice.learning_set.id), choice.learning_set.name) for choice in choices]
    if form.validate_on_submit():
        chosen = next(c for c in choices if str(c.learning_set.id) == form.learning_set.data)
        if chosen.problems and not form.anyway.data:
            form.anyway.errors = [f"{chosen.learning_set.name} would break a rule with them in it: tick "
                                  "‘Offer the place anyway’ or choose another set"]
        else:
            try:
                lifecycle.change_status(application, ApplicationStatus.SELECTED, actor(), utcnow(),
                                      learning_set=chosen.learning_set)
            except TransitionRefused as refused:
                db.session.rollback()
                form.learning_set.errors = [str(refused)]
            else:
                db.session.commit()
                flash(f"{application.full_name} has been offered a place in {chosen.learning_set.name} and sent "
                      "the offer", "success")
                return redirect(url_for("review.detail", reference=reference, _anchor="status"))
    return render_template("review/offer.html", application=application, form=form, choices=choices,
                           max_size=application.programme.max_set_size, twin=None)


@bp.route("/<reference>/answers", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_answers(reference: str) -> str | BaseResponse:
    """Change the person's answers for them. For a set member the set's rules are checked again
    with the new answers; a change that breaks one needs "Save anyway"."""
    application = _application(reference)
    if (stop := _erased(application)) is not None:
        return stop
    form = editing.answers_form(application)
    problems: list[str] = []
    learning_set = set_of(application)
    if form.validate_on_submit():
        answers = form.edited()
        problems = editing.problems_with(application, learning_set, answers)
        clash = editing.email_taken_by(application, answers["email"])
        if clash is not None:
            form.email.errors = [f"{clash.reference} already uses this email address: one application per "
                                 "email address in a programme"]
        elif problems and not form.save_anyway.data:
            form.save_anyway.errors = ["These changes break a rule of their set: tick ‘Save anyway’ to save "
                                       "them, or change the answers"]
        else:
            changed = editing.save_answers(application, answers, actor(), utcnow())
            db.session.commit()
            flash("Answers changed" + ("; their set now breaks a rule" if problems else "") if changed
                  else "You did not change any answers", "success" if changed else "info")
            return redirect(url_for("review.detail", reference=reference))
    return render_template("review/answers.html", application=application, form=form, problems=problems,
                           learning_set=learning_set)


@bp.route("/<reference>/note")
@role_required(Role.ORGANISER)
def download_note(reference: str) -> Response:
    """The uploaded note, as a download."""
    return note_download(_application(reference))


@bp.route("/<reference>/erase", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def erase_personal_data(reference: str) -> str | BaseResponse:
    """Ask the organiser to confirm, then erase the person's data at their request (the fee
    ledger stays under a pseudonym). The audit log records that it happened, not what was erased."""
    application = _application(reference)
    form = EraseForm()
    if erasure_of(application) is not None:
        flash(f"{application.reference} was already erased", "info")
        return redirect(url_for("review.detail", reference=reference))
    if not form.validate_on_submit():
        return render_template("review/erase.html", application=application, form=form)
    result = erase(application, actor(), utcnow())
    db.session.commit()
    flash(result.message, "success")
    return redirect(url_for("review.detail", reference=reference))
