"""Stable pseudonyms for people whose data is gone, and scrubbing them into what is kept.

A pseudonym is a keyed hash of the application reference: the same person gets the same pseudonym
in every record (so the audit log still reads as one story), and nobody without the app's
SECRET_KEY can turn a reference back into it (references are short enough to try them all).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import AuditEvent, OutboxEmail, SelectionRun

# Keys in audit snapshots (and elsewhere) that name or reach a person: replaced by the pseudonym.
IDENTIFYING_KEYS = frozenset({
    "full_name", "name", "email", "phone", "organisation", "invoice_name", "finance_email", "purchase_order",
    "job_title", "to_address",
})
# Keys holding free text written by or about the person: removed.
FREE_TEXT_KEYS = frozenset({
    "offer", "expectations", "note_text", "organiser_notes", "notes", "comment", "note_file_sha256", "body",
})
REMOVED = "[removed]"
# A private link's stored hash is 64 hex digits; a value with a non-hex prefix can never match one.
UNUSABLE_TOKEN_PREFIX = "void:"


def pseudonym(reference: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return "person-" + hmac.new(key, reference.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def pseudonymous_email(reference: str) -> str:
    # .invalid can never be delivered (RFC 2606), and it keeps (programme, email_key) unique.
    return f"{pseudonym(reference)}@erased.invalid"


def unusable_token_hash() -> str:
    """A value for access_token_hash that no private link can match, and unique like a real one."""
    return UNUSABLE_TOKEN_PREFIX + secrets.token_hex(29)


def scrub(value: Any, replacements: dict[str, str], key: str | None = None) -> Any:
    """`value` with identifying keys pseudonymised, free text removed, and every reference in
    `replacements` (reference -> what replaces it) swapped, in keys and strings alike."""
    if isinstance(value, dict):
        return {scrub_text(str(k), replacements): scrub(v, replacements, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(item, replacements, key) for item in value]
    if value is None or value == "":
        return value
    if key in FREE_TEXT_KEYS:
        return REMOVED
    if key in IDENTIFYING_KEYS and replacements:
        # One person per call in practice; with several, the first pseudonym stands for the field.
        return pseudonym(next(iter(replacements)))
    if isinstance(value, str):
        return scrub_text(value, replacements)
    return value


def scrub_text(text: str, replacements: dict[str, str]) -> str:
    for reference, replacement in replacements.items():
        if reference in text:
            text = text.replace(reference, replacement)
    return text


def _mentions_any(snapshot: Any, references: list[str]) -> list[str]:
    if snapshot is None:
        return []
    text = json.dumps(snapshot, ensure_ascii=False)
    return [reference for reference in references if reference in text]


def scrub_audit(replacements: dict[str, str]) -> int:
    """Pseudonymise the audit log about these people (reference -> replacement; map a reference
    to itself to keep it). Events about a person lose the personal values of their snapshots;
    any other event that mentions the reference (a set's roster, a move) has it replaced.
    Returns the number of events changed."""
    if not replacements:
        return 0
    changed = 0
    targets = {f"application:{reference}": reference for reference in replacements}
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.target.in_(targets))):
        reference = targets[event.target]
        one = {reference: replacements[reference]}
        before, after = scrub(event.before, one), scrub(event.after, one)
        if (before, after) != (event.before, event.after) or replacements[reference] != reference:
            event.before, event.after = before, after
            event.target = f"application:{replacements[reference]}"
            changed += 1
    references = sorted(replacements)
    # Events about other things (runs, sets, imports) mention people only by reference. Loaded in
    # one pass: the rows for a handful of sets and runs, not one query per person.
    others = select(AuditEvent).where(AuditEvent.target.not_like("application:%"))
    for event in db.session.scalars(others):
        found = _mentions_any(event.before, references) + _mentions_any(event.after, references)
        wanted = {reference: replacements[reference] for reference in found if replacements[reference] != reference}
        if wanted:
            event.before = replace_references(event.before, wanted)
            event.after = replace_references(event.after, wanted)
            changed += 1
    return changed


def replace_references(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {scrub_text(str(k), replacements): replace_references(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_references(item, replacements) for item in value]
    if isinstance(value, str):
        return scrub_text(value, replacements)
    return value


def scrub_selection_runs(replacements: dict[str, str]) -> int:
    """Runs keep their candidates as the optimiser saw them: these people's names and
    organisations become their pseudonyms, and their references are replaced where asked."""
    changed = 0
    for run in db.session.scalars(select(SelectionRun)):
        mine = [c for c in run.candidates or [] if c.get("id") in replacements]
        if not mine:
            continue
        run.candidates = [
            {**c, "id": replacements[c["id"]], "name": pseudonym(c["id"]), "organisation": pseudonym(c["id"]),
             "attributes": {}} if c.get("id") in replacements else c
            for c in run.candidates
        ]
        wanted = {c["id"]: replacements[c["id"]] for c in mine if replacements[c["id"]] != c["id"]}
        if wanted:
            for field in ("result", "arrangement"):
                value = getattr(run, field)
                if value is not None:
                    setattr(run, field, replace_references(value, wanted))
        changed += 1
    return changed


def forget_emails(addresses: set[str], reference: str, replacement: str) -> int:
    """Emails to the person: unsent ones are cancelled (deleted), sent ones keep only when, which
    template and a subject with the reference replaced; address and body go. Returns how many."""
    keys = sorted({address.strip().lower() for address in addresses if address})
    emails = db.session.scalars(select(OutboxEmail).where(or_(
        OutboxEmail.subject.contains(reference, autoescape=True), OutboxEmail.body.contains(reference, autoescape=True),
        func.lower(OutboxEmail.to_address).in_(keys),
    ))).all()
    for email in emails:
        if email.sent_at is None:
            db.session.delete(email)
            continue
        email.to_address = pseudonymous_email(reference)
        email.subject = scrub_text(email.subject, {reference: replacement})
        email.body = ""
    return len(emails)
