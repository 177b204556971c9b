"""Forming sets in the app: a run, its result, moves and swaps checked at once, confirmation."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent, LearningSet, SelectionRun
from tests.helpers import outbox

RUN_FORM = {"min_size": "6", "max_size": "8", "require_all_sectors": "y", "separate_organisations": "y",
            "avoid_previous_pairs": "y", "time_limit": "20", "seed": "42", "solver": "cbc"}
# The tests' clock is before the deadline: confirming needs the organiser's tick.
BEFORE_DEADLINE = {"before_deadline": "y"}


@pytest.fixture
def eligible(app, runner):
    """140 demo applications, all judged eligible."""
    runner.invoke(args=["demo", "--applicants", "140", "--seed", "3"])
    with app.app_context():
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED:
                application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()
        return db.session.query(Application).filter_by(status=ApplicationStatus.ELIGIBLE).count()


def start(client) -> str:
    response = client.post("/manage/selection/", data=RUN_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def applications_with(app, status: ApplicationStatus) -> int:
    with app.app_context():
        return db.session.query(Application).filter_by(status=status).count()


def current_run(app) -> SelectionRun:
    with app.app_context():
        run = db.session.scalars(select(SelectionRun).order_by(SelectionRun.id.desc())).first()
        _ = run.arrangement, run.result, run.candidates
        db.session.expunge(run)
        return run


def test_only_organisers_reach_the_selection_pages(client, auth):
    assert client.get("/manage/selection/").headers["Location"].startswith("/staff/login")
    auth.login("finance")
    assert client.get("/manage/selection/").status_code == 403


def test_the_selection_page_is_prefilled_from_the_programme(client, auth, eligible):
    auth.login()
    page = client.get("/manage/selection/").get_data(as_text=True)
    assert f"{eligible} eligible applicants will be considered" in page
    assert 'name="min_size" type="text" value="6"' in page
    assert 'name="max_size" type="text" value="8"' in page


def test_a_run_forms_balanced_sets_and_says_who_is_left_out_and_why(client, auth, app, eligible):
    auth.login()
    page = client.get(start(client)).get_data(as_text=True)
    run = current_run(app)
    assert run.status == "optimal"
    assert "Proven optimal" in page
    assert f"{run.placed} of {eligible} eligible applicants" in page
    for formed in run.arrangement["sets"]:
        assert 6 <= len(formed["members"]) <= 8
        assert f"{formed['name']}: {formed['slot']}" in page
    assert page.count("Meets every rule") == len(run.arrangement["sets"])
    for entry in run.arrangement["unplaced"]:
        assert entry["reason"]
    assert "People left out" in page


def test_moving_someone_shows_at_once_which_rule_breaks(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    run = current_run(app)
    first, second = run.arrangement["sets"][0], run.arrangement["sets"][1]
    person = first["members"][0]
    response = client.post(f"{run_url}/people/{person}", data={"move-target": second["name"], "move-submit": "Move"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<p class="govuk-notification-banner__heading">Moved' in page and "&lt;p" not in page
    assert f"to {second['name']}" in page
    moved = current_run(app)
    assert person in next(s for s in moved.arrangement["sets"] if s["name"] == second["name"])["members"]
    # Moving people out one by one eventually breaks the size rule, and the page says so.
    for member in first["members"][1:]:
        page = client.post(f"{run_url}/people/{member}", data={"move-target": "left-out", "move-submit": "Move"},
                           follow_redirects=True).get_data(as_text=True)
    assert "The sets now break" in page
    assert re.search(rf"{first['name']} has \d+ member", page), "the broken size rule is named"
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="selection.moved").count() == len(first["members"])


def test_swapping_two_people_and_confirming_sets_statuses_and_queues_emails(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    run = current_run(app)
    a = run.arrangement["sets"][0]["members"][0]
    b = run.arrangement["sets"][1]["members"][0]
    client.post(f"{run_url}/people/{a}", data={"swap-other": b.lower(), "swap-submit": "Swap"})
    swapped = current_run(app)
    assert b in swapped.arrangement["sets"][0]["members"] and a in swapped.arrangement["sets"][1]["members"]

    if "There is a problem" in client.get(f"{run_url}/confirm").get_data(as_text=True):
        # The swap broke a rule (a place someone cannot attend, two colleagues, a missing sector):
        # confirming is refused until it is undone.
        refused = client.post(f"{run_url}/confirm", data=BEFORE_DEADLINE).get_data(as_text=True)
        assert "Fix these before confirming" in refused
        assert applications_with(app, ApplicationStatus.SELECTED) == 0
        client.post(f"{run_url}/people/{a}", data={"swap-other": b.lower(), "swap-submit": "Swap"})
        swapped = current_run(app)
    preview = client.get(f"{run_url}/confirm").get_data(as_text=True)
    assert "Offer of a place email" in preview
    before = len(outbox(app))
    response = client.post(f"{run_url}/confirm", data=BEFORE_DEADLINE, follow_redirects=True)
    assert "Sets confirmed" in response.get_data(as_text=True)
    with app.app_context():
        statuses = {app_.reference: app_.status for app_ in db.session.scalars(select(Application))}
        assert db.session.query(LearningSet).count() == len(swapped.arrangement["sets"])
    placed = [p for s in swapped.arrangement["sets"] for p in s["members"]]
    assert all(statuses[p] is ApplicationStatus.SELECTED for p in placed)
    assert all(statuses[u["id"]] in (ApplicationStatus.WAITING_LIST, ApplicationStatus.NOT_SELECTED)
               for u in swapped.arrangement["unplaced"])
    emails = outbox(app)[before:]
    assert len(emails) == len(swapped.candidates)
    assert sum(e.subject.startswith("Your place in an Action Learning Set") for e in emails) == len(placed)
    # A second confirmation is refused: one set of sets per programme.
    again = client.post(f"{run_url}/confirm", data=BEFORE_DEADLINE).get_data(as_text=True)
    assert "already confirmed" in again


def test_pins_are_kept_when_running_again(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    run = current_run(app)
    person = run.arrangement["sets"][2]["members"][0]
    set_name = run.arrangement["sets"][2]["name"]
    client.post(f"{run_url}/people/{person}/pin")
    response = client.post(f"{run_url}/rerun")
    again = current_run(app)
    assert again.id != run.id
    assert again.rules["pins"] == {person: set_name}
    assert person in next(s for s in again.arrangement["sets"] if s["name"] == set_name)["members"]
    assert response.status_code == 302


def test_the_same_seed_and_rules_give_the_same_sets(client, auth, app, eligible):
    auth.login()
    start(client)
    first = current_run(app)
    start(client)
    second = current_run(app)
    assert first.arrangement == second.arrangement


def test_the_sets_download_is_a_workbook(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    response = client.get(f"{run_url}/sets.xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.data))
    assert "Summary" in workbook.sheetnames and len(workbook.sheetnames) == 1 + len(current_run(app).arrangement["sets"])


def test_swapping_is_choosing_the_other_person_from_a_list(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    run = current_run(app)
    first, second = run.arrangement["sets"][0], run.arrangement["sets"][1]
    a, b = first["members"][0], second["members"][0]
    people = {c["id"]: c for c in run.candidates}
    page = client.get(f"{run_url}/people/{a}").get_data(as_text=True)
    assert '<select class="govuk-select" id="swap-other" name="swap-other"' in page
    other = people[b]
    assert (f'<option value="{b.lower()}">{other["name"]}, {second["name"]}, {other["sector"].capitalize()} sector '
            f'({other["organisation"]})</option>') in page
    assert f'<option value="{first["members"][1].lower()}">' not in page, "only people in other sets are offered"
    page = client.post(f"{run_url}/people/{a}", data={"swap-other": b.lower(), "swap-submit": "Swap"},
                       follow_redirects=True).get_data(as_text=True)
    assert f"Swapped {people[a]['name']} and {other['name']}" in page
    swapped = current_run(app)
    assert b in swapped.arrangement["sets"][0]["members"] and a in swapped.arrangement["sets"][1]["members"]
    refused = client.post(f"{run_url}/people/{a}", data={"swap-other": "", "swap-submit": "Swap"}).get_data(as_text=True)
    assert "Select the person to swap with" in refused


def test_counts_on_the_sets_pages_are_in_plain_words(client, auth, app, eligible):
    auth.login()
    run_url = start(client)
    run = current_run(app)
    person = run.arrangement["sets"][0]["members"][0]
    page = client.post(f"{run_url}/people/{person}", data={"move-target": "left-out", "move-submit": "Move"},
                       follow_redirects=True).get_data(as_text=True)
    left = len(current_run(app).arrangement["unplaced"])
    assert f"{left} applicant{'s are' if left != 1 else ' is'} not in a set" in page
    assert re.search(r"\b1 members\b|\b1 sets\b|\b1 applicants\b", page) is None
    size = len(run.arrangement["sets"][0]["members"]) - 1
    assert f"{size} members ·" in page
