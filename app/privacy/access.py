"""`als subject-access`: everything held about one person, as a zip of JSON and their note."""
from __future__ import annotations

import json
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, or_, select

from app.applications.service import snapshot
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Action,
    AttendanceMark,
    Application,
    ApplicationDraft,
    AuditEvent,
    Erasure,
    FeeAccount,
    OutboxEmail,
    Presenter,
    SetMember,
)
from app.web import format_money


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def note_file_name(application: Application) -> str | None:
    note = application.note_file
    if note is None:
        return None
    return f"{application.reference}-note.{'pdf' if note.kind == 'pdf' else 'docx'}"


def subject_access(application: Application) -> dict[str, Any]:
    """Everything held about the person who made `application`, as plain JSON values.

    Reviewers' scores and comments are theirs to see; the reviewers' own identities are not
    theirs, so reviews are listed without them.
    """
    note = application.note_file
    answers = snapshot(application)
    answers["places_and_times"] = answers.pop("slots")
    membership = db.session.scalars(select(SetMember).where(SetMember.application_id == application.id)).first()
    presenting = db.session.scalars(select(Presenter).where(Presenter.application_id == application.id)).all()
    marks = db.session.scalars(select(AttendanceMark).where(AttendanceMark.application_id == application.id)).all()
    actions = db.session.scalars(select(Action).where(Action.application_id == application.id)
                                 .order_by(Action.id)).all()
    account = db.session.scalars(select(FeeAccount).where(FeeAccount.application_id == application.id)).first()
    emails = db.session.scalars(select(OutboxEmail).where(or_(
        func.lower(OutboxEmail.to_address) == application.email_key,
        OutboxEmail.subject.contains(application.reference, autoescape=True),
    )).order_by(OutboxEmail.id)).all()
    drafts = db.session.scalars(select(ApplicationDraft).where(or_(
        ApplicationDraft.application_id == application.id,
        func.lower(cast(ApplicationDraft.answers, Text)).contains(application.email_key, autoescape=True),
    )).order_by(ApplicationDraft.id)).all()
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target == f"application:{application.reference}").order_by(AuditEvent.id)).all()
    erasure = db.session.scalars(select(Erasure).where(Erasure.application_id == application.id)).first()
    return {
        "reference": application.reference,
        "generated_at": _plain(utcnow()),
        "erased_at": _plain(erasure.erased_at) if erasure else None,
        "application": {
            # The applicant's answers as the audit log snapshots them, then what staff hold.
            **answers,
            "programme": application.programme.name,
            "late": application.late,
            "source": application.source,
            "agreed_at": _plain(application.agreed_at),
            "submitted_at": _plain(application.submitted_at),
            "updated_at": _plain(application.updated_at),
            "withdrawn_at": _plain(application.withdrawn_at),
            "eligibility_checks": {
                "senior_role": application.eligible_senior_role,
                "commitment": application.eligible_commitment,
                "fee": application.eligible_fee,
            },
            "organiser_notes": application.organiser_notes,
        },
        "note_file": None if note is None else {
            "file_in_this_zip": note_file_name(application), "uploaded_as": note.original_name, "kind": note.kind,
            "bytes": note.size, "sha256": note.sha256, "pages": note.pages, "words": note.words,
            "uploaded_at": _plain(note.uploaded_at),
        },
        "reviews": [{"score": review.score, "comment": review.comment, "created_at": _plain(review.created_at),
                     "updated_at": _plain(review.updated_at)} for review in application.reviews],
        "learning_set": None if membership is None else {
            "name": membership.learning_set.name, "meets": membership.learning_set.slot_label,
        },
        "presenting": [{
            "set": p.session.learning_set.name, "kind": p.session.kind.value, "number": p.session.number,
            "on": _plain(p.session.on), "starts_at": _plain(p.session.starts_at), "venue": p.session.venue,
            "issue_title": p.issue_title, "presented": p.presented,
        } for p in sorted(presenting, key=lambda p: p.session.on)],
        "attendance": [{"session": m.session.number, "on": _plain(m.session.on), "status": m.status.value}
                       for m in sorted(marks, key=lambda m: m.session.on)],
        "actions": [{
            "set_at_session": a.session.number, "what": a.what, "due_on": _plain(a.due_on),
            "recorded_at": _plain(a.created_at), "closed_at": _plain(a.closed_at),
            "reviews": [{"at_session": r.session.number, "outcome": r.outcome.value, "learning": r.learning}
                        for r in a.reviews],
        } for a in actions],
        "fees": None if account is None else {
            "payer_kind": account.payer_kind.value, "invoice_name": account.invoice_name,
            "purchase_order": account.purchase_order, "finance_email": account.finance_email,
            "due_date": _plain(account.due_date), "balance": format_money(account.balance_pence),
            "entries": [{
                "on": _plain(entry.on), "kind": entry.kind.value, "amount_pence": entry.amount_pence,
                "amount": format_money(entry.amount_pence), "method": entry.method, "reference": entry.reference,
                "reason": entry.reason, "recorded_at": _plain(entry.recorded_at),
            } for entry in account.entries],
        },
        "emails": [{
            "to": email.to_address, "subject": email.subject, "body": email.body, "template": email.template,
            "queued_at": _plain(email.created_at), "sent_at": _plain(email.sent_at),
        } for email in emails],
        "unfinished_forms": [{"opened_at": _plain(d.opened_at), "updated_at": _plain(d.updated_at),
                              "answers": d.answers, "note_name": d.note_name} for d in drafts],
        "audit_log": [{"at": _plain(e.at), "by": e.actor, "action": e.action, "before": e.before, "after": e.after}
                      for e in events],
    }


def write_subject_access(application: Application, path: Path) -> list[str]:
    """Write the zip: <reference>.json, and the uploaded note as it was received. Returns the names."""
    names = [f"{application.reference}.json"]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(names[0], json.dumps(subject_access(application), indent=2, ensure_ascii=False))
        note_name = note_file_name(application)
        if note_name and application.note_file is not None:
            archive.writestr(note_name, application.note_file.content)
            names.append(note_name)
    return names
