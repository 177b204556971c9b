"""The deadline is the server's: before opening, one second either side, late forms, the clock change."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.extensions import db
from app.models import Programme
from tests.helpers import answers, applications, outbox


def set_dates(app, deadline: datetime, opens_at: datetime | None = None) -> None:
    with app.app_context():
        programme = db.session.query(Programme).one()
        programme.deadline = deadline
        programme.opens_at = opens_at
        db.session.commit()


def test_before_opening_the_start_page_says_when_applications_open(client, app, clock):
    set_dates(app, clock.now + timedelta(days=30), opens_at=clock.now + timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert "Applications open at 10am on Wednesday 4 November 2026 (UK time, GMT)" in page
    assert 'href="/apply"' not in page
    assert "Applications are not open yet" in client.get("/apply").get_data(as_text=True)


def test_one_second_before_the_deadline_the_application_is_on_time(client, app, clock):
    deadline = clock.now + timedelta(hours=1)
    set_dates(app, deadline)
    client.get("/apply")
    client.post("/apply", data=answers(app), content_type="multipart/form-data")
    clock.now = deadline - timedelta(seconds=1)
    page = client.post("/apply/check", follow_redirects=True).get_data(as_text=True)
    assert "Application submitted" in page and "after the deadline" not in page
    [application] = applications(app)
    assert application.status.value == "submitted" and not application.late


def test_a_form_opened_in_time_but_sent_one_second_late_is_kept_and_marked_late(client, app, clock):
    deadline = clock.now + timedelta(hours=1)
    set_dates(app, deadline)
    client.get("/apply")  # opened in time
    client.post("/apply", data=answers(app), content_type="multipart/form-data")
    clock.now = deadline  # the deadline itself is too late
    page = client.post("/apply/check", follow_redirects=True).get_data(as_text=True)
    assert "Application submitted" in page
    assert "arrived after the deadline" in page
    [application] = applications(app)
    assert application.late and application.status.value == "late"
    assert "after the deadline" in outbox(app)[0].body


def test_after_the_deadline_a_new_visitor_finds_the_form_closed(client, app, clock):
    deadline = clock.now - timedelta(seconds=1)
    set_dates(app, deadline)
    page = client.get("/apply").get_data(as_text=True)
    assert "Applications have closed" in page
    response = client.post("/apply", data=answers(app), content_type="multipart/form-data")
    assert "Applications have closed" in response.get_data(as_text=True)
    assert "Applications closed at" in client.get("/").get_data(as_text=True)
    assert applications(app) == []


def test_deadline_across_the_clock_change_is_shown_in_uk_time_and_enforced_in_utc(client, app, clock):
    # Clocks go back at 02:00 BST on Sunday 25 October 2026; a deadline of 1:30am GMT that night
    # comes after the 1:30am BST that happened an hour earlier.
    deadline = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    clock.now = datetime(2026, 10, 25, 0, 29, 59, tzinfo=timezone.utc)  # 1:29:59am BST
    set_dates(app, deadline)
    assert "1:30am on Sunday 25 October 2026 (UK time, GMT)" in client.get("/").get_data(as_text=True)
    client.get("/apply")
    client.post("/apply", data=answers(app), content_type="multipart/form-data")
    clock.now = datetime(2026, 10, 25, 1, 29, 59, tzinfo=timezone.utc)  # 1:29:59am GMT, second time round
    client.post("/apply/check")
    [application] = applications(app)
    assert not application.late
    clock.now = deadline + timedelta(seconds=1)
    fresh = app.test_client()
    assert "Applications have closed" in fresh.get("/apply").get_data(as_text=True)


def test_summer_deadline_is_shown_in_british_summer_time(client, app):
    set_dates(app, datetime(2027, 6, 4, 16, 0, tzinfo=timezone.utc))
    assert "5pm on Friday 4 June 2027 (UK time, BST)" in client.get("/").get_data(as_text=True)
