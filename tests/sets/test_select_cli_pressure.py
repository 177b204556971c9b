"""`als select` and the selection page under pressure: priorities as written, any number of sets,
the page's relaxations as flags, the time limit counted from the start, and an answer even when
the solver fails."""
from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

import app.sets.cli as select_cli
import app.sets.service as service
from app.auth.accounts import create_user
from app.cli import main
from app.extensions import db
from app.models import Application, ApplicationStatus, Review, Role, RunState, SelectionRun
from app.sets.service import candidate_for
from selection import SelectionResult, Unplaced
from tests.conftest import START
from tests.sets.test_select_cli import people_file, twelve
from tests.sets.test_selection_pages import RUN_FORM, current_run

SECTORS = ("public", "private", "voluntary")


def nine_for_eight_places(priority: str) -> list[str]:
    """Nine people from different organisations at one place/time: one set of 8 at most, so one
    of them, all of equal priority, loses the lottery."""
    return [f"{i},Person {i},p{i}@example.org,Org {i},{SECTORS[i % 3]},Newcastle Tuesdays,{priority},North"
            for i in range(9)]


def select_json(*args: str, obj: ScriptInfo | None = None) -> dict:
    result = CliRunner().invoke(main, ["select", "--json", *args], **({"obj": obj} if obj else {}))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def eligible_demo(app, runner, keep=lambda application: True) -> None:
    """60 demo applications; those `keep` accepts are judged eligible."""
    runner.invoke(args=["demo", "--applicants", "60", "--seed", "2"])
    with app.app_context():
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED and keep(application):
                application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()


@pytest.mark.parametrize("written", ["1", "4.25"])
def test_reasons_give_the_priority_as_written_in_the_file(tmp_path, written):
    data = select_json("--input", people_file(tmp_path, nine_for_eight_places(written)))
    [left_out] = data["unplaced"]
    assert f"lost the lottery among priority {written} applicants" in left_out["reason"]


def test_review_scores_become_priorities_as_the_organiser_reads_them(app, runner):
    eligible_demo(app, runner)
    with app.app_context():
        first, second = db.session.scalars(select(Application).order_by(Application.reference)).all()[:2]
        reviewers = [create_user(f"r{i}@example.org", "correct horse battery", Role.ORGANISER, START, by="test")
                     for i in range(3)]
        for reviewer, score in zip(reviewers, (4, 4, 5), strict=True):
            db.session.add(Review(application=first, reviewer=reviewer, score=score, created_at=START,
                                  updated_at=START))
        for reviewer in reviewers[:2]:
            db.session.add(Review(application=second, reviewer=reviewer, score=4, created_at=START,
                                  updated_at=START))
        db.session.flush()
        assert candidate_for(first).priority == 4.33
        assert str(candidate_for(second).priority) == "4"


def test_any_number_of_sets_may_be_asked_for_and_too_many_is_explained(tmp_path):
    data = select_json("--input", people_file(tmp_path, twelve()), "--sets", "1500")
    assert data["status"] == "infeasible" and data["sets"] == []
    assert len(data["unplaced"]) == 12
    assert any("--sets 2" in line for line in data["explanation"]), "says how many sets the data can make"


def test_allow_missing_sectors_forms_sets_without_voluntary_applicants(tmp_path):
    rows = [row.replace("VOLUNTARY", "public") for row in twelve()]
    path = people_file(tmp_path, rows)
    assert select_json("--input", path)["sets"] == []
    data = select_json("--input", path, "--allow-missing-sectors")
    assert sorted(m for s in data["sets"] for m in s["members"]) == sorted(str(i) for i in range(12))


def test_allow_colleagues_forms_sets_from_two_organisations(tmp_path):
    rows = [row.replace(f"Org {i},", f"Org {'AB'[i % 2]},") for i, row in enumerate(twelve())]
    path = people_file(tmp_path, rows)
    assert select_json("--input", path)["sets"] == []
    data = select_json("--input", path, "--allow-colleagues")
    assert sum(len(s["members"]) for s in data["sets"]) == 12


