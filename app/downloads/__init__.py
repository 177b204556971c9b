"""Spreadsheet downloads by role, and `als export`: database rows become exports' plain records."""
from flask import Blueprint

bp = Blueprint("downloads", __name__, url_prefix="/manage/downloads")

from app.downloads import routes  # noqa: E402,F401
