"""The organiser's review of applications: list with counts and filters, one application, scores."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/manage/applications")

from app.review import routes  # noqa: E402,F401
