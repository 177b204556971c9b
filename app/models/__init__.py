"""Database models. Each module holds one feature's tables; import them all here for Alembic."""
from app.models.application import Application, ApplicationStatus, NoteFile, Payer, Sector
from app.models.audit import AuditEvent
from app.models.draft import ApplicationDraft
from app.models.outbox import OutboxEmail
from app.models.programme import Programme, Slot

__all__ = [
    "Application",
    "ApplicationDraft",
    "ApplicationStatus",
    "AuditEvent",
    "NoteFile",
    "OutboxEmail",
    "Payer",
    "Programme",
    "Sector",
    "Slot",
]
