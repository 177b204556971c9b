"""Confirming a run reads every status as it is then: people withdrawn since the run are left out
and listed, an empty confirmation is refused, and confirming while applications are open needs the
organiser to say so (page and command line)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from app.applications.lifecycle import change_status
from app.cli import main
from app.extensions import db
from app.models import Application, ApplicationStatus, FeeAccount, LearningSet, SelectionRun, SetMember
from app.programmes import current_programme
from app.sets import service
from tests.conftest import DEADLINE, START
from tests.helpers import outbox


def eligible_demo(app, runner, applicants: int = 40, seed: int = 3) -> None:
    runner.invoke(args=["demo", "--applicants", str(applicants), "--seed", str(seed)])
    with app.app_context():
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED:
                application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()


def finished_run(app) -> int:
    with app.app_context():
        programme = current_programme()
        run = service.start_run(programme, service.default_rules(programme), by="organiser@example.org")
        db.session.commit()
        service.execute_run(run.id)
        return run.id


@dataclass
class Person:
    id: int
    full_name: str
    email: str


def withdraw_someone_placed(app, run_id: int) -> Person:
    """The person withdraws after the run placed them in a set, before anyone confirms."""
    with app.app_context():
        run = db.session.get(SelectionRun, run_id)
        reference = run.arrangement["sets"][0]["members"][0]
        application = db.session.scalars(select(Application).filter_by(reference=reference)).one()
        change_status(application, ApplicationStatus.WITHDRAWN, "applicant", START + timedelta(hours=1))
        db.session.commit()
        return Person(application.id, application.full_name, application.email)


def test_someone_withdrawn_after_the_run_is_left_out_and_the_organiser_sees_who(client, auth, app, runner, clock):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    gone = withdraw_someone_placed(app, run_id)
    auth.login()

    page = client.get(f"/manage/selection/runs/{run_id}/confirm").get_data(as_text=True)
    assert "1 applicant is left out" in page
    assert gone.full_name in page and "Now withdrawn" in page

    sent_before = len(outbox(app))
    page = client.post(f"/manage/selection/runs/{run_id}/confirm", data={"before_deadline": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Sets confirmed" in page
    assert "1 applicant is left out and sent nothing" in page and gone.full_name in page
    with app.app_context():
        again = db.session.get(Application, gone.id)
        assert again.status is ApplicationStatus.WITHDRAWN
        assert db.session.scalars(select(SetMember).filter_by(application_id=gone.id)).first() is None
        assert db.session.scalars(select(FeeAccount).filter_by(application_id=gone.id)).first() is None
        assert db.session.query(Application).filter_by(status=ApplicationStatus.SELECTED).count() > 0
    assert [e for e in outbox(app)[sent_before:] if e.to_address == gone.email] == []


def test_confirming_while_applications_are_open_needs_the_tick(client, auth, app, runner):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    auth.login()
    page = client.get(f"/manage/selection/runs/{run_id}/confirm").get_data(as_text=True)
    assert "Applications are still open" in page
    assert "Confirm before the deadline" in page
    assert "People who apply after you confirm will not be in these sets" in page

    refused = client.post(f"/manage/selection/runs/{run_id}/confirm", data={}).get_data(as_text=True)
    assert "There is a problem" in refused
    assert "Tick ‘Confirm before the deadline’" in refused
    with app.app_context():
        assert db.session.query(LearningSet).count() == 0
        assert db.session.query(Application).filter_by(status=ApplicationStatus.SELECTED).count() == 0
    assert outbox(app) == []

    client.post(f"/manage/selection/runs/{run_id}/confirm", data={"before_deadline": "y"})
    with app.app_context():
        assert db.session.query(LearningSet).count() > 0
        assert db.session.get(SelectionRun, run_id).confirmed_at is not None


def test_after_the_deadline_no_tick_is_asked_for(client, auth, app, runner, clock):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    clock.now = DEADLINE + timedelta(days=1)
    auth.login()
    page = client.get(f"/manage/selection/runs/{run_id}/confirm").get_data(as_text=True)
    assert "Confirm before the deadline" not in page
    client.post(f"/manage/selection/runs/{run_id}/confirm", data={})
    with app.app_context():
        assert db.session.get(SelectionRun, run_id).confirmed_at is not None


def test_confirming_with_no_eligible_applications_is_refused(client, auth, app):
    run_id = finished_run(app)  # nobody is eligible: the run forms no sets
    auth.login()
    page = client.post(f"/manage/selection/runs/{run_id}/confirm", data={"before_deadline": "y"}).get_data(as_text=True)
    assert "Nobody would be offered a place, so there is nothing to confirm" in page
    with app.app_context():
        assert db.session.get(SelectionRun, run_id).confirmed_at is None
        assert db.session.query(LearningSet).count() == 0


def test_the_confirm_page_links_to_the_email_wording_not_a_file(client, auth, app, runner):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    auth.login()
    page = client.get(f"/manage/selection/runs/{run_id}/confirm").get_data(as_text=True)
    assert "templates/email" not in page
    if "settings.edit_email_template" in app.view_functions:
        assert "/manage/settings/" in page and "Offer of a place email</a>" in page


def cli(app, *args: str):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_cli_refuses_to_confirm_an_empty_database_in_one_sentence(app):
    result = cli(app, "select", "--confirm", "--before-deadline")
    assert result.exit_code == 1
    assert "There are no eligible applications, so there is nothing to confirm" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.query(LearningSet).count() == 0


def test_cli_confirming_while_open_needs_before_deadline(app, runner):
    eligible_demo(app, runner)
    result = cli(app, "select", "--confirm", "--seed", "3")
    assert result.exit_code == 1
    assert "Applications are still open: add --before-deadline" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.query(Application).filter_by(status=ApplicationStatus.SELECTED).count() == 0
        assert db.session.query(SelectionRun).count() == 0, "refused before solving or saving a run"
    assert "Status:" not in result.output
    result = cli(app, "select", "--confirm", "--before-deadline", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Confirmed run" in result.output


@pytest.fixture
def twice(app, apply, clock):
    """Siobhán applies, then applies again a day later under another email."""
    apply(email="siobhan@example.org")
    clock.advance(days=1)
    apply(email="s.nibhriain@gateshead.example.org")
    with app.app_context():
        first, second = db.session.scalars(select(Application).order_by(Application.submitted_at)).all()
        for application in (first, second):
            application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()
        return first.reference, second.reference


def test_a_second_application_from_the_same_person_is_not_considered(client, auth, app, runner, twice):
    first, second = twice
    eligible_demo(app, runner)
    auth.login()
    index = client.get("/manage/selection/").get_data(as_text=True)
    assert "1 application is not considered" in index and second in index
    run_id = finished_run(app)
    with app.app_context():
        run = db.session.get(SelectionRun, run_id)
        considered = {c["id"] for c in run.candidates}
    assert first in considered and second not in considered
    page = client.get(f"/manage/selection/runs/{run_id}").get_data(as_text=True)
    assert "1 application not considered" in page
    assert second in page and f"same person as {first}" in page


def test_the_offer_preview_is_the_email_itself_with_its_due_date(client, auth, app, runner, clock):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    auth.login()
    page = client.get(f"/manage/selection/runs/{run_id}/confirm").get_data(as_text=True)
    assert '<pre class="als-note-preview">' in page
    assert "&lt;pre" not in page, "the wrapper is markup, not text"
    # The real offer says when the fee is due: four weeks after the offer while no dates are set.
    assert "paid up front before the first session, by Monday 30 November 2026." in page


def test_after_confirming_the_selection_page_points_to_vacancies_not_a_new_run(client, auth, app, runner):
    eligible_demo(app, runner)
    run_id = finished_run(app)
    with app.app_context():
        service.confirm(db.session.get(SelectionRun, run_id), by="organiser@example.org", before_deadline=True)
        db.session.commit()
    auth.login()
    page = client.get("/manage/selection/").get_data(as_text=True)
    assert "The sets are confirmed" in page and "/manage/sets/vacancies" in page
    assert "will be considered" not in page
    assert 'id="submit"' not in page, "no Form sets button"
    client.post("/manage/selection/", data={"min_size": 6, "max_size": 8, "time_limit": 30, "seed": 1,
                                            "solver": "cbc"})
    with app.app_context():
        assert db.session.query(SelectionRun).count() == 1, "no new run once sets are confirmed"

    result = cli(app, "select", "--seed", "4")
    assert result.exit_code == 1
    assert "The sets are confirmed already" in result.output and "als sets refill" in result.output
    with app.app_context():
        assert db.session.query(SelectionRun).count() == 1
