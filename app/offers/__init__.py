"""Offers of places: the organiser's view of who has accepted, declined or not yet answered."""
from flask import Blueprint

bp = Blueprint("offers", __name__, url_prefix="/manage/offers")

from app.offers import routes  # noqa: E402,F401
