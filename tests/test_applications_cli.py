"""`als applications mark`: bulk review from the command line, through the same lifecycle as the pages."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent
from tests.review.review_helpers import references, set_status, status_of, three_applicants


def test_mark_by_reference_in_any_case_records_who_and_why(app, apply, runner):
    refs = three_applicants(app, apply)
    zoe, ben = refs["Zoë Adeyemi"], refs["Ben Brown"]
    result = runner.invoke(args=["applications", "mark", "Eligible", zoe.lower(), ben, "--reason", "Checked by phone"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 applications marked eligible"
    assert status_of(app, zoe) == status_of(app, ben) == "eligible"
    assert status_of(app, refs["Émile Dubois"]) == "submitted"
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="application.status_changed").all()
        assert {(e.target, e.actor, e.after["reason"]) for e in events} == {
            (f"application:{zoe}", "cli", "Checked by phone"), (f"application:{ben}", "cli", "Checked by phone")}


def test_all_submitted_takes_every_submitted_application_and_says_how_many(app, apply, runner):
    refs = three_applicants(app, apply)
    set_status(app, refs["Ben Brown"], "ineligible")
    result = runner.invoke(args=["applications", "mark", "eligible", "--all-submitted"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "2 applications submitted in Action Learning Sets 2026–27"
    assert lines[-1] == "2 applications marked eligible"
    assert status_of(app, refs["Ben Brown"]) == "ineligible", "only submitted applications are taken"
    again = runner.invoke(args=["applications", "mark", "eligible", "--all-submitted"])
    assert again.exit_code == 0
    assert again.output.strip().splitlines() == ["0 applications submitted in Action Learning Sets 2026–27",
                                                 "0 applications marked eligible"]


def test_refused_and_unknown_are_listed_the_rest_saved_and_the_exit_status_is_1(app, apply, runner):
    refs = three_applicants(app, apply)
    withdrawn = refs["Ben Brown"]
    set_status(app, withdrawn, "withdrawn")
    result = runner.invoke(args=["applications", "mark", "eligible", refs["Zoë Adeyemi"], withdrawn, "ALS-ZZZZZ",
                                 refs["Émile Dubois"]])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{withdrawn} is withdrawn: it cannot be marked eligible",
        "There is no application ALS-ZZZZZ",
        "2 applications marked eligible; 1 could not be changed; 1 reference not found",
    ]
    assert status_of(app, refs["Zoë Adeyemi"]) == status_of(app, refs["Émile Dubois"]) == "eligible"
    assert status_of(app, withdrawn) == "withdrawn"


def test_friendly_status_names_and_decisions_before_the_sets_exist(app, apply, runner):
    refs = three_applicants(app, apply)
    zoe = refs["Zoë Adeyemi"]
    assert runner.invoke(args=["applications", "mark", "eligible", zoe]).exit_code == 0
    result = runner.invoke(args=["applications", "mark", "waiting-list", zoe])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Places are decided when you confirm the sets: mark them eligible and confirm a selection run",
        "0 applications put on the waiting list; 1 could not be changed",
    ]
    assert status_of(app, zoe) == "eligible"
    back = runner.invoke(args=["applications", "mark", "Submitted", zoe])
    assert back.exit_code == 0 and back.output.strip() == "1 application marked as submitted (not yet reviewed)"


def test_selected_unknown_statuses_and_bad_arguments_are_refused_before_anything_changes(app, apply, runner):
    refs = three_applicants(app, apply)
    zoe = refs["Zoë Adeyemi"]
    selected = runner.invoke(args=["applications", "mark", "selected", zoe])
    assert selected.exit_code == 2
    assert "als sets refill" in selected.output and "Offer a place" in selected.output
    unknown = runner.invoke(args=["applications", "mark", "approved", zoe])
    assert unknown.exit_code == 2 and "“approved” is not a status" in unknown.output
    assert "waiting-list" in unknown.output
    both = runner.invoke(args=["applications", "mark", "eligible", zoe, "--all-submitted"])
    assert both.exit_code == 2 and "not both" in both.output
    neither = runner.invoke(args=["applications", "mark", "eligible"])
    assert neither.exit_code == 2 and "--all-submitted" in neither.output
    assert set(status_of(app, ref) for ref in references(app).values()) == {"submitted"}


def test_help_says_what_happens_to_refused_moves(runner):
    result = runner.invoke(args=["applications", "mark", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "waiting-list" in text and "exits with status 1" in text
    assert "Everything that could be changed is saved together at the end" in text