def test_the_database_run_honours_allow_missing_sectors(app, runner):
    eligible_demo(app, runner, keep=lambda application: application.sector.value != "voluntary")
    info = ScriptInfo(create_app=lambda: app)
    assert select_json("--seed", "3", obj=info)["sets"] == []
    data = select_json("--seed", "3", "--allow-missing-sectors", obj=info)
    assert data["sets"]
    with app.app_context():
        assert db.session.get(SelectionRun, data["run"]).rules["require_all_sectors"] is False


def test_the_time_limit_counts_from_before_the_file_is_read(tmp_path, monkeypatch):
    moments: dict[str, float] = {}
    read_candidates, form_sets = select_cli.read_candidates, service.form_sets

    def reading(path):
        """A slow file: half a second that the time limit must count."""
        moments["read"] = time.monotonic()
        time.sleep(0.5)
        return read_candidates(path)

    def solving(candidates, rules, **kwargs):
        moments["started"] = kwargs["started"]
        return form_sets(candidates, rules, **kwargs)

    monkeypatch.setattr(select_cli, "read_candidates", reading)
    monkeypatch.setattr(service, "form_sets", solving)
    data = select_json("--input", people_file(tmp_path, twelve()))
    assert data["status"] == "optimal"
    assert moments["started"] <= moments["read"]
    assert data["seconds"] >= 0.5


def test_a_solver_failure_still_prints_one_json_answer(tmp_path, monkeypatch):
    def crash(candidates, rules, **kwargs):
        raise RuntimeError("Pulp: Error while executing cbc")

    monkeypatch.setattr(service, "form_sets", crash)
    data = select_json("--input", people_file(tmp_path, twelve()))
    assert data["status"] == "timed_out" and data["sets"] == []
    assert len(data["unplaced"]) == 12
    assert all("the optimiser stopped with an error" in u["reason"] for u in data["unplaced"])
    assert any("--solver highs" in line for line in data["explanation"])
    assert set(data) >= {"bound", "unfinished"}


def test_a_solver_failure_on_the_page_finishes_the_run_with_what_to_try(client, auth, app, runner, monkeypatch):
    eligible_demo(app, runner)

    def crash(candidates, rules, **kwargs):
        raise RuntimeError("Pulp: Error while executing cbc")

    monkeypatch.setattr(service, "form_sets", crash)
    auth.login()
    location = client.post("/manage/selection/", data=RUN_FORM).headers["Location"]
    run = current_run(app)
    assert run.state is RunState.FINISHED and run.status == "timed_out"
    assert "RuntimeError" in run.error
    page = client.get(location).get_data(as_text=True)
    assert "The optimiser stopped with an error" in page and "--solver highs" in page


def test_a_run_whose_result_cannot_be_saved_is_marked_failed_not_left_running(client, auth, app, runner,
                                                                              monkeypatch):
    eligible_demo(app, runner)

    def unsaveable(candidates, rules, **kwargs):
        return SelectionResult(status="optimal", gap=0.0, seconds=0.0, seed=0, solver="cbc", lottery={"x": object()})

    monkeypatch.setattr(service, "form_sets", unsaveable)
    auth.login()
    client.post("/manage/selection/", data=RUN_FORM)
    run = current_run(app)
    assert run.state is RunState.FAILED and run.finished_at is not None


def test_the_page_accepts_as_many_sets_as_a_national_programme_needs(client, auth, app, runner):
    eligible_demo(app, runner)
    auth.login()
    page = client.post("/manage/selection/", data={**RUN_FORM, "sets": "100001"}).get_data(as_text=True)
    assert "Number of sets must be between 1 and 100,000" in page
    response = client.post("/manage/selection/", data={**RUN_FORM, "sets": "1500"})
    assert response.status_code == 302
    assert current_run(app).status == "infeasible"


def test_a_result_not_proven_optimal_says_how_many_could_be_placed_at_most(client, auth, app, runner, monkeypatch):
    eligible_demo(app, runner)

    def unfinished(candidates, rules, **kwargs):
        return SelectionResult(status="feasible", gap=1.0, seconds=20.0, seed=0, solver="cbc", bound=12,
                               unplaced=[Unplaced(c.id, "the time limit ran out") for c in candidates])

    monkeypatch.setattr(service, "form_sets", unfinished)
    auth.login()
    location = client.post("/manage/selection/", data=RUN_FORM).headers["Location"]
    assert "No arrangement places more than 12." in client.get(location).get_data(as_text=True)
