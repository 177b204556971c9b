from __future__ import annotations

import io

from flask import abort, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth import role_required
from app.downloads import bp
from app.downloads.records import WRITERS
from app.models import Role
from app.programmes import current_programme

# Finance works with fees only; organisers may download everything.
ALLOWED = {Role.ORGANISER: set(WRITERS), Role.FINANCE: {"fees"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@role_required(Role.ORGANISER, Role.FINANCE)
def index() -> str:
    return render_template("downloads/index.html", allowed=sorted(ALLOWED[current_user.role]))


@bp.route("/<kind>.xlsx")
@role_required(Role.ORGANISER, Role.FINANCE)
def workbook(kind: str) -> Response:
    if kind not in WRITERS:
        abort(404)
    if kind not in ALLOWED[current_user.role]:
        abort(403)
    programme = current_programme()
    if programme is None:
        abort(404)
    buffer = io.BytesIO()
    WRITERS[kind](programme, buffer)
    buffer.seek(0)
    response = send_file(buffer, as_attachment=True, download_name=f"{kind}.xlsx", mimetype=XLSX)
    response.headers["Cache-Control"] = "no-store"
    return response
