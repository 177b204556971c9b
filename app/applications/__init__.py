"""The applicant's journey: the form, check your answers, confirmation and the private link."""
from flask import Blueprint

bp = Blueprint("applications", __name__)

from app.applications import routes  # noqa: E402,F401  (routes attach themselves to bp)
from app.applications import set_pages  # noqa: E402,F401  (the member's set pages, on the same bp)
