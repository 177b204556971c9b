"""Finance pages: the fees overview, one account (payer, history, new entries), reminders, download."""
from __future__ import annotations

import io
from typing import Any, Callable

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth import actor, role_required
from app.clock import london, utcnow
from app.extensions import db
from app.finance import bp, ledger, queries
from app.finance.export import fee_records
from app.finance.forms import FilterForm, PayerForm, PaymentForm, RefundForm, RemindForm, ReverseForm, WaiverForm
from app.finance.ledger import LedgerRefused
from app.models import EntryKind, FeeAccount, Role
from app.programmes import current_programme
from exports import write_fees

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF = (Role.FINANCE, Role.ORGANISER)


@bp.after_request
def no_store(response: Response) -> Response:
    # Names, emails and money: never keep these pages in a shared or back-button cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@role_required(*STAFF)
def index() -> str:
    programme = current_programme()
    if programme is None:
        return render_template("finance/index.html", programme=None)
    form = FilterForm(formdata=request.args)
    status = form.status.data if form.status.data in queries.FILTERS else ""
    search = (form.q.data or "")[:200]
    rows = queries.rows_for(queries.accounts(programme), utcnow())
    shown = [row for row in rows if queries.matches(row, status, search)]
    return render_template("finance/index.html", programme=programme, summary=queries.summarise(rows), rows=shown,
                           total_accounts=len(rows), filter_form=form, filtered=bool(status or search),
                           remind_form=RemindForm(prefix="remind"))


@bp.route("/reminders", methods=["POST"])
@role_required(*STAFF)
def remind() -> BaseResponse:
    programme = current_programme()
    if programme is None or not RemindForm(prefix="remind").validate_on_submit():
        return redirect(url_for("finance.index"))
    queued, skipped = queries.queue_reminders(programme, utcnow(), actor())
    db.session.commit()
    message = f"{queued} reminder{'' if queued == 1 else 's'} queued"
    if skipped:
        message += (f" ({skipped} overdue account{' was' if skipped == 1 else 's were'} reminded in the last "
                    f"{queries.REMIND_EVERY.days} days and {'was' if skipped == 1 else 'were'} left out)")
    flash(message, "success" if queued else "info")
    return redirect(url_for("finance.index"))


@bp.route("/fees.xlsx")
@role_required(*STAFF)
def download_fees() -> Response:
    programme = current_programme()
    if programme is None:
        abort(404)
    accounts, entries = fee_records(programme)
    buffer = io.BytesIO()
    write_fees(accounts, entries, buffer, generated_at=utcnow(), title=f"Fees: {programme.name}")
    buffer.seek(0)
    response = send_file(buffer, as_attachment=True, download_name="fees.xlsx", mimetype=XLSX)
    return response


def _account(reference: str) -> FeeAccount:
    account = queries.find_account(reference)
    if account is None:
        abort(404)
    return account


FORMS: dict[str, type[FlaskForm]] = {
    "payer": PayerForm, "payment": PaymentForm, "refund": RefundForm, "waiver": WaiverForm,
}


def _render_account(account: FeeAccount, failed: FlaskForm | None = None, failed_name: str | None = None,
                    status: int = 200) -> tuple[str, int]:
    """The account page; a form that failed is shown with its answers and errors, the rest fresh."""
    forms: dict[str, Any] = {}
    for name, form_class in FORMS.items():
        if name == failed_name:
            forms[name] = failed
        elif name == "refund" and account.refund_due_pence:
            # The person left after paying: the form is ready for the refund due.
            forms[name] = RefundForm(prefix=name, formdata=None, data={
                "on": f"{london(utcnow()):%d/%m/%Y}", "amount": f"{account.refund_due_pence / 100:.2f}",
                "reason": f"Place ended: {account.closed_reason}" if account.closed_reason else "Place ended"})
        elif name == "payer":
            forms[name] = PayerForm(prefix="payer", formdata=None, data={
                "payer_kind": account.payer_kind.value, "invoice_name": account.invoice_name,
                "purchase_order": account.purchase_order or "", "finance_email": account.finance_email,
            })
        else:
            # Money usually arrives on the day it is recorded, so the date starts as today.
            forms[name] = form_class(prefix=name, formdata=None, data={"on": f"{london(utcnow()):%d/%m/%Y}"})
    reversed_ids = ledger.reversed_ids(account)
    reverse_forms = {
        entry.id: (failed if failed_name == f"reverse-{entry.id}" else ReverseForm(prefix=f"reverse-{entry.id}",
                                                                                   formdata=None))
        for entry in account.entries
        if entry.kind is not EntryKind.REVERSAL and entry.id not in reversed_ids
    }
    page = render_template(
        "finance/account.html", account=account, application=account.application,
        balance=ledger.balance_of(account), overdue=ledger.is_overdue(account, utcnow()),
        reversed_by={e.reverses_id: e for e in account.entries if e.reverses_id is not None},
        reverse_forms=reverse_forms, form=failed, failed_name=failed_name, today=london(utcnow()).date(),
        closed_on=london(account.closed_at).date() if account.closed_at else None,
        status=queries.status_of(account, ledger.balance_of(account), ledger.is_overdue(account, utcnow())), **forms,
    )
    return page, status


