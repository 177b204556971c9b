"""Recording who changed what: one call per change, in the change's own transaction."""
from __future__ import annotations

from typing import Any

from app.clock import utcnow
from app.extensions import db
from app.models import AuditEvent


def record(actor: str, action: str, target: str, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(at=utcnow(), actor=actor, action=action, target=target, before=before, after=after)
    db.session.add(event)
    return event


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, so the log reads as what changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}
