"""Turning answers into an application, and the applicant's own changes to it."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Response, abort, current_app, has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.applications.notes import CheckedNote
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Application,
    ApplicationDraft,
    ApplicationStatus,
    NoteFile,
    OutboxEmail,
    Payer,
    Programme,
    Sector,
    Slot,
)
from app.outbox import queue_email

# No 0/O, 1/I/L: a reference read out over the phone cannot be misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    return "ALS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def fresh_reference(taken: set[str]) -> str:
    """A reference not in `taken` (which it joins), for creating many applications at once."""
    while (reference := new_reference()) in taken:
        pass
    taken.add(reference)
    return reference


def taken_references() -> set[str]:
    return set(db.session.scalars(select(Application.reference)))


def token_hash(token: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_for(salt: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(key, f"private-link:{salt}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_private_token(application: Application) -> str:
    """Give the application a new private link (the old one stops working) and return its token."""
    application.link_salt = secrets.token_urlsafe(24)
    token = _token_for(application.link_salt)
    application.access_token_hash = token_hash(token)
    return token


def private_link_for(application: Application) -> str:
    """The person's private link, for any email to them. Applications from before links were
    derived (no salt) get a new link here, which replaces the one only their first email held."""
    if application.link_salt is None:
        return private_link(new_private_token(application))
    return private_link(_token_for(application.link_salt))


def email_key(email: str) -> str:
    return email.strip().lower()


def find_by_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalars(select(Application).where(Application.access_token_hash == token_hash(token))).first()


def find_by_email(programme: Programme, email: str) -> Application | None:
    return db.session.scalars(
        select(Application).where(Application.programme_id == programme.id, Application.email_key == email_key(email))
    ).first()


def private_link(token: str) -> str:
    """The full address of a private link: under PUBLIC_URL, or (in debug and tests, which may run
    without it) the request's own address, or localhost from the command line."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        path = current_app.url_map.bind("localhost").build("applications.view", {"token": token})
        return base.rstrip("/") + path
    if has_request_context():
        return url_for("applications.view", token=token, _external=True)
    return current_app.url_map.bind("localhost").build("applications.view", {"token": token}, force_external=True)


def snapshot(application: Application) -> dict[str, Any]:
    """The applicant's answers as plain values, for the audit log."""
    note = application.note_file
    return {
        "full_name": application.full_name,
        "email": application.email,
        "phone": application.phone,
        "organisation": application.organisation,
        "sector": application.sector.value,
        "job_title": application.job_title,
        "offer": application.offer,
        "expectations": application.expectations,
        "note_text": application.note_text,
        "note_file_sha256": note.sha256 if note else None,
        "slots": [slot.label for slot in application.slots],
        "payer": application.payer.value,
        "status": application.status.value,
    }


@dataclass
class NoteChoice:
    """What the applicant did about the uploaded note on this submission of the form."""

    new_file: CheckedNote | None = None
    file_name: str | None = None
    remove: bool = False


def apply_answers(application: Application, answers: dict[str, Any], programme: Programme) -> None:
    application.full_name = answers["full_name"]
    application.email = answers["email"]
    application.email_key = email_key(answers["email"])
    application.phone = answers.get("phone") or None
    application.organisation = answers["organisation"]
    application.sector = Sector(answers["sector"])
    application.job_title = answers["job_title"]
    application.offer = answers["offer"]
    application.expectations = answers["expectations"]
    application.note_text = answers.get("note_text") or None
    application.payer = Payer(answers["payer"])
    wanted = {int(slot_id) for slot_id in answers["slots"]}
    application.slots = [slot for slot in programme.slots if slot.id in wanted]


def note_from_draft(draft: ApplicationDraft, now: datetime) -> NoteFile | None:
    if draft.note_content is None:
        return None
    return NoteFile(
        kind=draft.note_kind or "pdf",
        original_name=draft.note_name or "note",
        size=len(draft.note_content),
        sha256=hashlib.sha256(draft.note_content).hexdigest(),
        pages=draft.note_pages,
        words=draft.note_words,
        content=draft.note_content,
        uploaded_at=now,
    )


def note_from_upload(note: CheckedNote, name: str, now: datetime) -> NoteFile:
    return NoteFile(kind=note.kind, original_name=name, size=len(note.content), sha256=note.sha256,
                    pages=note.pages, words=note.words, content=note.content, uploaded_at=now)


class DuplicateApplication(Exception):
    def __init__(self, existing: Application) -> None:
        super().__init__(existing.reference)
        self.existing = existing


