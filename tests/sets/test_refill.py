"""Refilling the sets from the waiting list: a decline makes a vacancy, the top waiting-list person who
fits is proposed, and confirming offers them the place (page and `als sets refill`)."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from app.applications.lifecycle import change_status, decline_place
from app.auth.accounts import create_user
from app.cli import main
from app.extensions import db
from app.models import (
    Application,
    ApplicationStatus,
    FeeAccount,
    LearningSet,
    Review,
    Role,
    ScheduledSession,
    SessionKind,
    SetMember,
)
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
    assert f"{vacancy.set_name}: {vacancy.slot}" in html.unescape(page)
    assert f"{vacancy.replacement_name} ({vacancy.replacement_organisation}" in html.unescape(page)
    assert _status(app, vacancy.replacement) is ApplicationStatus.WAITING_LIST, "previewing changes nothing"
    plan = _hidden_plan(page)
    assert plan["proposals"] == [{"set": vacancy.set_name, "add": [vacancy.replacement], "moves": []}]
    assert "anyone moved to another set is emailed to tell them their new set" in page
    assert "at once" not in page

    page = html.unescape(client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                                     follow_redirects=True).get_data(as_text=True))
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
    page = html.unescape(client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                                     follow_redirects=True).get_data(as_text=True))
    assert "could not be made" in page
    assert (f"{vacancy.replacement_name} ({vacancy.replacement}) was not offered a place in {vacancy.set_name}: "
            "they are now withdrawn") in page
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


def _application(reference: str) -> Application:
    return db.session.scalars(select(Application).filter_by(reference=reference)).one()


def _set_named(name: str) -> LearningSet:
    return db.session.scalars(select(LearningSet).filter_by(name=name)).one()


def test_a_stale_preview_never_takes_a_set_past_its_maximum(client, auth, app, vacancy):
    auth.login()
    plan = _hidden_plan(client.get("/manage/sets/vacancies/proposal").get_data(as_text=True))
    with app.app_context():
        # Meanwhile the organiser fills the place by hand ("Offer a place" on the review page).
        learning_set = _set_named(vacancy.set_name)
        waiting = db.session.scalars(select(Application).filter_by(status=ApplicationStatus.WAITING_LIST)
                                     .order_by(Application.reference)).all()
        other = next(a for a in waiting if a.reference != vacancy.replacement and _fits(learning_set, a, Rules()))
        change_status(other, ApplicationStatus.SELECTED, "organiser", START + timedelta(days=2),
                      learning_set=learning_set)
        db.session.commit()
        assert len(learning_set.members) == 8
    page = client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                       follow_redirects=True).get_data(as_text=True)
    page = html.unescape(page)   # names such as O'Neill are escaped in the page
    assert (f"{vacancy.replacement_name} ({vacancy.replacement}) was not offered a place in {vacancy.set_name}: "
            f"afterwards {vacancy.set_name} has 9 members (a set needs 6 to 8)") in page
    assert _status(app, vacancy.replacement) is ApplicationStatus.WAITING_LIST
    assert not [e for e in outbox(app) if e.to_address == vacancy.replacement_email and e.template == "offer"]
    with app.app_context():
        assert len(_set_named(vacancy.set_name).members) == 8


def test_an_edited_plan_cannot_put_someone_in_a_set_they_cannot_attend(client, auth, app, vacancy):
    auth.login()
    plan = _hidden_plan(client.get("/manage/sets/vacancies/proposal").get_data(as_text=True))
    with app.app_context():
        elsewhere = next(a for a in db.session.scalars(
            select(Application).filter_by(status=ApplicationStatus.WAITING_LIST).order_by(Application.reference))
            if vacancy.slot not in {slot.label for slot in a.slots})
        reference, name, email = elsewhere.reference, elsewhere.full_name, elsewhere.email
    plan["proposals"] = [{"set": vacancy.set_name, "add": [reference], "moves": []}]
    page = client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(plan)},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{name} ({reference}) was not offered a place in {vacancy.set_name}: they cannot attend {vacancy.slot}" \
        in page
    assert _status(app, reference) is ApplicationStatus.WAITING_LIST
    assert not [e for e in outbox(app) if e.to_address == email and e.template == "offer"]


def _after_one_leaves(learning_set: LearningSet, joining: Application, rules: Rules) -> Application | None:
    """A member of the set who can leave so that `joining` takes their place with every rule kept."""
    for leaving in [m.application for m in learning_set.members]:
        members = [m.application for m in learning_set.members if m.application is not leaving] + [joining]
        people = {a.reference: candidate_for(a) for a in members}
        if check_set(list(people), learning_set.slot_label, people, rules).ok:
            return leaving
    return None


@pytest.fixture
def spread(app) -> dict[str, str]:
    """Three sets at one place and time: the first falls to two members, and each of the other two
    has one place that one of those two can take (as a plan that spreads a merge says)."""
    with app.app_context():
        confirm_sets(100, 3, sets=6)
        now, rules = START + timedelta(days=1), Rules(min_size=6, max_size=8)
        sets = db.session.scalars(select(LearningSet).order_by(LearningSet.id)).all()
        slot = next(s.slot_label for s in sets if sum(o.slot_label == s.slot_label for o in sets) >= 3)
        first, second, third = [s for s in sets if s.slot_label == slot][:3]
        found = None
        members = [m.application for m in first.members]
        for one in members:
            for two in members:
                if one is not two:
                    leaving = _after_one_leaves(second, one, rules), _after_one_leaves(third, two, rules)
                    if all(leaving):
                        found = one, two, leaving
                        break
            if found:
                break
        assert found, "two members of the first set can be spread over the other two"
        one, two, (leaves_second, leaves_third) = found
        for application in [a for a in members if a not in (one, two)] + [leaves_second, leaves_third]:
            decline_place(application, "", now)
        db.session.add(ScheduledSession(learning_set=first, kind=SessionKind.SESSION, number=1,
                                        on=START.date() + timedelta(days=60), starts_at=time(9), ends_at=time(12),
                                        venue="Durham", updated_at=now))
        db.session.commit()
        return {"from": first.name, one.reference: second.name, two.reference: third.name}


def _spread_plan(spread: dict[str, str]) -> dict:
    source = spread["from"]
    moves = [{"person": r, "from": source, "to": to} for r, to in spread.items() if r != "from"]
    return {"merges": [{"sets": [source] + [m["to"] for m in moves], "into": "", "moves": moves,
                        "reason": f"{source} is below the minimum"}], "proposals": []}


def test_a_spread_merge_moves_everyone_and_deletes_the_emptied_set(client, auth, app, spread):
    auth.login()
    page = client.post("/manage/sets/vacancies/confirm", data={"plan": json.dumps(_spread_plan(spread))},
                       follow_redirects=True).get_data(as_text=True)
    assert "could not be made" not in page and "no longer exists" not in page
    source = spread.pop("from")
    assert f"Deleted {source}, emptied by the merge" in page
    with app.app_context():
        assert db.session.scalars(select(LearningSet).filter_by(name=source)).first() is None
        for reference, name in spread.items():
            application = _application(reference)
            assert application.status is ApplicationStatus.SELECTED
            assert db.session.scalars(select(SetMember).filter_by(application_id=application.id)).one() \
                .learning_set.name == name
            account = db.session.scalars(select(FeeAccount).filter_by(application_id=application.id)).one()
            assert account.learning_set.name == name and account.closed_at is None
            assert len(_set_named(name).members) == 8
        # The closed accounts of the people who left it point at no set now; its session is gone.
        closed = db.session.scalars(select(FeeAccount).where(FeeAccount.closed_at.is_not(None))).all()
        assert closed and all(account.set_id is None or account.learning_set.name != source for account in closed)
        assert not db.session.scalars(select(ScheduledSession)).all()
    page = client.get("/manage/sets/vacancies").get_data(as_text=True)
    assert f"{source}<br>" not in page


def test_the_vacancies_page_never_lists_an_empty_set(client, auth, app, spread):
    source = spread.pop("from")
    with app.app_context():
        for reference in spread:
            decline_place(_application(reference), "", START + timedelta(days=2))
        db.session.commit()
    auth.login()
    page = client.get("/manage/sets/vacancies").get_data(as_text=True)
    assert f"{next(iter(spread.values()))}<br>" in page and f"{source}<br>" not in page


def test_the_command_line_fails_when_part_of_the_plan_could_not_be_made(app, vacancy, monkeypatch):
    import app.sets.refill as refill_module
    from app.applications.lifecycle import TransitionRefused

    def refuse(*args, **kwargs):
        raise TransitionRefused("the same person already has a place")

    monkeypatch.setattr(refill_module, "change_status", refuse)
    result = cli(app, "sets", "refill", "--confirm")
    assert result.exit_code == 1
    assert f"not done: {vacancy.replacement_name} ({vacancy.replacement}) was not offered a place" in result.output
    assert "1 change in the plan could not be made" in result.output


def test_cli_json_before_any_sets_are_confirmed_is_still_json(app):
    result = cli(app, "sets", "refill", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["error"] == "No sets are confirmed yet, so there is nothing to refill."
    assert data["proposals"] == []


def test_cli_lists_each_vacancy_by_set(app, vacancy):
    result = cli(app, "sets", "refill")
    assert result.exit_code == 0, result.output
    assert f"  {vacancy.set_name}: 1 place" in result.output
