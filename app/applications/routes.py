"""Public pages for applying, and for seeing, changing or withdrawing an application."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.applications import bp
from app.applications.forms import (
    AcceptPlaceForm,
    ApplicationForm,
    DeclinePlaceForm,
    FindApplicationForm,
    SubmitApplicationForm,
    WithdrawForm,
)
from app.applications.lifecycle import accept_place, decline_place, set_of
from app.applications.member import (
    is_decided,
    is_overdue_answer,
    own_private_link,
    place_of,
    refund_due_pence,
    status_words,
)
from app.applications.notes import NoteRejected, check_note, note_file_name
from app.applications.service import (
    DuplicateApplication,
    NoteChoice,
    can_still_change,
    find_by_email,
    find_by_token,
    new_private_token,
    note_download,
    private_link,
    resend_link,
    slot_choices,
    slots_by_id,
    submit_draft,
    update_application,
    withdraw,
)
from app.clock import as_utc, utcnow
from app.extensions import configured_limit, db, limiter
from app.finance.accounts import account_of
from app.finance.ledger import balance_of
from app.models import Application, ApplicationDraft, ApplicationStatus, Programme
from app.programmes import current_programme
from app.schedule.service import calendar_for
from app.text import clean_text

DRAFT_KEY = "application_draft"
OPENED_AT = "form_opened_at"
CONFIRMED = "confirmed_application"


def _programme() -> Programme:
    programme = current_programme()
    if programme is None:
        abort(404)
    return programme


def _opened_in_time(programme: Programme) -> bool:
    opened = session.get(OPENED_AT)
    return bool(opened) and as_utc(datetime.fromisoformat(opened)) < programme.deadline


def _closed_page(programme: Programme) -> Response | str | None:
    """The server enforces the dates: before opening, and after the deadline unless the form was
    opened in time (then the application is taken and marked late)."""
    now = utcnow()
    if not programme.has_opened(now):
        return render_template("applications/closed.html", programme=programme, not_yet_open=True)
    if now >= programme.deadline and not _opened_in_time(programme):
        return render_template("applications/closed.html", programme=programme, not_yet_open=False)
    return None


def _current_draft(programme: Programme) -> ApplicationDraft | None:
    key = session.get(DRAFT_KEY)
    if not key:
        return None
    return db.session.scalars(
        select(ApplicationDraft).where(ApplicationDraft.key == key, ApplicationDraft.programme_id == programme.id)
    ).first()


def _new_draft(programme: Programme) -> ApplicationDraft:
    now = utcnow()
    opened = session.get(OPENED_AT)
    draft = ApplicationDraft(
        key=secrets.token_urlsafe(32),
        programme_id=programme.id,
        opened_at=as_utc(datetime.fromisoformat(opened)) if opened else now,
        updated_at=now,
        answers={},
    )
    db.session.add(draft)
    session[DRAFT_KEY] = draft.key
    return draft


def _read_upload(form: ApplicationForm, programme: Programme) -> NoteChoice:
    """Judge an uploaded note by its content; a refusal becomes the field's error message."""
    choice = NoteChoice(remove=bool(form.remove_note_file.data))
    upload = form.note_file.data
    if upload is None or not getattr(upload, "filename", ""):
        return choice
    content = upload.read(current_app.config["NOTE_MAX_BYTES"] + 1)
    try:
        choice.new_file = check_note(content, current_app.config["NOTE_MAX_BYTES"], programme.note_word_limit)
        choice.file_name = note_file_name(upload.filename)
    except NoteRejected as rejected:
        form.note_file.errors = [*form.note_file.errors, str(rejected)]
    return choice


def _require_note(form: ApplicationForm, has_file: bool) -> None:
    if not has_file and not form.note_text.data and not form.note_file.errors:
        form.note_file.errors = [*form.note_file.errors, "Upload your note, or type it in the box below"]


def _new_form(programme: Programme, data: dict | None = None) -> ApplicationForm:
    form = ApplicationForm(formdata=None, data=data) if data is not None else ApplicationForm()
    form.configure(slot_choices(programme), programme.note_word_limit)
    return form


