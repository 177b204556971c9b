"""Deletion on request: `als erase REFERENCE` and the organiser's button remove a person's data,
keep the fee ledger's amounts under a pseudonym, and can be run twice."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    FeeAccount,
    NoteFile,
    OutboxEmail,
    Presenter,
    SetMember,
)
from tests.helpers import link_from, outbox
from tests.privacy.privacy_helpers import apply_with_note, everything_stored, fill, reference_of

PERSONAL = ["Siobhán Ní Bhriain", "siobhan@example.org", "0191 498 0000", "Gateshead Council",
            "Director of Operations", "Twenty years of leading change", "Space to think with peers",
            "fresh perspectives", "my note.pdf", "Knows the sector well", "Checked by phone"]


def review(client, reference: str) -> None:
    """An organiser scores it with a comment and writes an eligibility note."""
    client.post(f"/manage/applications/{reference}/score", data={"score-score": "4",
                                                                  "score-comment": "Knows the sector well"})
    client.post(f"/manage/applications/{reference}/eligibility", data={
        "eligibility-senior_role": "yes", "eligibility-commitment": "yes", "eligibility-fee": "yes",
        "eligibility-notes": "Checked by phone"})


def test_als_erase_removes_the_persons_data_from_every_table_and_says_so(app, client, auth, runner):
    apply_with_note(client, app)
    reference = reference_of(app, "siobhan@example.org")
    link = link_from(outbox(app)[0])
    auth.login("organiser")
    review(client, reference)
    stored = everything_stored(app)
    assert all(value in stored for value in PERSONAL), "the test data should be there before erasing"

    result = runner.invoke(args=["erase", reference.lower(), "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{reference} erased"

    stored = everything_stored(app)
    for value in PERSONAL:
        assert value not in stored, f"{value!r} survived erasure"
    with app.app_context():
        application = db.session.scalars(select(Application).filter_by(reference=reference)).one()
        assert application.full_name.startswith("person-")
        assert application.note_file is None and application.note_text is None
        assert db.session.query(NoteFile).count() == 0, "the uploaded file is deleted, not just unlinked"
        assert application.status is ApplicationStatus.WITHDRAWN
        assert application.link_salt is None, "no private link can be made for them again"
        assert [r.score for r in application.reviews] == [4], "scores stay, comments go"
        erased = db.session.scalars(select(AuditEvent).filter_by(action="application.erased")).one()
        assert erased.actor == "cli" and erased.target == f"application:{reference}"
    assert client.get(link).status_code == 404, "the private link no longer opens anything"

    again = runner.invoke(args=["erase", reference, "--yes"])
    assert again.exit_code == 0 and again.output.strip() == f"{reference} was already erased"
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="application.erased").count() == 1


def test_erase_asks_first_and_refuses_an_unknown_reference(app, client, runner):
    apply_with_note(client, app)
    reference = reference_of(app, "siobhan@example.org")
    result = runner.invoke(args=["erase", reference], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
    assert "Siobhán Ní Bhriain" in everything_stored(app)
    missing = runner.invoke(args=["erase", "ALS-ZZZZZ", "--yes"])
    assert missing.exit_code != 0 and "There is no application ALS-ZZZZZ" in missing.output


def fees_rows(app) -> list[tuple]:
    from app.downloads.records import WRITERS
    from app.programmes import current_programme

    out = io.BytesIO()
    with app.app_context():
        WRITERS["fees"](current_programme(), out)
    out.seek(0)
    return [row for sheet in openpyxl.load_workbook(out).worksheets for row in sheet.iter_rows(values_only=True)]


def test_erasing_a_member_keeps_the_ledger_under_a_pseudonym_and_frees_their_place(app, client, auth, runner):
    fill(app, client, auth)
    with app.app_context():
        presenter = db.session.scalars(select(Presenter).order_by(Presenter.id)).first()
        account = db.session.scalars(select(FeeAccount).where(FeeAccount.application_id == presenter.application_id)).one()
        reference, name = account.reference, account.application.full_name
        amounts = [e.amount_pence for e in account.entries]
        sessions = db.session.query(Presenter).filter_by(application_id=presenter.application_id).count()
    assert len(amounts) == 2, "a charge and a payment"
    before = [row for row in fees_rows(app) if reference in row]

    result = runner.invoke(args=["erase", reference, "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{reference} erased; removed from Set ")
    assert f"presenters of {sessions} session" in result.output

    with app.app_context():
        account = db.session.scalars(select(FeeAccount).where(FeeAccount.application.has(reference=reference))).one()
        # Erasing withdraws them, which closes the account: the charge is reversed, so what they
        # paid shows as a refund due; the entries before stay as they were.
        charge, paid = amounts[0], -amounts[1]
        assert [e.amount_pence for e in account.entries] == [*amounts, -charge]
        assert account.closed_at is not None and account.refund_due_pence == paid
        assert db.session.query(OutboxEmail).filter_by(template="application_withdrawn").count() == 0, \
            "nothing is sent to an address being erased"
        assert account.invoice_name.startswith("person-") and account.finance_email.endswith("@erased.invalid")
        assert db.session.query(SetMember).filter_by(application_id=account.application_id).count() == 0
        assert db.session.query(Presenter).filter_by(application_id=account.application_id).count() == 0
    assert name not in everything_stored(app)
    after = [row for row in fees_rows(app) if reference in row]
    assert len(before) == 3 and len(after) == 4, "the account, its two entries and the reversal of the charge"

    def amounts_in(rows: list[tuple]) -> list[list[float]]:
        return [[cell for cell in row if isinstance(cell, (int, float))] for row in rows]

    kept = amounts_in(after)
    assert all(entry in kept for entry in amounts_in(before[1:])), "the charge and payment are unchanged"
    assert name not in repr(after)


def test_the_organiser_erases_from_the_application_page_after_confirming(app, client, auth):
    apply_with_note(client, app)
    reference = reference_of(app, "siobhan@example.org")
    auth.login("organiser")
    page = client.get(f"/manage/applications/{reference}").get_data(as_text=True)
    assert f'href="/manage/applications/{reference}/erase"' in page and "Erase personal data" in page

    confirm = client.get(f"/manage/applications/{reference}/erase")
    assert confirm.status_code == 200
    assert "You cannot undo this" in confirm.get_data(as_text=True)
    assert "Siobhán Ní Bhriain" in everything_stored(app), "asking to confirm changes nothing"

    done = client.post(f"/manage/applications/{reference}/erase", follow_redirects=True)
    text = done.get_data(as_text=True)
    assert f"{reference} erased" in text and "Personal data erased at" in text
    assert "Siobhán" not in text
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).filter_by(action="application.erased")).one()
        assert event.actor == "organiser@example.org"
        assert "Siobhán" not in repr((event.before, event.after))

    again = client.post(f"/manage/applications/{reference}/erase", follow_redirects=True)
    assert f"{reference} was already erased" in again.get_data(as_text=True)


def test_only_organisers_can_erase_and_the_form_needs_its_csrf_token(app, client, auth):
    apply_with_note(client, app)
    reference = reference_of(app, "siobhan@example.org")
    assert client.post(f"/manage/applications/{reference}/erase").status_code == 302, "to sign in"
    auth.login("finance")
    assert client.post(f"/manage/applications/{reference}/erase").status_code == 403
    auth.logout()
    auth.login("organiser")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/manage/applications/{reference}/erase")
    assert response.status_code == 400
    assert "Siobhán Ní Bhriain" in everything_stored(app), "without the token nothing is erased"
