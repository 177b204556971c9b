"""Spreadsheet writers and readers: pure Python + openpyxl, no Flask, no database."""

from ._tabular import RowError, SpreadsheetRefused, clean_cell
from .applications import write_applications
from .fees import write_fees
from .imports import (
    ApplicationImportRow,
    ApplicationSheet,
    CandidateRow,
    CandidateSheet,
    read_applications,
    read_candidates,
)
from .payments import (
    MatchedPayment,
    PaymentPreview,
    PaymentProblem,
    PaymentRow,
    PaymentSheet,
    PaymentTarget,
    payment_identity,
    preview_payments,
    read_payments,
    write_payments_template,
)
from .records import (
    ApplicationRecord,
    FeeAccountRecord,
    LedgerEntryRecord,
    MemberRecord,
    SessionRecord,
    SetRecord,
)
from .schedule import write_schedule
from .sets import write_sets

__all__ = [
    "ApplicationImportRow", "ApplicationRecord", "ApplicationSheet", "CandidateRow",
    "CandidateSheet", "FeeAccountRecord", "LedgerEntryRecord", "MatchedPayment",
    "MemberRecord", "PaymentPreview", "PaymentProblem", "PaymentRow", "PaymentSheet",
    "PaymentTarget", "RowError", "SessionRecord", "SetRecord", "SpreadsheetRefused", "clean_cell", "payment_identity",
    "preview_payments", "read_applications", "read_candidates", "read_payments",
    "write_applications", "write_fees", "write_payments_template", "write_schedule",
    "write_sets",
]
