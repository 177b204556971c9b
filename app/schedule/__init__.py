"""Scheduling: each set's six sessions, halfway training, reviews, presenter rota, calendar files."""
from flask import Blueprint

bp = Blueprint("schedule", __name__, url_prefix="/manage/schedule")

from app.schedule import routes  # noqa: E402,F401