@bp.route("/apply", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_APPLY"), methods=["POST"])
def apply() -> Response | str:
    programme = _programme()
    closed = _closed_page(programme)
    if closed is not None:
        return closed
    if request.method == "GET":
        session.setdefault(OPENED_AT, utcnow().isoformat())
    draft = _current_draft(programme)
    if draft is not None and draft.application_id is not None:
        draft = None  # that draft became an application; this is a new one
    if request.method == "GET":
        form = _new_form(programme, draft.answers if draft else {})
        return render_template("applications/form.html", form=form, programme=programme, draft=draft)

    form = _new_form(programme)
    valid = form.validate()
    draft = draft or _new_draft(programme)
    note = _read_upload(form, programme)
    # Keep a good upload even when other answers need fixing, so nobody uploads twice.
    if note.new_file is not None:
        draft.note_content, draft.note_kind = note.new_file.content, note.new_file.kind
        draft.note_name, draft.note_pages, draft.note_words = note.file_name, note.new_file.pages, note.new_file.words
    elif note.remove:
        draft.note_content = draft.note_kind = draft.note_name = None
        draft.note_pages = draft.note_words = None
    _require_note(form, draft.note_content is not None)
    draft.answers = form.answers()
    draft.complete = valid and not form.note_file.errors
    draft.updated_at = utcnow()
    db.session.commit()
    if not draft.complete:
        return render_template("applications/form.html", form=form, programme=programme, draft=draft)
    return redirect(url_for("applications.check"))


def _duplicate(existing: Application, programme: Programme) -> str:
    resend_link(existing)
    db.session.commit()
    return render_template("applications/already_applied.html", programme=programme, email=existing.email)


@bp.route("/apply/check", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_APPLY"), methods=["POST"])
def check() -> Response | str:
    programme = _programme()
    draft = _current_draft(programme)
    if draft is not None and draft.application_id is not None:
        # Submit pressed twice, or the back button: there is one application, show it.
        session[CONFIRMED] = draft.application_id
        return redirect(url_for("applications.confirmation"))
    closed = _closed_page(programme)
    if closed is not None:
        return closed
    if draft is None:
        return redirect(url_for("applications.apply"))
    if not draft.complete:
        return redirect(url_for("applications.apply"))
    form = SubmitApplicationForm()
    if form.validate_on_submit():
        try:
            application, _token = submit_draft(draft, programme)
            db.session.commit()
        except DuplicateApplication as duplicate:
            db.session.rollback()
            db.session.refresh(draft)
            if draft.application_id != duplicate.existing.id:
                return _duplicate(duplicate.existing, programme)
            # A double click: the other request turned this draft into the application first.
            application = duplicate.existing
        except IntegrityError:
            db.session.rollback()
            db.session.refresh(draft)
            if draft.application_id is None:
                existing = find_by_email(programme, draft.answers["email"])
                if existing is None:
                    raise
                return _duplicate(existing, programme)
            application = db.session.get(Application, draft.application_id)
        session[CONFIRMED] = application.id
        session.pop(OPENED_AT, None)
        return redirect(url_for("applications.confirmation"))
    return render_template(
        "applications/check.html", form=form, answers=draft.answers, draft=draft, programme=programme,
        slots=slots_by_id(programme),
    )


@bp.route("/apply/confirmation")
def confirmation() -> Response | str:
    application_id = session.get(CONFIRMED)
    application = db.session.get(Application, application_id) if application_id else None
    if application is None:
        return redirect(url_for("public.start"))
    return render_template("applications/confirmation.html", application=application, programme=application.programme)


def _by_token(token: str) -> Application:
    application = find_by_token(token)
    if application is None:
        abort(404)
    return application


def _lasting_token(application: Application, token: str) -> str:
    """The token to come back to after a change that emails the person. An application from before
    links were derived has no salt: the email's link would replace the one in use, so issue the new
    one here and return to it."""
    return new_private_token(application) if application.link_salt is None else token


def _can_change(application: Application) -> bool:
    """The person may change their answers: before the deadline, and never once places are decided."""
    return can_still_change(application, utcnow())


def _can_withdraw(application: Application) -> bool:
    """Withdrawing from this page: before the deadline while being considered, or from the waiting
    list at any time. Someone offered a place declines it instead (the same page, said their way)."""
    status = application.status
    if status is ApplicationStatus.WAITING_LIST:
        return True
    return status.can_become(ApplicationStatus.WITHDRAWN) and not is_decided(application) \
        and utcnow() < application.programme.deadline


def _view(application: Application, token: str, status_code: int = 200, **extra: object) -> tuple[str, int]:
    now = utcnow()
    return render_template(
        "applications/view.html", application=application, programme=application.programme, token=token,
        can_change=_can_change(application), can_withdraw=_can_withdraw(application),
        decided=is_decided(application), status=status_words(application, now), place=place_of(application),
        overdue=is_overdue_answer(application, now), refund_pence=refund_due_pence(application),
        had_place=account_of(application) is not None, accept_form=AcceptPlaceForm(), **extra,
    ), status_code


# The fee reminder links to the person's page only when it goes to the person themselves.
bp.add_app_template_global(own_private_link)


@bp.app_template_global()
def answer_overdue(application: Application) -> bool:
    """Whether the date to answer an offered place has passed unanswered (for emails such as the
    reminder to answer, which may go out after that date)."""
    return is_overdue_answer(application, utcnow())


@bp.route("/application/<token>")
def view(token: str) -> tuple[str, int]:
    """The person's own page: their status in words and, once offered a place, everything about it."""
    return _view(_by_token(token), token)


def _answers_of(application: Application) -> dict:
    return {
        "full_name": application.full_name, "email": application.email, "phone": application.phone or "",
        "organisation": application.organisation, "sector": application.sector.value,
        "job_title": application.job_title, "offer": application.offer, "expectations": application.expectations,
        "note_text": application.note_text or "", "slots": [str(slot.id) for slot in application.slots],
        "payer": application.payer.value, "agree_commitment": True, "agree_fee": True,
        "agree_chatham_house": True, "agree_privacy": True,
    }


@bp.route("/application/<token>/change", methods=["GET", "POST"])
def change(token: str) -> Response | str | tuple[str, int]:
    """The person changes their answers, until the deadline and before any decision about places."""
    application = _by_token(token)
    programme = application.programme
    if is_decided(application):
        return render_template("applications/read_only.html", application=application, programme=programme,
                               token=token, learning_set=set_of(application)), 403
    if not _can_change(application):
        return _view(application, token, 403)
    if request.method == "GET":
        form = _new_form(programme, _answers_of(application))
        return render_template("applications/change.html", form=form, application=application, programme=programme,
                               token=token)
    form = _new_form(programme)
    valid = form.validate()
    note = _read_upload(form, programme)
    has_file = note.new_file is not None or (application.note_file is not None and not note.remove)
    _require_note(form, has_file)
    if valid and not form.note_file.errors:
        other = find_by_email(programme, form.email.data)
        if other is not None and other.id != application.id:
            form.email.errors = [*form.email.errors, "Another application already uses this email address"]
        else:
            changed = update_application(application, form.answers(), note, link=private_link(token))
            db.session.commit()
            return redirect(url_for("applications.view", token=token, saved="1" if changed else "0"))
    return render_template("applications/change.html", form=form, application=application, programme=programme,
                           token=token)


@bp.route("/application/<token>/withdraw", methods=["GET", "POST"])
def withdraw_application(token: str) -> Response | str:
    """Are you sure? Then the application is withdrawn (the lifecycle sends the one email)."""
    application = _by_token(token)
    if not _can_withdraw(application):
        return redirect(url_for("applications.view", token=token))
    form = WithdrawForm()
    if form.validate_on_submit():
        token = _lasting_token(application, token)
        withdraw(application)
        db.session.commit()
        return redirect(url_for("applications.view", token=token, withdrawn="1"))
    return render_template("applications/withdraw.html", form=form, application=application, token=token)


@bp.route("/application/<token>/accept", methods=["POST"])
def accept(token: str) -> Response | tuple[str, int]:
    """The person accepts the place they were offered."""
    application = _by_token(token)
    if not AcceptPlaceForm().validate_on_submit():
        return redirect(url_for("applications.view", token=token))
    if application.status is not ApplicationStatus.SELECTED:
        return _view(application, token, 409, refused="This place can no longer be accepted.")
    token = _lasting_token(application, token)
    accept_place(application, utcnow())
    db.session.commit()
    return redirect(url_for("applications.view", token=token, accepted="1"))


@bp.route("/application/<token>/decline", methods=["GET", "POST"])
def decline(token: str) -> Response | str:
    """Are you sure you want to decline (or, once accepted, give up) your place? An optional reason."""
    application = _by_token(token)
    if application.status is not ApplicationStatus.SELECTED:
        return redirect(url_for("applications.view", token=token))
    form = DeclinePlaceForm()
    if form.validate_on_submit():
        token = _lasting_token(application, token)
        decline_place(application, clean_text(form.reason.data, multiline=True), utcnow())
        db.session.commit()
        return redirect(url_for("applications.view", token=token, declined="1"))
    account = account_of(application)
    paid = balance_of(account).paid_pence if account is not None else 0
    return render_template("applications/decline.html", form=form, application=application, token=token,
                           learning_set=set_of(application), paid_pence=paid)


@bp.route("/application/<token>/calendar.ics")
def calendar(token: str) -> Response:
    """The person's set's dates as a calendar file, once the organiser has published them."""
    application = _by_token(token)
    place = place_of(application)
    if place is None or not place.published:
        abort(404)
    response = Response(calendar_for(place.learning_set), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{application.reference}-sessions.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/application/find", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_FIND"), methods=["POST"])
def lost_link() -> str:
    programme = _programme()
    form = FindApplicationForm()
    if form.validate_on_submit():
        application = find_by_email(programme, form.email.data)
        if application is not None:
            resend_link(application)
            db.session.commit()
        # The same answer either way, so the page cannot be used to test who has applied.
        return render_template("applications/link_sent.html", email=form.email.data, programme=programme)
    return render_template("applications/find.html", form=form, programme=programme)


@bp.route("/application/<token>/note")
def download_note(token: str) -> Response:
    return note_download(_by_token(token))
