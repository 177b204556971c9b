"""The facilitator's pages: the sets they run, each set's members, dates, rota and records, and
recording a session, its presenters' actions and their review at the next session."""
from flask import Blueprint

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")

from app.facilitate import routes  # noqa: E402,F401
