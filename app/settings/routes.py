"""Programme settings and email wording pages."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.clock import LONDON, as_utc
from app.extensions import db
from app.models import Application, AuditEvent, FeeAccount, LearningSet, Programme, Role, Slot
from app.programmes import (
    RESPOND_DAYS_RANGE,
    SESSIONS_RANGE,
    SET_SIZE_RANGE,
    WORD_LIMIT_RANGE,
    SettingRefused,
    add_slot,
    check_number,
    check_programme,
    create_default_programme,
    current_programme,
    move_slot,
    parse_pounds,
    parse_uk_time,
    record_change,
    remove_slot,
    rename_slot,
    settings_snapshot,
    slot_users,
)
from app.settings import bp, emails
from app.settings.forms import EmailWordingForm, PlaceForm, ProgrammeForm, RenamePlaceForm
from app.web import format_money

# Form field for each setting a rule is about, so the message sits by the right box.
FORM_FIELDS = {"min_set_size": "min_size", "max_set_size": "max_size", "note_word_limit": "word_limit",
               "opens_at": "opens"}


def _programme() -> Programme:
    programme = current_programme()
    if programme is None:
        from app.clock import utcnow

        programme = create_default_programme(utcnow())
        db.session.commit()
    return programme


def _uk_input(moment: Any) -> str:
    return as_utc(moment).astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if moment else ""


def _fill(form: ProgrammeForm, programme: Programme) -> None:
    form.name.data = programme.name
    form.opens.data = _uk_input(programme.opens_at)
    form.deadline.data = _uk_input(programme.deadline)
    form.sessions.data = str(programme.sessions)
    fee = programme.fee_per_session_pence
    form.fee.data = f"{fee // 100}" if fee % 100 == 0 else f"{fee / 100:.2f}"
    form.min_size.data = str(programme.min_set_size)
    form.max_size.data = str(programme.max_set_size)
    form.word_limit.data = str(programme.note_word_limit)
    form.respond_days.data = str(programme.respond_days)
    form.payment_instructions.data = programme.payment_instructions or ""


def _whole_number(text: str | None, what: str, limits: tuple[int, int], field: str) -> int:
    cleaned = (text or "").replace(",", "").strip()
    if not cleaned:
        raise SettingRefused(f"Enter the {what}", field)
    if not cleaned.isdigit():
        raise SettingRefused(f"The {what} must be a whole number, like {limits[0] + 1}", field)
    return check_number(int(cleaned), what, limits, field)


# A free programme: "0", "£0.00". Any other fee is read as money is everywhere else (the ledger's parser).
def _changes_needing_a_tick(programme: Programme, before: dict[str, Any]) -> list[str]:
    """Changes to the fee or the number of sessions after offers or schedules are out: what they
    will not change, so the organiser ticks to say they know."""
    warnings: list[str] = []
    fee_changed = (before["fee_per_session_pence"], before["sessions"]) != (programme.fee_per_session_pence,
                                                                            programme.sessions)
    if fee_changed:
        accounts = db.session.scalar(select(func.count(FeeAccount.id)).where(
            FeeAccount.programme_id == programme.id, FeeAccount.closed_at.is_(None))) or 0
        if accounts:
            old_fee = format_money(before["fee_per_session_pence"] * before["sessions"])
            people = "1 person already has a fee account" if accounts == 1 else \
                f"{accounts:,} people already have fee accounts"
            warnings.append(f"{people} at {old_fee}; their charges do not change — change them on the finance page")
    if before["sessions"] != programme.sessions:
        published = db.session.scalar(select(func.count(LearningSet.id)).where(
            LearningSet.programme_id == programme.id, LearningSet.schedule_published_at.is_not(None))) or 0
        if published:
            sets = "1 set has" if published == 1 else f"{published:,} sets have"
            warnings.append(f"{sets} published schedules of {before['sessions']} sessions; their sessions do not "
                            "change — change them on each set's schedule page")
    return warnings


def _apply(form: ProgrammeForm, programme: Programme) -> list[tuple[str, str]]:
    """Copy the form onto the programme; every problem found, as (form field, message)."""
    problems: list[tuple[str, str]] = []

    def attempt(field: str, action: Any) -> None:
        try:
            action()
        except SettingRefused as refused:
            problems.append((field, refused.message))

    def set_name() -> None:
        name = form.name.data or ""
        if not name:
            raise SettingRefused("Enter the programme's name", "name")
        limit = Programme.__table__.c.name.type.length
        if len(name) > limit:
            raise SettingRefused(f"The programme's name must be {limit} characters or fewer", "name")
        programme.name = name

    def set_opens() -> None:
        programme.opens_at = parse_uk_time(form.opens.data, "opening time", "opens") if form.opens.data else None

    def set_deadline() -> None:
        if not form.deadline.data:
            raise SettingRefused("Enter the deadline for applications", "deadline")
        programme.deadline = parse_uk_time(form.deadline.data, "deadline", "deadline")

    def number(attribute: str, field: str, what: str, limits: tuple[int, int]) -> None:
        setattr(programme, attribute, _whole_number(getattr(form, field).data, what, limits, field))

    def set_fee() -> None:
        if not form.fee.data:
            raise SettingRefused("Enter the fee per session", "fee")
        programme.fee_per_session_pence = parse_pounds(form.fee.data)

    def set_payment() -> None:
        programme.payment_instructions = (form.payment_instructions.data or "").strip() or None

    attempt("name", set_name)
    attempt("opens", set_opens)
    attempt("deadline", set_deadline)
    attempt("sessions", lambda: number("sessions", "sessions", "number of sessions", SESSIONS_RANGE))
    attempt("fee", set_fee)
    attempt("min_size", lambda: number("min_set_size", "min_size", "smallest set size", SET_SIZE_RANGE))
    attempt("max_size", lambda: number("max_set_size", "max_size", "largest set size", SET_SIZE_RANGE))
    attempt("word_limit", lambda: number("note_word_limit", "word_limit", "note word limit", WORD_LIMIT_RANGE))
    attempt("respond_days", lambda: number("respond_days", "respond_days", "number of days to respond to an offer",
                                           RESPOND_DAYS_RANGE))
    attempt("payment_instructions", set_payment)
    if not problems:
        try:
            check_programme(programme)
        except SettingRefused as refused:
            problems.append((FORM_FIELDS.get(refused.field, refused.field), refused.message))
    return problems


def _history(programme: Programme) -> list[AuditEvent]:
    return list(db.session.scalars(
        # Only changes to the settings: refills and payment imports are logged against the programme too.
        select(AuditEvent).where(AuditEvent.target.in_([f"programme:{programme.id}", "programme:new"]),
                                 or_(AuditEvent.action.startswith("programme."),
                                     AuditEvent.action.startswith("settings.")))
        .order_by(AuditEvent.id.desc()).limit(50)))


def _render_programme(form: ProgrammeForm, programme: Programme, place: PlaceForm | None = None,
                      status: int = 200, warnings: list[str] | None = None) -> tuple[str, int]:
    slots = [(slot, *slot_users(programme, slot)) for slot in programme.slots]
    return render_template("settings/programme.html", form=form, programme=programme, slots=slots,
                           place=place or PlaceForm(), events=_history(programme), warnings=warnings or []), status


@bp.route("/")
@role_required(Role.ORGANISER)
def index() -> BaseResponse:
    """The settings start at the programme's."""
    return redirect(url_for("settings.programme"))


