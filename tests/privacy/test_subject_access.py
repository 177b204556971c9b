"""`als subject-access REFERENCE --out FILE`: a zip with everything held about one person."""
from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.models import FeeAccount, LedgerEntry, Presenter
from tests.privacy.privacy_helpers import apply_with_note, fill, reference_of


def test_the_zip_holds_the_application_note_reviews_emails_and_history(app, client, auth, runner, tmp_path):
    note = apply_with_note(client, app, phone="0191 000 1234")
    reference = reference_of(app, "siobhan@example.org")
    auth.login("organiser")
    client.post(f"/manage/applications/{reference}/score", data={"score-score": "5",
                                                                  "score-comment": "A strong candidate"})
    out = tmp_path / "sar.zip"
    result = runner.invoke(args=["subject-access", reference, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote {out}: {reference}.json, {reference}-note.pdf"

    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"{reference}-note.pdf") == note
        data = json.loads(archive.read(f"{reference}.json"))
    person = data["application"]
    assert (person["full_name"], person["email"], person["phone"]) == ("Siobhán Ní Bhriain", "siobhan@example.org",
                                                                        "0191 000 1234")
    assert person["offer"] == "Twenty years of leading change." and person["places_and_times"]
    assert data["note_file"]["uploaded_as"] == "my note.pdf"
    [review] = data["reviews"]
    assert (review["score"], review["comment"]) == (5, "A strong candidate")
    assert "reviewer" not in review, "reviewers' identities are theirs, not the applicant's"
    [email] = data["emails"]
    assert email["to"] == "siobhan@example.org" and "Dear Siobhán Ní Bhriain" in email["body"]
    assert [event["action"] for event in data["audit_log"]] == ["application.submitted", "application.scored"]
    assert data["learning_set"] is None and data["fees"] is None


def test_a_member_sees_their_set_sessions_and_fees(app, client, auth, runner, tmp_path):
    fill(app, client, auth)
    with app.app_context():
        presenter = db.session.scalars(select(Presenter).order_by(Presenter.id)).first()
        reference = presenter.application.reference
        paid = db.session.scalars(select(LedgerEntry).join(FeeAccount)
                                  .where(FeeAccount.application_id == presenter.application_id)).all()
        expected_entries = sorted(entry.amount_pence for entry in paid)
    out = tmp_path / "member.zip"
    assert runner.invoke(args=["subject-access", reference, "--out", str(out)]).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [f"{reference}.json"], "demo members typed their note"
        data = json.loads(archive.read(f"{reference}.json"))
    assert data["learning_set"]["name"].startswith("Set ")
    assert data["presenting"] and all(s["set"] == data["learning_set"]["name"] for s in data["presenting"])
    assert sorted(entry["amount_pence"] for entry in data["fees"]["entries"]) == expected_entries
    assert data["fees"]["entries"][0]["amount"] == "£300"
