"""Finance: fee accounts, the ledger, payments import and reminders."""
from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/manage/finance")

from app.finance import routes  # noqa: E402,F401
