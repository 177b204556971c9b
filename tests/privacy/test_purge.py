"""`als purge` keeps what the privacy notice promises: unplaced applications go 12 months after the
deadline (leaving counts and a pseudonymised log), drafts after 7 days, sent emails' text and
private links after 30 days."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application,
    ApplicationDraft,
    ApplicationStatus,
    AuditEvent,
    FeeAccount,
    OutboxEmail,
    PurgedApplicationCount,
)
from app.demo import add_demo_applications
from app.programmes import current_programme
from app.applications.lifecycle import change_status
from tests.conftest import DEADLINE
from tests.finance.fin_helpers import confirm_sets
from tests.helpers import answers, link_from, outbox
from tests.privacy.privacy_helpers import apply_with_note, everything_stored, reference_of

A_YEAR_AFTER = DEADLINE.replace(year=DEADLINE.year + 1)


def statuses(app) -> dict[str, int]:
    with app.app_context():
        found: dict[str, int] = {}
        for application in db.session.scalars(select(Application)):
            found[application.status.value] = found.get(application.status.value, 0) + 1
        return found


def test_unplaced_applications_go_12_months_after_the_deadline_and_leave_counts(app, client, runner, clock):
    with app.app_context():
        confirm_sets(applicants=40, seed=3)
        add_demo_applications(current_programme(), 4, seed=4)
        later = db.session.scalars(select(Application).where(Application.status == ApplicationStatus.SUBMITTED)).all()
        for application, status in zip(later, ("waiting_list", "not_selected", "ineligible", "withdrawn"), strict=False):
            if status in ("waiting_list", "not_selected"):
                change_status(application, ApplicationStatus.ELIGIBLE, "organiser@example.org", clock.now)
            change_status(application, ApplicationStatus(status), "organiser@example.org", clock.now, notify=False)
        db.session.commit()
    apply_with_note(client, app)  # after the selection: an application nobody acted on
    mark_sent(app)
    reference = reference_of(app, "siobhan@example.org")
    before = statuses(app)
    assert before["selected"] == 40 and sum(before.values()) == 45
    assert {"waiting_list", "not_selected", "ineligible", "submitted"} <= set(before)
    with app.app_context():
        placed = set(db.session.scalars(select(FeeAccount.application_id)))

    clock.now = A_YEAR_AFTER - timedelta(minutes=1)
    early = runner.invoke(args=["purge"])
    assert "Deleted 0 application(s)" in early.output
    assert statuses(app) == before

    clock.now = A_YEAR_AFTER
    unplaced = sum(count for status, count in before.items() if status != "selected")
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would delete {unplaced} application(s)" in dry.output and "Dry run: nothing changed." in dry.output
    assert statuses(app) == before

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert f"Deleted {unplaced} application(s)" in result.output
    assert statuses(app) == {"selected": before["selected"]}
    with app.app_context():
        assert set(db.session.scalars(select(Application.id))) == placed, "members and their fees stay"
        counts = {(row.sector, row.status): row.count for row in db.session.scalars(select(PurgedApplicationCount))}
    assert sum(counts.values()) == unplaced
    assert counts[("public", "submitted")] == 1, "Siobhán is counted"

    stored = everything_stored(app)
    for value in ("Siobhán Ní Bhriain", "siobhan@example.org", "Gateshead Council", reference,
                  "Space to think with peers"):
        assert value not in stored, f"{value!r} survived the purge"
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.target.like("application:person-%"))).all()
        submitted = [e for e in events if e.action == "application.submitted"]
        assert submitted, "the log keeps what happened, under a pseudonym"
        pseudonym = submitted[0].target.removeprefix("application:")
        assert {submitted[0].after["full_name"], submitted[0].after["email"]} == {pseudonym}
        assert submitted[0].after["sector"] == "public", "what is not personal stays readable"
        assert submitted[0].after["offer"] == "[removed]"
        [email] = [e for e in db.session.scalars(select(OutboxEmail)) if pseudonym in e.subject]
        assert email.body == "" and email.to_address.endswith("@erased.invalid")

    again = runner.invoke(args=["purge"])
    assert "Deleted 0 application(s)" in again.output
    with app.app_context():
        assert sum(row.count for row in db.session.scalars(select(PurgedApplicationCount))) == unplaced


def test_unfinished_forms_are_deleted_after_7_days(app, client, runner, clock):
    client.get("/apply")
    client.post("/apply", data=answers(app), content_type="multipart/form-data")  # never sent from Check your answers
    clock.advance(days=6)
    runner.invoke(args=["purge"])
    with app.app_context():
        assert db.session.query(ApplicationDraft).count() == 1
    assert "Siobhán" in client.get("/apply/check").get_data(as_text=True)

    clock.advance(days=1, minutes=1)
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 unfinished application form(s)" in result.output
    with app.app_context():
        assert db.session.query(ApplicationDraft).count() == 0
    assert "Siobhán" not in client.get("/apply/check", follow_redirects=True).get_data(as_text=True)


def mark_sent(app) -> None:
    with app.app_context():
        for email in db.session.scalars(select(OutboxEmail)):
            email.sent_at = email.created_at
        db.session.commit()


def test_sent_emails_lose_their_text_after_30_days(app, apply, runner, clock):
    apply(email="first@example.org")
    mark_sent(app)
    clock.advance(days=2)
    apply(email="second@example.org")
    mark_sent(app)
    clock.advance(days=29)
    result = runner.invoke(args=["purge"])
    assert "Removed the text of 1 email(s)" in result.output
    first, second = outbox(app)
    assert first.body == "" and first.to_address == "first@example.org" and first.subject.startswith("Application received")
    assert "Dear Siobhán" in second.body


def test_private_links_stop_working_30_days_after_the_deadline_or_the_last_link_sent(app, apply, client, runner, clock):
    apply(email="first@example.org")
    apply(email="second@example.org")
    first, second = (link_from(email) for email in outbox(app))
    clock.now = DEADLINE + timedelta(days=20)
    with app.test_request_context():
        from app.applications.service import resend_link

        resend_link(db.session.scalars(select(Application).filter_by(email_key="second@example.org")).one())
        db.session.commit()
    second = link_from(outbox(app)[-1])

    clock.now = DEADLINE + timedelta(days=29)
    runner.invoke(args=["purge"])
    assert client.get(first).status_code == 200

    clock.now = DEADLINE + timedelta(days=30, minutes=1)
    result = runner.invoke(args=["purge"])
    assert "Stopped 1 private link(s)" in result.output
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200, "sent 20 days after the deadline: works for 30 days from then"

    clock.now = DEADLINE + timedelta(days=51)
    runner.invoke(args=["purge"])
    assert client.get(second).status_code == 404
    with app.app_context():
        assert {a.status for a in db.session.scalars(select(Application))} == {ApplicationStatus.SUBMITTED}


def test_an_erased_application_is_purged_with_the_rest_a_year_after_the_deadline(app, client, runner, clock):
    apply_with_note(client, app)
    reference = reference_of(app, "siobhan@example.org")
    assert runner.invoke(args=["erase", reference, "--yes"]).exit_code == 0
    clock.now = A_YEAR_AFTER
    result = runner.invoke(args=["purge"])
    assert "Deleted 1 application(s)" in result.output
    with app.app_context():
        assert db.session.query(Application).count() == 0
        assert [(row.sector, row.status, row.count) for row in db.session.scalars(select(PurgedApplicationCount))] \
            == [("public", "withdrawn", 1)]
