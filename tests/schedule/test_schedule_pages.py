"""The organiser's schedule pages, through the test client: plan a confirmed set, change it, download it."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from markupsafe import escape
from sqlalchemy import select

from app.extensions import db
from app.models import FeeAccount, LearningSet, SessionKind
from tests.factories import confirm_sets, set_ids
from tests.schedule.ics_parse import parse
from tests.schedule.sched_helpers import (
    EXPECTED,
    edit,
    events,
    members,
    plan,
    presenters_of,
    rows,
    session_id,
)

@pytest.mark.parametrize("path", ["/manage/schedule/", "/manage/schedule/sets/1", "/manage/schedule/sets/1/plan",
                                  "/manage/schedule/sets/1.ics", "/manage/schedule/schedule.xlsx",
                                  "/manage/schedule/sets/1/sessions/1"])
def test_only_organisers_reach_the_schedule(client, auth, path):
    assert client.get(path).headers["Location"].startswith("/staff/login")
    auth.login("finance")
    assert client.get(path).status_code == 403


def test_the_list_shows_every_confirmed_set_with_its_place_and_time(client, organiser, app, confirmed_sets):
    page = client.get("/manage/schedule/").get_data(as_text=True)
    with app.app_context():
        for set_id in confirmed_sets:
            learning_set = db.session.get(LearningSet, set_id)
            assert learning_set.name in page and learning_set.slot_label in page
    assert page.count("Not scheduled") == len(confirmed_sets)
    assert f"/manage/schedule/sets/{confirmed_sets[0]}/plan" in page


def test_preview_shows_the_dates_and_saves_nothing(client, organiser, app, confirmed_sets):
    set_id = confirmed_sets[0]
    form = client.get(f"/manage/schedule/sets/{set_id}/plan").get_data(as_text=True)
    assert 'name="winter_start" type="text" value="20"' in form  # the default break is filled in
    page = plan(client, set_id, "preview").get_data(as_text=True)
    assert "Check the dates" in page
    for day in EXPECTED:
        assert day in page
    assert "Tuesday 23 February 2027" in page  # the training, between sessions 3 and 4
    assert "Formal mid-point review" in page and "Formal evaluation" in page
    assert rows(app, set_id) == []


def test_planning_a_set_saves_six_sessions_training_rota_and_keeps_the_fees_due_date(client, app, planned):
    saved = rows(app, planned)
    sessions = [r for r in saved if r.kind is SessionKind.SESSION]
    [training] = [r for r in saved if r.kind is SessionKind.TRAINING]
    assert [r.on for r in sessions] == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9),
                                        date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11)]
    assert sessions[2].on < training.on < sessions[3].on
    assert {r.venue for r in saved} == {"Newcastle City Centre"}
    assert all(r.presenters for r in sessions)
    presenting = {p.application.reference for r in sessions for p in r.presenters}
    assert presenting == set(members(app, planned))
    with app.app_context():
        dues = {a.due_date for a in db.session.scalars(select(FeeAccount).where(FeeAccount.set_id == planned))}
    assert dues == {date(2026, 11, 30)}  # four weeks after the offer, before the first session anyway
    [event] = events(app, "schedule.planned")
    assert event.actor == "organiser@example.org"
    assert event.after["sessions"]["1"]["on"] == "2026-12-08"
    page = client.get(f"/manage/schedule/sets/{planned}").get_data(as_text=True)
    assert "schedule is saved: six sessions from Tuesday 8 December 2026" in page and "&lt;p" not in page
    for day in EXPECTED:
        assert day in page
    assert "09:30 to 12:30" in page and "Facilitation training" in page
    assert "Planned, not published" in client.get("/manage/schedule/").get_data(as_text=True)


@pytest.mark.parametrize("day,message", [
    (["31", "2", "2027"], "First session must be a real date"),
    (["10", "", "2026"], "First session must include a month"),
    (["", "", ""], "Enter the date of the first session"),
    (["10", "11", "26"], "First session must be a real date"),
])
def test_a_wrong_first_date_is_explained(client, organiser, app, confirmed_sets, day, message):
    response = plan(client, confirmed_sets[0], first_date=day)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert 'href="#first_date-day"' in page
    assert page.count(message) >= 2  # in the summary and by the field
    assert rows(app, confirmed_sets[0]) == []


def test_an_interval_too_long_for_eight_months_is_refused_with_a_suggestion(client, organiser, app, confirmed_sets):
    page = plan(client, confirmed_sets[0], interval="weeks", weeks="8").get_data(as_text=True)
    assert "do not fit in eight months" in page
    assert "for example monthly" in page
    assert rows(app, confirmed_sets[0]) == []


def test_every_n_weeks_through_the_form(client, organiser, app, confirmed_sets):
    assert plan(client, confirmed_sets[0], interval="weeks", weeks="3").status_code == 302
    sessions = [r.on for r in rows(app, confirmed_sets[0]) if r.kind is SessionKind.SESSION]
    assert sessions[1] == date(2027, 1, 5)  # 29 December is in the winter break
    assert "Number of weeks must be a whole number" in plan(
        client, confirmed_sets[0], interval="weeks", weeks="x").get_data(as_text=True)


def test_moving_a_session_is_saved_and_recorded(client, app, planned):
    sid = session_id(app, planned, 2)
    response = edit(client, planned, sid, date(2027, 1, 19), presenters_of(app, planned, 2))
    assert response.status_code == 302
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 1, 19)
    [event] = events(app, "schedule.session_moved")
    assert event.before == {"on": "2027-01-12"} and event.after == {"on": "2027-01-19"}
    assert "Tuesday 19 January 2027" in client.get(f"/manage/schedule/sets/{planned}").get_data(as_text=True)


def test_moving_a_session_out_of_order_is_refused(client, app, planned):
    sid = session_id(app, planned, 2)
    page = edit(client, planned, sid, date(2027, 2, 16), presenters_of(app, planned, 2)).get_data(as_text=True)
    assert "Session 2 must come before session 3 on Tuesday 9 February 2027" in page
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 1, 12)
    assert events(app, "schedule.session_moved") == []


def test_moving_onto_a_bank_holiday_warns_first_and_saves_when_confirmed(client, app, planned):
    sid = session_id(app, planned, 2)
    presenters = presenters_of(app, planned, 2)
    page = edit(client, planned, sid, date(2026, 12, 25), presenters).get_data(as_text=True)
    assert "bank holiday (Christmas Day)" in page and "Save anyway" in page
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 1, 12)
    confirmed = re.search(r'name="confirmed" type="hidden" value="([^"]+)"', page).group(1)
    assert edit(client, planned, sid, date(2026, 12, 25), presenters, confirmed).status_code == 302
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2026, 12, 25)


def test_an_early_first_session_brings_the_fees_due_date_forward_but_never_before_the_offer(
        client, app, clock, organiser):
    # Sets confirmed after the deadline: fees would fall due four weeks later, on 7 January.
    clock.now = datetime(2026, 12, 10, 10, 0, tzinfo=clock.now.tzinfo)
    with app.app_context():
        confirm_sets(60, 3)
        set_id = set_ids()[0]
    assert plan(client, set_id, first_date=["15", "12", "2026"]).status_code == 302
    with app.app_context():
        dues = {a.due_date for a in db.session.scalars(select(FeeAccount).where(FeeAccount.set_id == set_id))}
    assert dues == {date(2026, 12, 14)}  # the day before the first session
    # Moving the first session to the day after the offers: due that day, never before the offer.
    sid = session_id(app, set_id, 1)
    page = edit(client, set_id, sid, date(2026, 12, 11), presenters_of(app, set_id, 1)).get_data(as_text=True)
    confirmed = re.search(r'name="confirmed" type="hidden" value="([^"]+)"', page).group(1)  # not a Tuesday
    assert edit(client, set_id, sid, date(2026, 12, 11), presenters_of(app, set_id, 1), confirmed).status_code == 302
    with app.app_context():
        dues = {a.due_date for a in db.session.scalars(select(FeeAccount).where(FeeAccount.set_id == set_id))}
    assert dues == {date(2026, 12, 10)}


def test_editing_presenters(client, app, planned):
    people = members(app, planned)
    number = 3
    before = presenters_of(app, planned, number)
    others = sorted(set(people) - set(before))
    on = next(r.on for r in rows(app, planned) if r.kind is SessionKind.SESSION and r.number == number)
    sid = session_id(app, planned, number)
    # Adding someone who presents elsewhere anyway: saved at once.
    assert edit(client, planned, sid, on, before + others[:1]).status_code == 302
    assert presenters_of(app, planned, number) == sorted(before + others[:1])
    [event] = events(app, "schedule.presenters_changed")
    assert event.before == {"presenters": before} and event.after == {"presenters": sorted(before + others[:1])}
    # Nobody: refused.
    page = edit(client, planned, sid, on, []).get_data(as_text=True)
    assert "Select at least one presenter" in page
    assert presenters_of(app, planned, number) == sorted(before + others[:1])
    # Taking away someone's only turn: a warning naming them, then saved when confirmed.
    page = edit(client, planned, sid, on, others[:1]).get_data(as_text=True)
    for reference in before:
        assert f"{escape(people[reference])} would then never present" in page
    confirmed = re.search(r'name="confirmed" type="hidden" value="([^"]+)"', page).group(1)
    assert edit(client, planned, sid, on, others[:1], confirmed).status_code == 302
    assert presenters_of(app, planned, number) == others[:1]
    page = client.get(f"/manage/schedule/sets/{planned}").get_data(as_text=True)
    assert "present at any session yet" in page and all(str(escape(people[r])) in page for r in before)


def test_the_calendar_file_downloads_and_reads_back(client, app, planned):
    response = client.get(f"/manage/schedule/sets/{planned}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    calendar = parse(response.get_data(as_text=True))
    vevents = calendar.all("VEVENT")
    assert len(vevents) == 7
    starts = sorted(e.get("DTSTART") for e in vevents)
    assert starts[0] == "20261208T093000" and starts[-1] == "20270511T093000"
    summaries = {e.get("SUMMARY") for e in vevents}
    with app.app_context():
        name = db.session.get(LearningSet, planned).name
    assert f"{name}: session 3 of 6" in summaries and f"{name}: facilitation training" in summaries
    assert all(e.get("LOCATION") == "Newcastle City Centre" for e in vevents)
    assert any("Presenting: " in e.get("DESCRIPTION") for e in vevents)


def test_a_set_without_dates_has_no_calendar_yet(client, organiser, confirmed_sets):
    assert client.get(f"/manage/schedule/sets/{confirmed_sets[0]}.ics").status_code == 404


def test_the_schedule_spreadsheet_opens_with_real_dates(client, app, planned):
    response = client.get("/manage/schedule/schedule.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Schedule"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[:2] == ["Set", "Session"])
    body = [row for row in values[header + 1:] if row[0]]
    with app.app_context():
        name = db.session.get(LearningSet, planned).name
    mine = [row for row in body if row[0] == name]
    labels = [row[1] for row in mine]
    assert labels == ["Session 1", "Session 2", "Session 3", "Mid-point review", "Facilitation training",
                      "Session 4", "Session 5", "Session 6", "Final evaluation"]
    assert isinstance(mine[0][2], datetime) and mine[0][2].date() == date(2026, 12, 8)
    assert mine[0][5] == "Newcastle City Centre" and mine[0][6]
    assert mine[2][7] == "Formal mid-point review at the end of the session"


def test_the_training_can_move_but_not_outside_the_sessions(client, app, planned):
    sid = session_id(app, planned, 1, SessionKind.TRAINING)
    page = edit(client, planned, sid, date(2026, 12, 1), []).get_data(as_text=True)
    assert "The training must be between the first session" in page
    page = edit(client, planned, sid, date(2027, 3, 16), []).get_data(as_text=True)
    assert "no longer be at the halfway point" in page
    assert edit(client, planned, sid, date(2027, 2, 16), []).status_code == 302
    assert next(r.on for r in rows(app, planned) if r.id == sid) == date(2027, 2, 16)


def test_every_change_shows_in_the_history(client, app, planned):
    edit(client, planned, session_id(app, planned, 2), date(2027, 1, 19), presenters_of(app, planned, 2))
    page = client.get(f"/manage/schedule/sets/{planned}/history").get_data(as_text=True)
    assert "Session moved" in page and "Planned" in page
    assert "Tuesday 19 January 2027" in page  # the new date, in words
