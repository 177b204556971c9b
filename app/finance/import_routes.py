"""Payments import pages: upload, preview (nothing saved), then save the matched rows once."""
from __future__ import annotations

import io

from flask import Response, abort, current_app, flash, redirect, render_template, send_file, session, url_for
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.clock import utcnow
from app.extensions import db
from app.finance import bp, importing
from app.finance.forms import SaveImportForm, UploadForm
from app.finance.queries import accounts as all_accounts
from app.models import Role
from app.programmes import current_programme
from app.text import clean_text
from exports import PaymentPreview, write_payments_template

STAFF = (Role.FINANCE, Role.ORGANISER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "payment_import"


def _store() -> importing.UploadStore:
    return importing.UploadStore(current_app.instance_path)


def _render(form: UploadForm, preview: PaymentPreview | None = None, source: str = "", status: int = 200,
            warning: str = "") -> tuple[str, int]:
    return render_template("finance/import.html", form=form, preview=preview, source=source, warning=warning,
                           save_form=SaveImportForm(prefix="save", data={"expected": importing.fingerprint(preview)}
                                                    if preview else None)), status


@bp.route("/payments/import")
@role_required(*STAFF)
def import_payments() -> tuple[str, int]:
    return _render(UploadForm(prefix="upload"))


@bp.route("/payments/import", methods=["POST"])
@role_required(*STAFF)
def preview_import() -> tuple[str, int]:
    programme = current_programme()
    if programme is None:
        abort(404)
    form = UploadForm(prefix="upload")
    if not form.validate_on_submit():
        return _render(form, status=400)
    upload = form.file.data
    data = upload.read() if upload else b""
    if not data:
        form.file.errors = [*form.file.errors, "Select a CSV file or Excel workbook of payments"]
        return _render(form, status=400)
    try:
        preview = importing.preview(programme, data)
    except importing.ImportRefused as error:
        form.file.errors = [*form.file.errors, str(error)]
        return _render(form, status=400)
    source = clean_text(upload.filename or "upload")[:100] or "upload"
    old = session.pop(SESSION_KEY, None)
    if old:  # only one import waits per person: a new upload replaces the old one
        _store().delete(old.get("token", ""))
    if preview.matched:
        # The bytes stay on the server; the cookie holds only a random name and their checksum.
        token, sha256 = _store().put(data)
        session[SESSION_KEY] = {"token": token, "sha256": sha256, "source": source}
    return _render(UploadForm(prefix="upload", formdata=None), preview, source)


@bp.route("/payments/import/save", methods=["POST"])
@role_required(*STAFF)
def save_import() -> BaseResponse | tuple[str, int]:
    programme = current_programme()
    pending = session.get(SESSION_KEY)
    form = SaveImportForm(prefix="save")
    if programme is None or not pending or not form.validate_on_submit():
        flash("There is no upload waiting to be saved: upload the file again", "info")
        return redirect(url_for("finance.import_payments"))
    try:
        data = _store().get(pending["token"], pending["sha256"])
    except importing.ImportRefused as error:
        session.pop(SESSION_KEY, None)
        flash(str(error), "info")
        return redirect(url_for("finance.import_payments"))
    preview = importing.commit(programme, data, pending["source"], actor(), utcnow())
    if importing.fingerprint(preview) != form.expected.data:
        # Someone recorded money since the preview: show what would happen now and save nothing.
        db.session.rollback()
        return _render(UploadForm(prefix="upload", formdata=None), importing.preview(programme, data),
                       pending["source"], 409, "The accounts changed since you previewed this file. "
                       "Check the new preview before saving.")
    try:
        db.session.commit()
    except IntegrityError:
        # The same payments were saved at the same moment (a double click or a colleague): keep theirs.
        db.session.rollback()
        flash("These payments were saved already; nothing was added twice", "info")
        return redirect(url_for("finance.index"))
    _store().delete(pending["token"])
    session.pop(SESSION_KEY, None)
    saved = len(preview.matched)
    flash(f"{saved} payment{'' if saved == 1 else 's'} saved (£{preview.matched_pence / 100:,.2f})", "success")
    return redirect(url_for("finance.index"))


@bp.route("/payments/template.xlsx")
@role_required(*STAFF)
def payments_template() -> Response:
    programme = current_programme()
    if programme is None:
        abort(404)
    buffer = io.BytesIO()
    write_payments_template(importing.targets(all_accounts(programme)), buffer, generated_at=utcnow())
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="payments.xlsx", mimetype=XLSX)