def submit_draft(draft: ApplicationDraft, programme: Programme) -> tuple[Application, str | None]:
    """Create the application a draft describes, once. Returns it and, if new, its private token.

    A second press of submit finds the application the draft already became. The same email
    applying twice raises DuplicateApplication. Arriving after the deadline from a form opened in
    time is accepted, marked late, for the organiser to decide.
    """
    if draft.application_id is not None:
        existing = db.session.get(Application, draft.application_id)
        if existing is not None:
            return existing, None
    answers = draft.answers
    duplicate = find_by_email(programme, answers["email"])
    if duplicate is not None:
        raise DuplicateApplication(duplicate)
    now = utcnow()
    late = now >= programme.deadline
    application = Application(
        programme=programme,
        status=ApplicationStatus.LATE if late else ApplicationStatus.SUBMITTED,
        late=late,
        agreed_at=now,
        submitted_at=now,
        updated_at=now,
        source="form",
    )
    token = new_private_token(application)
    apply_answers(application, answers, programme)
    application.note_file = note_from_draft(draft, now)
    for _ in range(10):
        application.reference = new_reference()
        if not db.session.scalars(select(Application.id).where(Application.reference == application.reference)).first():
            break
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request for the same draft or email won the race: show what it created.
        db.session.rollback()
        raise
    draft.application_id = application.id
    audit.record("applicant", "application.submitted", f"application:{application.reference}", after=snapshot(application))
    queue_email(application.email, "application_received", application=application, programme=programme,
                link=private_link(token))
    return application, token


RESEND_INTERVAL = timedelta(minutes=5)


def resend_link(application: Application) -> bool:
    """A new private link replaces the old one (only its hash is stored, so it cannot be re-sent).

    At most one every few minutes, so nobody can flood an applicant's inbox from the
    "find your application" page; the link sent a moment ago still works. Returns False if held back.
    """
    recent = db.session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.to_address == application.email, OutboxEmail.template == "private_link",
                                     OutboxEmail.created_at > utcnow() - RESEND_INTERVAL)
    ).first()
    if recent is not None:
        return False
    token = new_private_token(application)
    audit.record("applicant", "application.link_resent", f"application:{application.reference}")
    queue_email(application.email, "private_link", application=application, programme=application.programme,
                link=private_link(token), can_change=can_still_change(application, utcnow()))
    return True


def can_still_change(application: Application, now: datetime) -> bool:
    """The person may still change their answers themselves: before the deadline, while being
    considered, and never once places are decided."""
    from app.applications.member import is_decided

    return not application.is_withdrawn and not is_decided(application) and now < application.programme.deadline


def update_application(application: Application, answers: dict[str, Any], note: NoteChoice,
                       link: str | None = None) -> bool:
    """The applicant's own change before the deadline. Returns False when nothing changed.

    `link` is the private link they used (so a change never issues a new one). A new email address
    is also told to the old address, without the link, in case someone else made the change.
    """
    before = snapshot(application)
    old_email = application.email
    now = utcnow()
    apply_answers(application, answers, application.programme)
    if note.new_file is not None:
        application.note_file = note_from_upload(note.new_file, note.file_name or "note", now)
    elif note.remove:
        application.note_file = None
    after = snapshot(application)
    old, new = audit.changed_fields(before, after)
    if not new:
        return False
    application.updated_at = now
    audit.record("applicant", "application.changed", f"application:{application.reference}", before=old, after=new)
    queue_email(application.email, "application_changed", application=application, programme=application.programme,
                changed=sorted(new), link=link or private_link_for(application))
    tell_old_address(application, old_email)
    return True


def tell_old_address(application: Application, old_email: str, by: str = "applicant", by_organiser: bool = False) -> None:
    """A changed email address is told to the old one too (without the private link), so a change
    the person did not make is noticed. When the organiser made the change, the new address is
    also sent the person's private link: nothing else would tell them the change was made."""
    if email_key(old_email) == application.email_key:
        return
    _fee_contact_follows(application, old_email, by)
    queue_email(old_email, "email_changed", application=application, programme=application.programme,
                old_email=old_email, by_organiser=by_organiser)
    if by_organiser:
        queue_email(application.email, "email_changed_new_address", application=application,
                    programme=application.programme, link=private_link_for(application))


def _fee_contact_follows(application: Application, old_email: str, by: str) -> None:
    """Fee emails that went to the person's own (old) address go to the new one; an organisation's
    finance contact stays as it is."""
    from app.finance.accounts import account_of

    account = account_of(application)
    if account is not None and email_key(account.finance_email) == email_key(old_email):
        audit.record(by, "fee.payer_changed",
                     f"application:{application.reference}",
                     before={"finance_email": account.finance_email}, after={"finance_email": application.email})
        account.finance_email = application.email


def withdraw(application: Application, reason: str | None = None) -> None:
    """The applicant withdraws: the lifecycle moves the status, takes them out of any set and sends
    the one "application_withdrawn" email."""
    from app.applications.lifecycle import change_status

    change_status(application, ApplicationStatus.WITHDRAWN, "applicant", utcnow(), reason=reason)


def note_download(application: Application) -> Response:
    """The uploaded note, only ever as a download (never shown inline), named by reference, not
    by the name it was uploaded under. 404 when there is no uploaded note."""
    note = application.note_file
    if note is None:
        abort(404)
    extension = "pdf" if note.kind == "pdf" else "docx"
    return Response(
        note.content,
        mimetype=note.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{application.reference}-note.{extension}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def slot_choices(programme: Programme) -> list[tuple[str, str]]:
    return [(str(slot.id), slot.label) for slot in programme.slots]


def slots_by_id(programme: Programme) -> dict[str, Slot]:
    return {str(slot.id): slot for slot in programme.slots}