def _refused(form: FlaskForm, error: LedgerRefused) -> None:
    """Put the ledger's message next to the field it is about (or the first field)."""
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _entry_action(reference: str, name: str, form_class: type[FlaskForm],
                  act: Callable[[FeeAccount, Any], str]) -> BaseResponse | tuple[str, int]:
    """Validate, add the entry (or say why not), commit, and come back to the account's history."""
    account = _account(reference)
    form = form_class(prefix=name)
    if form.validate_on_submit():
        try:
            message = act(account, form)
        except LedgerRefused as error:
            db.session.rollback()
            account = _account(reference)
            _refused(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("finance.account", reference=account.reference, _anchor="history"))
    return _render_account(account, form, name, 400)


@bp.route("/accounts/<reference>")
@role_required(*STAFF)
def account(reference: str) -> tuple[str, int]:
    return _render_account(_account(reference))


@bp.route("/accounts/<reference>/payer", methods=["POST"])
@role_required(*STAFF)
def save_payer(reference: str) -> BaseResponse | tuple[str, int]:
    account = _account(reference)
    if account.closed_at is not None:
        flash("This account is closed because the place ended: the payer cannot be changed", "info")
        return redirect(url_for("finance.account", reference=account.reference))
    form = PayerForm(prefix="payer")
    if not form.validate_on_submit():
        return _render_account(account, form, "payer", 400)
    changed = ledger.update_payer(account, {
        "payer_kind": form.payer_kind.data, "invoice_name": form.invoice_name.data,
        "purchase_order": form.purchase_order.data, "finance_email": form.finance_email.data,
    }, actor())
    db.session.commit()
    flash("Payer details saved" if changed else "You did not change the payer details",
          "success" if changed else "info")
    return redirect(url_for("finance.account", reference=account.reference))


def _refuse_if_closed(account: FeeAccount, what: str) -> None:
    """A closed account (the person left their set) only pays back what is due: no more money in."""
    if account.closed_at is not None:
        raise LedgerRefused(f"This account is closed because the place ended: {what} cannot be recorded. "
                            "Record a refund for anything due back", "amount")


def _today() -> Any:
    return london(utcnow()).date()


@bp.route("/accounts/<reference>/payments", methods=["POST"])
@role_required(*STAFF)
def record_payment(reference: str) -> BaseResponse | tuple[str, int]:
    def act(account: FeeAccount, form: PaymentForm) -> str:
        _refuse_if_closed(account, "a payment")
        amount = ledger.parse_pounds(form.amount.data)
        on = ledger.parse_day(form.on.data, _today())
        ledger.record_payment(account, amount, on, form.method.data, form.reference.data, actor(), utcnow(),
                              accept_overpayment=bool(form.accept_overpayment.data))
        return f"Payment of {ledger.pounds(amount)} recorded"

    return _entry_action(reference, "payment", PaymentForm, act)


@bp.route("/accounts/<reference>/refunds", methods=["POST"])
@role_required(*STAFF)
def record_refund(reference: str) -> BaseResponse | tuple[str, int]:
    def act(account: FeeAccount, form: RefundForm) -> str:
        amount = ledger.parse_pounds(form.amount.data)
        on = ledger.parse_day(form.on.data, _today())
        ledger.record_refund(account, amount, on, form.method.data, form.reason.data, actor(), utcnow())
        return f"Refund of {ledger.pounds(amount)} recorded"

    return _entry_action(reference, "refund", RefundForm, act)


@bp.route("/accounts/<reference>/waivers", methods=["POST"])
@role_required(*STAFF)
def record_waiver(reference: str) -> BaseResponse | tuple[str, int]:
    def act(account: FeeAccount, form: WaiverForm) -> str:
        _refuse_if_closed(account, "a waiver")
        amount = ledger.parse_pounds(form.amount.data)
        ledger.record_waiver(account, amount, _today(), form.reason.data, actor(), utcnow())
        return f"Waiver of {ledger.pounds(amount)} recorded"

    return _entry_action(reference, "waiver", WaiverForm, act)


@bp.route("/accounts/<reference>/entries/<int:entry_id>/reverse", methods=["POST"])
@role_required(*STAFF)
def reverse(reference: str, entry_id: int) -> BaseResponse | tuple[str, int]:
    def act(account: FeeAccount, form: ReverseForm) -> str:
        reversal = ledger.reverse_entry(account, entry_id, form.reason.data, actor(), utcnow())
        moved = "added to" if reversal.amount_pence > 0 else "taken off"
        return f"Entry reversed: {ledger.pounds(abs(reversal.amount_pence))} {moved} what is owed"

    account = _account(reference)
    if entry_id not in {e.id for e in account.entries}:
        abort(404)
    return _entry_action(reference, f"reverse-{entry_id}", ReverseForm, act)


from app.finance import import_routes  # noqa: E402,F401  (the payments import pages)