@bp.route("/programme", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def programme() -> BaseResponse | tuple[str, int]:
    """The programme's settings: dates, fee, set sizes, word limit, offers and payment, places and times."""
    programme = _programme()
    form = ProgrammeForm()
    if request.method == "GET":
        _fill(form, programme)
        return _render_programme(form, programme)
    if not form.validate_on_submit():
        return _render_programme(form, programme, status=400)
    before = settings_snapshot(programme)
    problems = _apply(form, programme)
    if problems:
        db.session.rollback()
        for field, message in problems:
            getattr(form, field).errors = [*getattr(form, field).errors, message]
        return _render_programme(form, _programme(), status=400)
    warnings = _changes_needing_a_tick(programme, before)
    if warnings and not form.accept_change.data:
        db.session.rollback()
        form.accept_change.errors = ["Tick ‘Change the settings anyway’ to save these changes, or put the fee "
                                     "and number of sessions back"]
        return _render_programme(form, _programme(), status=400, warnings=warnings)
    changed = record_change(programme, before, actor())
    db.session.commit()
    flash("Programme settings saved" if changed else "You did not change any settings",
          "success" if changed else "info")
    return redirect(url_for("settings.programme"))


def _slot(slot_id: int) -> tuple[Programme, Slot]:
    programme = _programme()
    slot = next((s for s in programme.slots if s.id == slot_id), None)
    if slot is None:
        abort(404)
    return programme, slot


@bp.route("/programme/places", methods=["POST"])
@role_required(Role.ORGANISER)
def add_place() -> BaseResponse | tuple[str, int]:
    """Add a place and time at the end of the list."""
    programme = _programme()
    place = PlaceForm()
    if place.validate_on_submit():
        before = settings_snapshot(programme)
        try:
            slot = add_slot(programme, place.label.data or "")
        except SettingRefused as refused:
            place.label.errors = [refused.message]
        else:
            record_change(programme, before, actor())
            db.session.commit()
            flash(f"Added “{slot.label}”", "success")
            return redirect(url_for("settings.programme", _anchor="places"))
    form = ProgrammeForm(formdata=None)
    _fill(form, programme)
    return _render_programme(form, programme, place=place, status=400)


@bp.route("/programme/places/<int:slot_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_place(slot_id: int) -> BaseResponse | tuple[str, int]:
    """Rename a place and time."""
    programme, slot = _slot(slot_id)
    form = RenamePlaceForm()
    if request.method == "GET":
        form.label.data = slot.label
    elif form.validate_on_submit():
        before = settings_snapshot(programme)
        try:
            old = rename_slot(programme, slot, form.label.data or "")
        except SettingRefused as refused:
            form.label.errors = [refused.message]
        else:
            if record_change(programme, before, actor()):
                db.session.commit()
                flash(f"Renamed “{old}” to “{slot.label}”", "success")
            return redirect(url_for("settings.programme", _anchor="places"))
    applications, sets = slot_users(programme, slot)
    return render_template("settings/place.html", form=form, slot=slot, applications=applications,
                           sets=sets), 400 if form.errors else 200


@bp.route("/programme/places/<int:slot_id>/remove", methods=["POST"])
@role_required(Role.ORGANISER)
def remove_place(slot_id: int) -> BaseResponse:
    """Remove a place and time nobody has chosen and no set meets at."""
    programme, slot = _slot(slot_id)
    before = settings_snapshot(programme)
    label = slot.label
    try:
        remove_slot(programme, slot)
    except SettingRefused as refused:
        flash(refused.message, "info")
        return redirect(url_for("settings.programme", _anchor="places"))
    record_change(programme, before, actor())
    db.session.commit()
    flash(f"Removed “{label}”", "success")
    return redirect(url_for("settings.programme", _anchor="places"))


@bp.route("/programme/places/<int:slot_id>/move", methods=["POST"])
@role_required(Role.ORGANISER)
def move_place(slot_id: int) -> BaseResponse:
    """Move a place and time up or down the list applicants see."""
    programme, slot = _slot(slot_id)
    before = settings_snapshot(programme)
    if move_slot(programme, slot, -1 if request.form.get("direction") == "up" else 1):
        record_change(programme, before, actor())
        db.session.commit()
        flash(f"Moved “{slot.label}” {'up' if request.form.get('direction') == 'up' else 'down'}", "success")
    return redirect(url_for("settings.programme", _anchor="places"))


# --- email wording -------------------------------------------------------------------------------


def _known(name: str) -> str:
    if name not in emails.standard_names():
        abort(404)
    return name


@bp.route("/emails")
@role_required(Role.ORGANISER)
def email_templates() -> str:
    """Every email the service sends, when it is sent, and whether it uses the organiser's wording."""
    rows = [(name, emails.title(name), emails.describe(name), emails.custom_wording(name))
            for name in emails.standard_names()]
    return render_template("settings/emails.html", rows=rows)


@bp.route("/emails/<name>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit_email_template(name: str) -> BaseResponse | tuple[str, int]:
    """Edit one email's subject and wording, preview it for a sample person, or go back to the standard."""
    name = _known(name)
    custom = emails.custom_wording(name)
    standard = emails.standard_wording(name)
    form = EmailWordingForm()
    preview: emails.Wording | None = None
    status = 200
    if request.method == "GET":
        form.subject.data = custom.subject if custom else standard.subject
        form.body.data = custom.body if custom else standard.body
        preview = emails.check_wording(name, form.subject.data, form.body.data) if custom else None
    elif form.validate_on_submit():
        subject, body = form.subject.data or "", form.body.data or ""
        try:
            if form.preview.data:
                preview = emails.check_wording(name, subject, body)
            else:
                changed = emails.save_wording(name, subject, body, actor())
                db.session.commit()
                flash("Wording saved: this email now uses it" if changed else "You did not change the wording",
                      "success" if changed else "info")
                return redirect(url_for("settings.edit_email_template", name=name))
        except emails.WordingRefused as refused:
            getattr(form, refused.field).errors = [refused.message]
            status = 400
    else:
        status = 400
    if preview is None and not form.errors:
        preview = emails.check_wording(name, standard.subject, standard.body)
    return render_template("settings/email.html", form=form, name=name, title=emails.title(name),
                           description=emails.describe(name), custom=custom, preview=preview,
                           placeholders=emails.placeholders(name)), status


@bp.route("/emails/<name>/standard", methods=["POST"])
@role_required(Role.ORGANISER)
def reset_email_template(name: str) -> BaseResponse:
    """Use the standard wording again."""
    name = _known(name)
    if emails.reset_wording(name, actor()):
        db.session.commit()
        flash("This email uses the standard wording again", "success")
    return redirect(url_for("settings.edit_email_template", name=name))


@bp.route("/programmes")
@role_required(Role.ORGANISER)
def programmes() -> str:
    """Every programme, newest (the current one) first; past ones open read-only."""
    rows = db.session.scalars(select(Programme).order_by(Programme.id.desc())).all()
    return render_template("settings/programmes.html", programmes=rows,
                           current=rows[0] if rows else None)


@bp.route("/programmes/<int:programme_id>")
@role_required(Role.ORGANISER)
def past_programme(programme_id: int) -> str:
    """A programme as it ended: applications by status, and each set with its members and
    facilitator, sessions recorded and attendance counts (never what was said in a set)."""
    from app.running import service as running

    programme = db.session.get(Programme, programme_id) or abort(404)
    statuses = db.session.execute(
        select(Application.status, func.count(Application.id)).where(Application.programme_id == programme.id)
        .group_by(Application.status)).all()
    sets = db.session.scalars(select(LearningSet).where(LearningSet.programme_id == programme.id)
                              .order_by(LearningSet.id)).all()
    rows = [(s, running.members_of(s), running.counts_of(s)) for s in sets]
    return render_template("settings/past_programme.html", programme=programme, rows=rows,
                           statuses=sorted(((status.label, n) for status, n in statuses), key=lambda x: x[0]))
