"""The organiser's settings: the programme (dates, fee, sizes, places and times, payment
instructions) and the wording of the emails people are sent."""
from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/manage/settings")

from app.settings import routes  # noqa: E402,F401
