"""Histories read as sentences: no raw JSON, status codes, pence or field names."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationStatus, AuditEvent, LearningSet, SetMember
from app.review.history import changes_of, describe, what_of
from tests.factories import confirm_sets

AT = datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc)


def event(action: str, before=None, after=None, target: str = "application:ALS-0001") -> AuditEvent:
    return AuditEvent(at=AT, actor="organiser@example.org", action=action, target=target, before=before, after=after)


def lines(action: str, before=None, after=None, target: str = "application:ALS-0001") -> list[str]:
    return changes_of(event(action, before, after, target))


def test_status_changes_with_reason_set_and_the_set_left():
    assert lines("application.status_changed", {"status": "selected"},
                 {"status": "withdrawn", "reason": "Moved abroad", "left_set": "Set 2"}) == [
        "Status: Selected → Withdrawn", "Reason: Moved abroad", "Left Set 2"]
    assert lines("application.status_changed", {"status": "waiting_list"}, {"status": "selected", "set": "Set 4"}) == [
        "Status: Waiting list → Selected", "Set: Set 4"]


def test_offers_moves_and_fee_accounts():
    assert what_of(event("application.place_accepted")) == "Place accepted"
    assert lines("application.place_accepted", None, {"set": "Set 1"}) == ["Set: Set 1"]
    assert lines("application.moved_set", {"set": "Set 1"}, {"set": "Set 2"}) == ["Set: Set 1 → Set 2"]
    assert lines("fee.account_opened", None, {"charged_pence": 30000, "payer": "organisation"}) == [
        "Charged £300", "Who pays: Their organisation"]
    assert lines("fee.account_reopened", {"closed_at": "2026-11-20T10:00:00+00:00", "due_date": "2026-12-18"},
                 {"due_date": "2027-01-08"}) == ["Due date: Friday 18 December 2026 → Friday 8 January 2027"]
    assert lines("fee.account_closed", None, {"reason": "Declined", "refund_due_pence": 15050}) == [
        "Reason: Declined", "Refund due: £150.50"]
    payment = event("fee.payment_recorded", None, {"entry": 7, "amount_pence": -30000, "on": "2026-11-05",
                                                   "method": "bank transfer"})
    assert what_of(payment) == "Payment of £300 recorded"
    assert changes_of(payment) == ["Date: Thursday 5 November 2026", "How: bank transfer"]
    waiver = event("fee.waiver_recorded", None, {"entry": 8, "amount_pence": -5050, "on": "2026-11-05",
                                                 "reason": "Bursary"})
    assert what_of(waiver) == "Waiver of £50.50 recorded" and changes_of(waiver)[-1] == "Reason: Bursary"
    assert what_of(event("fee.refund_recorded", None, {"amount_pence": 30000})) == "Refund of £300 recorded"
    assert what_of(event("fee.reversal_recorded", None, {"amount_pence": 30000, "reverses": 7})) == (
        "Entry of £300 reversed")


def test_answers_eligibility_and_scores():
    assert lines("application.changed", {"sector": "public", "slots": ["Durham"]},
                 {"sector": "private", "slots": ["Durham", "Hexham"]}) == [
        "Sector: Public sector → Private sector", "Places and times: Durham → Durham, Hexham"]
    assert lines("application.eligibility_changed", {"eligible_fee": None}, {"eligible_fee": True}) == [
        "Fee agreed: Not checked → Yes"]
    assert lines("application.changed", {"payer": "self"}, {"payer": "organisation"}) == [
        "Who pays: I will pay → My organisation will pay"]


def test_schedule_events_say_which_sessions_changed():
    snapshot = {"sessions": {"1": {"on": "2027-01-12", "presenters": ["ALS-0001"]},
                             "2": {"on": "2027-02-09", "presenters": ["ALS-0002"]}}, "training": None}
    later = {"sessions": {"1": {"on": "2027-01-12", "presenters": ["ALS-0001"]},
                          "2": {"on": "2027-02-09", "presenters": ["ALS-0002", "ALS-0003"]}}, "training": None}
    assert lines("schedule.rota_rebalanced", None, {"joined": "ALS-0003", **later},
                 target="learning_set:1") == [
        "Session 1 on Tuesday 12 January 2027, presenting: ALS-0001",
        "Session 2 on Tuesday 9 February 2027, presenting: ALS-0002, ALS-0003", "ALS-0003 joined the set"]
    assert lines("schedule.planned", snapshot, {**later, "interval": "monthly"}, target="learning_set:1") == [
        "Session 2 presenting: ALS-0002 → ALS-0002, ALS-0003", "How often: monthly"]
    moved = event("schedule.session_moved", {"on": "2026-12-08", "starts_at": "09:30"},
                  {"on": "2026-12-01", "starts_at": "13:00"}, target="learning_set:1:session:2")
    assert what_of(moved) == "Session moved (session 2)"
    assert changes_of(moved) == ["Date: Tuesday 8 December 2026 → Tuesday 1 December 2026",
                                 "Starts: 9:30am → 1pm"]


def test_settings_changes():
    assert lines("programme.changed", {"fee_per_session_pence": 5000, "respond_days": 14},
                 {"fee_per_session_pence": 4750, "respond_days": 10}, target="programme:1") == [
        "Fee per session: £50 → £47.50", "Days to respond to an offer: 14 → 10"]
    assert lines("settings.email_changed", {"subject": "Old", "body": "Old words"},
                 {"subject": "New", "body": "New words"}, target="email_template:offer") == [
        "Subject: Old → New", "Wording changed"]
    assert lines("settings.email_reset", {"subject": "New", "body": "New words"}, None,
                 target="email_template:offer") == ["Back to the standard wording"]
    # What older versions of `als programme` logged: a block of text.
    old = "Programme: A\n  Deadline:         5pm on Friday 4 December 2026 (UK time, GMT)\n  Sessions:         6\n"
    new = "Programme: A\n  Deadline:         midday on Friday 15 January 2027 (UK time, GMT)\n  Sessions:         6\n"
    assert lines("programme.changed", {"settings": old}, {"settings": new}, target="programme:1") == [
        "Deadline: 5pm on Friday 4 December 2026 (UK time, GMT) → midday on Friday 15 January 2027 (UK time, GMT)"]


def test_every_audited_action_in_the_code_has_words():
    """No history shows an action's code name: each one recorded anywhere in app/ has a description."""
    from pathlib import Path

    from app.review.history import ACTIONS

    source = "\n".join(path.read_text(encoding="utf-8") for path in Path("app").rglob("*.py"))
    recorded = set(re.findall(r'audit\.record\([^,]+,\s*"([a-z_]+\.[a-z_]+)"', source))
    recorded |= {f"fee.{kind}_recorded" for kind in ("charge", "payment", "refund", "waiver", "reversal")}
    recorded |= set(re.findall(r'^[A-Z_]+ = "((?:schedule|application)\.[a-z_]+)"', source, re.MULTILINE))
    assert "application.status_changed" in recorded and "schedule.planned" in recorded
    missing = sorted(action for action in recorded if action not in ACTIONS and not action.startswith("user."))
    assert not missing, missing


