"""The facilitator's pages, through the test client: their own sets only, recording a session and
its actions, reviewing them at the next session, and re-planning from what session 1 agreed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from markupsafe import escape

from app.extensions import db
from app.models import Application, Attendance, LearningSet
from app.running import service
from tests.helpers import outbox
from tests.running.conftest import Running

# Evenings of session days (UTC is UK time in winter): the session has happened.
AFTER_SESSION_1 = datetime(2026, 12, 8, 18, 0, tzinfo=timezone.utc)
AFTER_SESSION_2 = datetime(2027, 1, 12, 18, 0, tzinfo=timezone.utc)
AFTER_SESSION_3 = datetime(2027, 2, 9, 18, 0, tzinfo=timezone.utc)
MONTHLY = [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13),
           date(2027, 5, 11)]


@dataclass
class Member:
    id: int
    name: str
    email: str
    phone: str | None
    job_title: str
    organisation: str


@dataclass
class SetFacts:
    name: str
    members: list[Member]
    sessions: list[int]          # session ids, sessions 1 to 6
    rota: dict[int, list[int]]   # session number -> application ids presenting


def facts(app, set_id: int) -> SetFacts:
    with app.app_context():
        learning_set = db.session.get(LearningSet, set_id)
        sessions = service.sessions_of(learning_set)
        return SetFacts(
            name=learning_set.name,
            members=[Member(a.id, a.full_name, a.email, a.phone, a.job_title, a.organisation)
                     for a in service.members_of(learning_set)],
            sessions=[s.id for s in sessions],
            rota={s.number: sorted(p.application_id for p in s.presenters) for s in sessions},
        )


def dates(app, set_id: int) -> list[date]:
    with app.app_context():
        return [s.on for s in service.sessions_of(db.session.get(LearningSet, set_id))]


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def facilitator(auth, running: Running) -> Running:
    auth.login("facilitator", email=running.facilitator)
    return running


def record_data(mine: SetFacts, presented: list[int], absent: tuple[int, ...] = (), **first) -> dict:
    data = {f"attendance_{m.id}": "absent" if m.id in absent else "present" for m in mine.members}
    return {**data, "presented": [str(a_id) for a_id in presented], **first}


def record_first_session(client, app, clock, running: Running, interval: str = "monthly", weeks: str = "") -> SetFacts:
    """Session 1 recorded (one member absent), and two actions for its first presenter."""
    clock.now = AFTER_SESSION_1
    mine = facts(app, running.set_id)
    presenter = mine.rota[1][0]
    absent = next(m.id for m in mine.members if m.id not in mine.rota[1])
    response = client.post(f"/facilitate/sessions/{mine.sessions[0]}/record", data=record_data(
        mine, [presenter], absent=(absent,), ground_rules="Phones away.\nWhat is said here stays here.",
        issues="Leading through budget cuts", interval=interval, weeks=weeks))
    assert response.status_code == 302, text(response)
    for what in ("Ask the board for a day a month to think", "Talk to two peers in the voluntary sector"):
        response = client.post(f"/facilitate/sessions/{mine.sessions[0]}/actions",
                               data={"presenter": str(presenter), "what": what, "due_on": ["5", "1", "2027"]})
        assert response.status_code == 302, text(response)
    return mine


# --- who sees what ------------------------------------------------------------------------------


def test_a_facilitator_signs_in_at_the_staff_page_and_lands_on_their_sets(client, auth, running):
    response = auth.login("facilitator", email=running.facilitator)
    assert response.headers["Location"] == "/facilitate/"
    page = text(client.get("/facilitate/"))
    assert "Your sets" in page and "Fees" not in page


def test_a_facilitator_sees_only_their_own_sets(client, app, facilitator):
    mine, other = facts(app, facilitator.set_id), facts(app, facilitator.other_set_id)
    home = client.get("/facilitate/")
    assert home.headers["Cache-Control"] == "no-store"
    page = text(home)
    assert mine.name in page and other.name not in page
    assert "Next: session 1, Tuesday 8 December 2026" in page
    assert client.get(f"/facilitate/sets/{facilitator.set_id}").status_code == 200
    # Another facilitator's set does not exist, as far as this one can tell.
    for path in (f"/facilitate/sets/{facilitator.other_set_id}", f"/facilitate/sets/{facilitator.other_set_id}/replan",
                 f"/facilitate/sessions/{other.sessions[0]}/record", f"/facilitate/sessions/{other.sessions[0]}/actions",
                 f"/facilitate/sessions/{other.sessions[1]}/review"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/facilitate/sessions/{other.sessions[0]}/record", data={}).status_code == 404


@pytest.mark.parametrize("role", ["organiser", "finance"])
def test_organisers_and_finance_officers_are_refused(client, auth, app, running, role):
    mine = facts(app, running.set_id)
    paths = ["/facilitate/", f"/facilitate/sets/{running.set_id}", f"/facilitate/sets/{running.set_id}/replan",
             f"/facilitate/sessions/{mine.sessions[0]}/record", f"/facilitate/sessions/{mine.sessions[0]}/actions",
             f"/facilitate/sessions/{mine.sessions[1]}/review"]
    assert client.get(paths[0]).headers["Location"].startswith("/staff/login")
    auth.login(role)
    for path in paths:
        assert client.get(path).status_code == 403, path


def test_the_set_page_has_contact_details_dates_and_the_rota_with_titles(client, app, clock, facilitator):
    mine = facts(app, facilitator.set_id)
    presenter = mine.rota[2][0]
    with app.app_context():
        learning_set = db.session.get(LearningSet, facilitator.set_id)
        session_2 = service.sessions_of(learning_set)[1]
        service.set_issue_title(session_2, db.session.get(Application, presenter),
                                "Merging two teams", today=date(2026, 11, 2))
        db.session.commit()
    page = text(client.get(f"/facilitate/sets/{facilitator.set_id}"))
    for member in mine.members:
        for detail in (member.name, member.email, member.job_title, member.organisation):
            assert str(escape(detail)) in page
        if member.phone:
            assert str(escape(member.phone)) in page
    assert "09:30 to 12:30 at Newcastle City Centre" in page
    for day in ("Tuesday 8 December 2026", "Tuesday 12 January 2027", "Tuesday 11 May 2027",
                "Tuesday 23 February 2027"):  # the last: the training
        assert day in page
    assert "Formal mid-point review" in page and "Formal evaluation" in page
    name = next(m.name for m in mine.members if m.id == presenter)
    assert f"{escape(name)} (“Merging two teams”)" in page
    assert "Record session" not in page  # nothing to record before the first session


# --- recording a session ------------------------------------------------------------------------


def test_recording_before_the_session_is_refused_with_the_reason(client, app, facilitator):
    mine = facts(app, facilitator.set_id)
    path = f"/facilitate/sessions/{mine.sessions[0]}/record"
    assert "you can record it on or after that day" in text(client.get(path))
    response = client.post(path, data=record_data(mine, mine.rota[1], interval="monthly"))
    assert response.status_code == 200
    assert "Session 1 has not happened yet: record it on or after its date" in text(response)
    with app.app_context():
        assert service.record_of(service.sessions_of(db.session.get(LearningSet, facilitator.set_id))[0]) is None


def test_the_record_form_names_who_is_missing_and_who_presented_but_was_not_there(client, app, clock, facilitator):
    clock.now = AFTER_SESSION_1
    mine = facts(app, facilitator.set_id)
    presenter = mine.rota[1][0]
    data = record_data(mine, [presenter], absent=(presenter,), interval="weeks", weeks="30")
    forgotten = mine.members[-1] if mine.members[-1].id != presenter else mine.members[0]
    del data[f"attendance_{forgotten.id}"]
    page = text(client.post(f"/facilitate/sessions/{mine.sessions[0]}/record", data=data))
    name = next(m.name for m in mine.members if m.id == presenter)
    assert f"Select whether {escape(forgotten.name)} was present, sent apologies or was absent" in page
    assert f"{escape(name)} presented, so mark them present" in page
    assert "Number of weeks must be a whole number from 1 to 26" in page
    assert "<title>Error: " in page


def test_the_form_starts_with_the_rota_presenters_ticked(client, app, clock, facilitator):
    clock.now = AFTER_SESSION_1
    mine = facts(app, facilitator.set_id)
    page = text(client.get(f"/facilitate/sessions/{mine.sessions[0]}/record"))
    for member in mine.members:
        ticked = f'value="{member.id}" checked' in page
        assert ticked == (member.id in mine.rota[1]), member.name
    assert "Ground rules the set agreed" in page


def test_session_one_is_recorded_with_attendance_presenters_agreements_and_two_actions(client, app, clock,
                                                                                         facilitator):
    mine = record_first_session(client, app, clock, facilitator)
    presenter = mine.rota[1][0]
    with app.app_context():
        session_1 = service.sessions_of(db.session.get(LearningSet, facilitator.set_id))[0]
        marks = service.attendance_of(session_1)
        assert len(marks) == len(mine.members)
        assert sum(1 for m in marks.values() if m is Attendance.ABSENT) == 1
        assert {p.application_id for p in session_1.presenters if p.presented} == {presenter}
    page = text(client.get(f"/facilitate/sets/{facilitator.set_id}"))
    assert "Session 1 (recorded)" in page
    assert "Phones away.<br>What is said here stays here." in page and "Leading through budget cuts" in page
    assert "Ask the board for a day a month to think" in page and "by Tuesday 5 January 2027" in page
    assert "Talk to two peers in the voluntary sector" in page
    assert "Re-plan the remaining dates" not in page  # they agreed the planned interval
    actions = text(client.get(f"/facilitate/sessions/{mine.sessions[0]}/actions"))
    assert actions.count("<li><strong>") == 2


def test_a_record_can_be_corrected_and_an_unanswered_question_shows_no_old_answer(client, app, clock, facilitator):
    mine = record_first_session(client, app, clock, facilitator)
    path = f"/facilitate/sessions/{mine.sessions[0]}/record"
    form = text(client.get(path))
    assert "Change the record of session 1" in form and "Leading through budget cuts" in form
    first = mine.members[0]
    assert f'name="attendance_{first.id}" type="radio" value="present" checked' in form
    data = record_data(mine, mine.rota[1], interval="monthly")
    del data[f"attendance_{first.id}"]
    page = text(client.post(path, data=data))
    assert f"Select whether {escape(first.name)} was present" in page
    assert f'name="attendance_{first.id}" type="radio" value="present" checked' not in page
    response = client.post(path, data=record_data(mine, mine.rota[1], interval="monthly"))
    assert "Session 1 record corrected" in text(client.get(response.headers["Location"]))
    with app.app_context():
        session_1 = service.sessions_of(db.session.get(LearningSet, facilitator.set_id))[0]
        assert set(service.attendance_of(session_1).values()) == {Attendance.PRESENT}


def test_an_action_needs_words_within_the_limit_and_a_presenter(client, app, clock, facilitator):
    clock.now = AFTER_SESSION_1
    mine = facts(app, facilitator.set_id)
    path = f"/facilitate/sessions/{mine.sessions[0]}/actions"
    assert f"maxlength=\"{service.ACTION_LIMIT}\"" in text(client.get(path))
    page = text(client.post(path, data={"what": "x" * (service.ACTION_LIMIT + 1)}))
    assert "Select whose action this is" in page
    assert f"The action must be {service.ACTION_LIMIT} characters or fewer" in page
    page = text(client.post(path, data={"presenter": str(mine.rota[1][0]), "what": "Call the bank",
                                        "due_on": ["1", "12", "2026"]}))
    assert "The date for an action must be on or after the session" in page


# --- reviewing actions ----------------------------------------------------------------------------


def test_actions_are_reviewed_at_session_two_and_a_partly_done_one_comes_back_at_session_three(client, app, clock,
                                                                                                facilitator):
    mine = record_first_session(client, app, clock, facilitator)
    clock.now = AFTER_SESSION_2
    page = text(client.get(f"/facilitate/sets/{facilitator.set_id}"))
    assert "Record session 2" in page and "Review 2 open actions" in page
    with app.app_context():
        first, second = service.to_review_at(service.sessions_of(db.session.get(LearningSet, facilitator.set_id))[1])
        done, partly = first.id, second.id
    assert f"maxlength=\"{service.LEARNING_LIMIT}\"" in text(client.get(f"/facilitate/sessions/{mine.sessions[1]}/review"))
    response = client.post(f"/facilitate/sessions/{mine.sessions[1]}/review", data={
        f"outcome_{done}": "done", f"learning_{done}": "A day out of the office pays for itself",
        f"outcome_{partly}": "partly", f"learning_{partly}": "One peer so far"})
    assert response.status_code == 302, text(response)
    page = text(client.get(response.headers["Location"]))
    assert "2 actions reviewed at session 2: 1 carries to session 3" in page
    assert "Review 2 open actions" not in page
    assert "A day out of the office pays for itself" in page  # in the finished actions' history

    clock.now = AFTER_SESSION_3
    page = text(client.get(f"/facilitate/sets/{facilitator.set_id}"))
    assert "Review 1 open action" in page
    review_3 = text(client.get(f"/facilitate/sessions/{mine.sessions[2]}/review"))
    assert "Talk to two peers in the voluntary sector" in review_3
    assert "Session 2: partly done (learning: One peer so far)" in review_3
    assert "Ask the board for a day a month to think" not in review_3


def test_a_review_needs_an_outcome(client, app, clock, facilitator):
    mine = record_first_session(client, app, clock, facilitator)
    clock.now = AFTER_SESSION_2
    with app.app_context():
        action = service.to_review_at(service.sessions_of(db.session.get(LearningSet, facilitator.set_id))[1])[0]
    page = text(client.post(f"/facilitate/sessions/{mine.sessions[1]}/review",
                            data={f"learning_{action.id}": "Something learnt"}))
    assert "Select what happened to" in page and "or clear its learning" in page
    page = text(client.post(f"/facilitate/sessions/{mine.sessions[1]}/review", data={}))
    assert "Select what happened to at least one action" in page


# --- re-planning from session 1 --------------------------------------------------------------------


def test_the_agreed_interval_re_plans_sessions_two_to_six_after_a_preview(client, app, clock, facilitator):
    mine = record_first_session(client, app, clock, facilitator, interval="weeks", weeks="4")
    page = text(client.get(f"/facilitate/sets/{facilitator.set_id}"))
    assert "Re-plan the remaining dates" in page
    emails_before = len(outbox(app))

    preview = text(client.get(f"/facilitate/sets/{facilitator.set_id}/replan"))
    assert "agreed to meet every 4 weeks" in preview
    assert "Tuesday 12 January 2027 <span aria-hidden=\"true\">→</span>" in preview
    assert "Tuesday 5 January 2027" in preview  # four weeks after 8 December
    assert "Tuesday 8 December 2026 (no change)" in preview
    assert dates(app, facilitator.set_id) == MONTHLY  # a preview saves nothing

    response = client.post(f"/facilitate/sets/{facilitator.set_id}/replan")
    assert response.status_code == 302, text(response)
    new = dates(app, facilitator.set_id)
    assert new[0] == MONTHLY[0]
    assert new[1:] == [date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2), date(2027, 3, 30), date(2027, 4, 27)]
    emails = [e for e in outbox(app)[emails_before:] if e.template == "schedule_changed"]
    assert sorted(e.to_address for e in emails) == sorted(m.email for m in mine.members)
    assert "Session 2: Tuesday 12 January 2027, 09:30 to 12:30 → Tuesday 5 January 2027" in emails[0].body
    page = text(client.get(response.headers["Location"]))
    assert "every member has been emailed the new dates" in page
    assert "Re-plan the remaining dates" not in page


def test_a_plan_that_breaks_the_rules_is_shown_with_its_problems_and_cannot_be_saved(client, app, clock,
                                                                                      facilitator):
    record_first_session(client, app, clock, facilitator, interval="weeks", weeks="10")
    preview = client.get(f"/facilitate/sets/{facilitator.set_id}/replan")
    page = text(preview)
    assert "The six sessions do not fit in eight months" in page and "govuk-error-summary" in page
    assert "Save the new dates" not in page
    client.post(f"/facilitate/sets/{facilitator.set_id}/replan")
    assert dates(app, facilitator.set_id) == MONTHLY
