"""Refilling the sets from the waiting list: a decline makes a vacancy, the top waiting-list person who
fits is proposed, and confirming offers them the place (page and `als sets refill`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from app.applications.lifecycle import change_status, decline_place
from app.auth.accounts import create_user
from app.cli import main
from app.extensions import db
from app.models import Application, ApplicationStatus, FeeAccount, LearningSet, Review, Role, SetMember
from app.sets.service import candidate_for
from selection import Rules, check_set
from tests.conftest import START
from tests.factories import confirm_sets
from tests.helpers import outbox


@dataclass
class Vacancy:
    set_name: str
    slot: str
    declined: str
    replacement: str  # reference of the waiting-list person who fits best
    replacement_name: str
    replacement_email: str
    replacement_organisation: str


def _fits(learning_set: LearningSet, application: Application, rules: Rules) -> bool:
    members = [m.application for m in learning_set.members] + [application]
    people = {a.reference: candidate_for(a) for a in members}
    return check_set([a.reference for a in members], learning_set.slot_label, people, rules).ok


@pytest.fixture
def vacancy(app) -> Vacancy:
    """Confirmed sets with a waiting list; one member declines; the waiting-list person who fits that
    set is given the best review score, so they are the one to offer the place to."""
    with app.app_context():
        counts = confirm_sets(60, 3, sets=4)
        assert counts["waiting_list"] > 0
        learning_set = db.session.scalars(select(LearningSet).order_by(LearningSet.id)).first()
        leaving = learning_set.members[0].application
        decline_place(leaving, "A new job", START + timedelta(days=1))
        db.session.flush()
        rules = Rules(min_size=6, max_size=8)
        waiting = db.session.scalars(select(Application).filter_by(status=ApplicationStatus.WAITING_LIST)
                                     .order_by(Application.reference)).all()
        fitting = [a for a in waiting if _fits(learning_set, a, rules)]
        assert fitting, "someone on the waiting list can take the place"
        best = fitting[-1]
        reviewer = create_user("reviewer@example.org", "correct horse battery", Role.ORGANISER, START, by="test")
        db.session.add(Review(application=best, reviewer=reviewer, score=5, created_at=START, updated_at=START))
        db.session.commit()
        return Vacancy(learning_set.name, learning_set.slot_label, leaving.reference, best.reference,
                       best.full_name, best.email, best.organisation)


def _status(app, reference: str) -> ApplicationStatus:
    with app.app_context():
        return db.session.scalars(select(Application).filter_by(reference=reference)).one().status


def _offered_in(app, reference: str, set_name: str) -> None:
    """They have the place: selected, a member of the set, an open fee account and the offer email."""
    with app.app_context():
        application = db.session.scalars(select(Application).filter_by(reference=reference)).one()
        assert application.status is ApplicationStatus.SELECTED
        member = db.session.scalars(select(SetMember).filter_by(application_id=application.id)).one()
        assert member.learning_set.name == set_name
        account = db.session.scalars(select(FeeAccount).filter_by(application_id=application.id)).one()
        assert account.closed_at is None
        email = application.email
    offers = [e for e in outbox(app) if e.to_address == email and e.template == "offer"]
    assert len(offers) == 1 and set_name in offers[0].body


def test_a_decline_makes_a_vacancy_and_confirming_the_proposal_offers_the_place(client, auth, app, vacancy):
    auth.login()
    page = client.get("/manage/selection/").get_data(as_text=True)
    assert "/manage/sets/vacancies" in page

    response = client.get("/manage/sets/vacancies")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "1 set is short of members: 1 place to fill" in page
    assert "1 place free" in page
    assert "on the waiting list" in page

    page = client.get("/manage/sets/vacancies/proposal").get_data(as_text=True)
    assert f"{vacancy.set_name}: {vacancy.slot}" in page
    assert f"{vacancy.replacement_name} ({vacancy.replacement_organisation}" in page
    assert _status(app, vacancy.replacement) is ApplicationStatus.WAITING_LIST, "previewing changes nothing"
    plan = _hidden_plan(page)
    assert plan["proposals"] == [{"set": vacancy.set_name, "add": [vacancy.replacement], "moves": []}]

    page = client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Offers sent to 1 person" in page and vacancy.replacement_name in page
    _offered_in(app, vacancy.replacement, vacancy.set_name)
    assert "Every set has all its places filled" in page


def _hidden_plan(page: str) -> dict:
    import html
    import re

    value = re.search(r'name="plan" value="([^"]*)"', page)
    assert value, "the proposal carries the plan to confirm"
    return json.loads(html.unescape(value.group(1)))


def test_someone_who_left_the_waiting_list_since_the_preview_is_skipped_and_listed(client, auth, app, vacancy):
    auth.login()
    plan = _hidden_plan(client.get("/manage/sets/vacancies/proposal").get_data(as_text=True))
    with app.app_context():
        application = db.session.scalars(select(Application).filter_by(reference=vacancy.replacement)).one()
        change_status(application, ApplicationStatus.WITHDRAWN, "applicant", START + timedelta(days=2))
        db.session.commit()
    page = client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                       follow_redirects=True).get_data(as_text=True)
    assert "could not be made" in page
    assert f"{vacancy.replacement_name} ({vacancy.replacement}) was not offered a place: they are now withdrawn" in page
    assert _status(app, vacancy.replacement) is ApplicationStatus.WITHDRAWN
    assert not [e for e in outbox(app) if e.to_address == vacancy.replacement_email and e.template == "offer"]


def test_only_organisers_see_the_vacancies(client, auth):
    assert client.get("/manage/sets/vacancies").status_code == 302
    auth.login("finance")
    assert client.get("/manage/sets/vacancies").status_code == 403


def cli(app, *args: str):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_cli_prints_the_plan_as_json_and_confirm_sends_the_offer(app, vacancy):
    result = cli(app, "sets", "refill", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"vacancies", "proposals", "explanation"} <= set(data)
    assert data["vacancies"] == [{"set": vacancy.set_name, "places": 1}]
    assert data["proposals"] == [{"set": vacancy.set_name, "add": [vacancy.replacement], "moves": []}]
    assert data["names"][vacancy.replacement] == vacancy.replacement_name
    assert all(isinstance(line, str) for line in data["explanation"])
    assert _status(app, vacancy.replacement) is ApplicationStatus.WAITING_LIST, "without --confirm nothing is sent"

    result = cli(app, "sets", "refill", "--confirm")
    assert result.exit_code == 0, result.output
    assert f"offer  {vacancy.replacement}  {vacancy.replacement_name}" in result.output
    assert f"{vacancy.replacement_name} ({vacancy.replacement}) offered a place in {vacancy.set_name}" in result.output
    _offered_in(app, vacancy.replacement, vacancy.set_name)


def test_cli_says_when_there_is_nothing_to_refill(app):
    with app.app_context():
        confirm_sets(60, 3, sets=4)
    sent = len(outbox(app))
    result = cli(app, "sets", "refill", "--confirm")
    assert result.exit_code == 0, result.output
    assert "No set has a vacancy, so there is nothing to refill." in result.output
    assert len(outbox(app)) == sent


def test_cli_refill_before_any_sets_are_confirmed(app):
    result = cli(app, "sets", "refill")
    assert result.exit_code == 1
    assert "No sets are confirmed yet, so there is nothing to refill." in result.output
