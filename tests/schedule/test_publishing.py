"""Publishing a set's dates: members are emailed once with a calendar file, never before publishing,
and once again for each change of a date or time afterwards."""
from __future__ import annotations

from datetime import date

from markupsafe import escape

from app.extensions import db
from app.models import LearningSet
from tests.schedule.ics_parse import parse
from tests.schedule.sched_helpers import (
    EXPECTED,
    edit,
    events,
    member_emails,
    members,
    outbox,
    plan,
    presenters_of,
    session_id,
)


def publish(client, set_id: int):
    return client.post(f"/manage/schedule/sets/{set_id}/publish", data={"submit": "y"})


def test_planned_dates_are_a_draft_and_nobody_is_emailed(client, app, planned):
    page = client.get(f"/manage/schedule/sets/{planned}").get_data(as_text=True)
    assert "These dates are a draft: members have not been sent them" in page
    assert "Publish the dates and email the members" in page
    edit(client, planned, session_id(app, planned, 2), date(2027, 1, 19), presenters_of(app, planned, 2))
    plan(client, planned, first_date=["15", "12", "2026"])
    assert outbox(app, "schedule_published") == [] and outbox(app, "schedule_changed") == []


def test_publishing_emails_every_member_once_with_the_dates_and_a_calendar(client, app, planned):
    response = publish(client, planned)
    assert response.status_code == 302
    emails = outbox(app, "schedule_published")
    assert sorted(e.to_address for e in emails) == member_emails(app, planned)
    with app.app_context():
        name = db.session.get(LearningSet, planned).name
    people = members(app, planned)
    for email in emails:
        assert email.subject.startswith(f"Your dates for {name}")
        for day in EXPECTED:
            assert f"{day}, 09:30 to 12:30, at Newcastle City Centre" in email.body
        assert "Facilitation training: Tuesday 23 February 2027" in email.body
        assert "Presenting: " in email.body
        assert "https://als.example.org/" in email.body  # the person's private link
        assert email.attachment_type == "text/calendar" and email.attachment_name.endswith(".ics")
        calendar = parse(email.attachment_text)
        assert len(calendar.all("VEVENT")) == 7
        assert min(e.get("DTSTART") for e in calendar.all("VEVENT")) == "20261208T093000"
    # Who presents when: every member is named in the email.
    assert all(name in emails[0].body for name in people.values())
    [event] = events(app, "schedule.published")
    assert event.actor == "organiser@example.org" and event.after == {"members_emailed": len(people)}
    page = client.get(f"/manage/schedule/sets/{planned}").get_data(as_text=True)
    assert f"{escape(name)}&#39;s dates are published: {len(people)} members emailed" in page
    assert "Published at" in page and "Publish the dates and email the members" not in page
    # Publishing again sends nothing more.
    publish(client, planned)
    assert len(outbox(app, "schedule_published")) == len(people)


def test_a_change_after_publishing_emails_every_member_once_with_the_new_calendar(client, app, planned):
    publish(client, planned)
    sid = session_id(app, planned, 2)
    # Only the presenters change: not a change of date or time, so no email.
    presenters = presenters_of(app, planned, 2)
    others = sorted(set(members(app, planned)) - set(presenters))
    assert edit(client, planned, sid, date(2027, 1, 12), presenters + others[:1]).status_code == 302
    assert outbox(app, "schedule_changed") == []
    # A new date: one email to each member, saying old → new, with the new calendar.
    assert edit(client, planned, sid, date(2027, 1, 19), presenters).status_code == 302
    emails = outbox(app, "schedule_changed")
    assert sorted(e.to_address for e in emails) == member_emails(app, planned)
    for email in emails:
        assert ("Session 2: Tuesday 12 January 2027, 09:30 to 12:30 → Tuesday 19 January 2027, 09:30 to 12:30"
                in email.body)
        starts = {e.get("DTSTART") for e in parse(email.attachment_text).all("VEVENT")}
        assert "20270119T093000" in starts and "20270112T093000" not in starts
    # Planning again from a new first date is one more change: one more email each, listing every move.
    assert plan(client, planned, first_date=["15", "12", "2026"]).status_code == 302
    emails = outbox(app, "schedule_changed")
    assert len(emails) == 2 * len(member_emails(app, planned))
    latest = emails[-1]
    assert "Session 1: Tuesday 8 December 2026, 09:30 to 12:30 → Tuesday 15 December 2026, 09:30 to 12:30" in latest.body
    assert "Facilitation training:" in latest.body


def test_publish_all_planned_sets_from_the_schedule_list(client, app, organiser, confirmed_sets):
    first, second = confirmed_sets[:2]
    assert plan(client, first).status_code == 302
    assert plan(client, second, first_date=["9", "12", "2026"]).status_code == 302
    page = client.get("/manage/schedule/").get_data(as_text=True)
    assert "Publish all planned sets" in page and page.count("Planned, not published") == 2
    assert "2 planned sets have dates members have not been sent yet" in page
    response = client.post("/manage/schedule/publish", data={"submit": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    expected = member_emails(app, first) + member_emails(app, second)
    assert f"Dates published for 2 sets: {len(expected)} members emailed" in page
    assert sorted(e.to_address for e in outbox(app, "schedule_published")) == sorted(expected)
    assert page.count("Published") >= 2 and "Publish all planned sets" not in page
    # Sets without dates were left alone: nothing to publish for them.
    with app.app_context():
        unpublished = [s for s in db.session.query(LearningSet) if s.schedule_published_at is None]
    assert {s.id for s in unpublished} == set(confirmed_sets) - {first, second}


def test_publishing_a_set_without_dates_is_refused(client, app, organiser, confirmed_sets):
    response = publish(client, confirmed_sets[0])
    assert response.headers["Location"].endswith(f"/sets/{confirmed_sets[0]}/plan")
    assert outbox(app, "schedule_published") == []


def test_only_organisers_publish(client, auth, app, confirmed_sets):
    auth.login("finance")
    assert publish(client, confirmed_sets[0]).status_code == 403
    assert client.post("/manage/schedule/publish").status_code == 403


def test_moving_and_changing_presenters_at_once_is_one_email_naming_the_new_presenters(client, app, planned):
    publish(client, planned)
    people = members(app, planned)
    before = presenters_of(app, planned, 2)
    newcomer = sorted(set(people) - set(before))[0]
    chosen = before + [newcomer]
    assert edit(client, planned, session_id(app, planned, 2), date(2027, 1, 19), chosen).status_code == 302
    emails = outbox(app, "schedule_changed")
    assert len(emails) == len(people)
    names = ", ".join(sorted((people[r] for r in chosen), key=str.casefold))
    assert (f"Session 2: Tuesday 19 January 2027, 09:30 to 12:30, at Newcastle City Centre\n  Presenting: {names}"
            in emails[0].body)
