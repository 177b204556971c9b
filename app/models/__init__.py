"""Database models. Each module holds one feature's tables; import them all here for Alembic."""
from app.models.application import ALLOWED_TRANSITIONS, Application, ApplicationStatus, NoteFile, Payer, Sector
from app.models.audit import AuditEvent
from app.models.draft import ApplicationDraft
from app.models.finance import EntryKind, FeeAccount, LedgerEntry, PayerKind
from app.models.outbox import EmailTemplate, OutboxEmail
from app.models.programme import Programme, Slot
from app.models.retention import Erasure, PurgedApplicationCount
from app.models.review import Review
from app.models.running import Action, ActionOutcome, ActionReview, Attendance, AttendanceMark, SessionRecord
from app.models.schedule import Presenter, ScheduledSession, SessionKind
from app.models.selection import LearningSet, RunState, SelectionRun, SetMember
from app.models.staff import LoginThrottle, Role, User

__all__ = [
    "Action",
    "ActionOutcome",
    "ActionReview",
    "Attendance",
    "AttendanceMark",
    "SessionRecord",
    "ALLOWED_TRANSITIONS",
    "Application",
    "ApplicationDraft",
    "ApplicationStatus",
    "AuditEvent",
    "EmailTemplate",
    "EntryKind",
    "Erasure",
    "FeeAccount",
    "LedgerEntry",
    "LoginThrottle",
    "PayerKind",
    "Presenter",
    "ScheduledSession",
    "SessionKind",
    "NoteFile",
    "OutboxEmail",
    "Payer",
    "LearningSet",
    "Programme",
    "PurgedApplicationCount",
    "Review",
    "Role",
    "RunState",
    "Sector",
    "SelectionRun",
    "SetMember",
    "Slot",
    "User",
]
