"""Forming sets: the selection page, runs in the background, adjusting and confirming the result."""
from flask import Blueprint

bp = Blueprint("sets", __name__, url_prefix="/manage/selection")

from app.sets import refill_views, routes  # noqa: E402,F401