def no_internals(text: str) -> None:
    assert "_pence" not in text and "{&#34;" not in text and '{"' not in text
    for raw in ("waiting_list", "not_selected", "left_set", "charged", "refund_due", "due_date"):
        assert raw not in text, raw


def test_the_review_page_history_of_a_member_who_withdraws(client, auth, app, clock):
    from app.applications.lifecycle import change_status

    with app.app_context():
        confirm_sets(24, seed=2)
        member = db.session.scalars(select(SetMember)).first()
        application = member.application
        set_name = member.learning_set.name
        change_status(application, ApplicationStatus.WITHDRAWN, "organiser@example.org", clock(),
                      reason="Moved abroad")
        db.session.commit()
        reference = application.reference
    auth.login()
    page = client.get(f"/manage/applications/{reference}").get_data(as_text=True)
    history = html.unescape(page[page.index('id="history"'):])
    assert "Status: Selected → Withdrawn" in history
    assert "Reason: Moved abroad" in history
    assert f"Left {set_name}" in history
    assert "Fee account closed" in history and "Refund due: £0" in history
    assert "Fee account opened" in history and "Charged £300" in history
    no_internals(page[page.index('id="history"'):])


def test_the_schedule_history_is_in_words(client, auth, app):
    from tests.schedule.sched_helpers import plan

    with app.app_context():
        confirm_sets(24, seed=2)
        set_id = db.session.scalars(select(LearningSet.id)).first()
    auth.login()
    assert plan(client, set_id).status_code == 302
    page = client.get(f"/manage/schedule/sets/{set_id}/history").get_data(as_text=True)
    assert "Planned" in page
    assert re.search(r"Session 1 on \w+day \d{1,2} \w+ 20\d\d, presenting: [A-Z]", page)
    assert not re.search(r"presenting: ALS-", page), "presenters are named, not given by reference"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page[page.index("<main"):])  # no ISO dates
    no_internals(page)
    assert 'role="region"' in page  # the table scrolls inside its own box on a phone


def test_the_schedule_history_names_people_and_keeps_the_reference_of_those_gone(app):
    with app.app_context():
        confirm_sets(24, seed=2)
        member = db.session.scalars(select(SetMember)).first().application
        reference, name = member.reference, member.full_name
        snapshot = {"sessions": {"1": {"on": "2027-01-12", "presenters": [reference, "ALS-GONE1"]}}}
        assert changes_of(event("schedule.rota_rebalanced", None, {"left": reference, **snapshot},
                                target="learning_set:1")) == [
            f"Session 1 on Tuesday 12 January 2027, presenting: {name}, ALS-GONE1", f"{name} left the set"]
        assert changes_of(event("schedule.presenters_changed", {"presenters": ["ALS-GONE1"]},
                                {"presenters": [reference]}, target="learning_set:1:session:1")) == [
            f"Presenters: ALS-GONE1 → {name}"]


def test_describe_hides_other_reviewers_scores():
    scored = event("application.scored", None, {"score": 4})
    assert describe([scored], "someone-else@example.org")[0].changes == ["Hidden until you have scored this application"]
    assert describe([scored], None)[0].changes == ["Score: 4"]

