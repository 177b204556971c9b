"""The application state machine: allowed moves only, and sets, rota, fees and emails following each one.

Includes the corruption cases found by trying the product: a withdrawn member stayed in their set
with their money kept; a waiting-list person made Selected got no set, account or email; a run
computed before someone withdrew selected them again on confirmation.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.applications.lifecycle import TransitionRefused, change_status, move_to_set, set_of
from app.applications.service import private_link_for
from app.clock import utcnow
from app.extensions import db
from app.finance.accounts import account_of
from app.finance.ledger import balance_of, record_payment, record_refund
from app.models import (
    ALLOWED_TRANSITIONS,
    Application,
    ApplicationStatus,
    LearningSet,
    OutboxEmail,
    SetMember,
)
from app.programmes import current_programme
from app.schedule import service as schedule
from app.schedule.planner import Interval, plan_sessions
from app.sets import service as sets_service
from tests.factories import confirm_sets

S = ApplicationStatus
BY = "organiser@example.org"


def _one(status: ApplicationStatus) -> Application:
    return db.session.scalars(select(Application).where(Application.status == status)
                              .order_by(Application.reference)).first()


def _emails(template: str, to: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template,
                                                             OutboxEmail.to_address == to)))


def _member_ids(learning_set: LearningSet) -> set[int]:
    return {m.application_id for m in learning_set.members}


def _plan(learning_set: LearningSet, first: date) -> None:
    plan = plan_sessions(first, Interval(), learning_set.slot_label)
    schedule.save_plan(learning_set, plan, BY, interval="monthly", winter=None, training_after=3)


@pytest.fixture
def confirmed(app):
    with app.app_context():
        counts = confirm_sets(60, 3, sets=5)
        assert counts["selected"] and counts["waiting_list"], counts
        yield counts


def test_every_move_outside_the_table_is_refused(app, confirmed):
    member, withdrawn = _one(S.SELECTED), _one(S.WAITING_LIST)
    change_status(withdrawn, S.WITHDRAWN, BY, utcnow())
    for application in (member, withdrawn):
        current = application.status
        for target in set(S) - ALLOWED_TRANSITIONS[current] - {current}:
            with pytest.raises(TransitionRefused):
                change_status(application, target, BY, utcnow())
            assert application.status is current


def test_a_refused_move_says_why_and_changes_nothing(app, confirmed):
    member = _one(S.SELECTED)
    learning_set = set_of(member)
    with pytest.raises(TransitionRefused, match="selected: it cannot be marked eligible"):
        change_status(member, S.ELIGIBLE, BY, utcnow())
    assert member.status is S.SELECTED and set_of(member) is learning_set


def test_places_are_decided_only_once_sets_exist(app):
    with app.app_context():
        from app.demo import add_demo_applications

        add_demo_applications(current_programme(), 3, 1)
        application = _one(S.SUBMITTED)
        change_status(application, S.ELIGIBLE, BY, utcnow())
        with pytest.raises(TransitionRefused, match="confirm the sets"):
            change_status(application, S.WAITING_LIST, BY, utcnow())
        assert application.status is S.ELIGIBLE


def test_a_withdrawn_member_leaves_the_set_the_rota_and_is_due_a_refund(app, confirmed, clock):
    member = _one(S.SELECTED)
    learning_set = set_of(member)
    _plan(learning_set, date(2027, 1, 12))
    account = account_of(member)
    record_payment(account, account.balance_pence, date(2026, 11, 2), "bank transfer", "BACS", "finance", utcnow())
    db.session.commit()

    clock.advance(days=1)
    change_status(member, S.WITHDRAWN, BY, utcnow(), reason="Changed job")
    db.session.commit()

    assert member.id not in _member_ids(learning_set)
    assert db.session.scalars(select(SetMember).where(SetMember.application_id == member.id)).first() is None
    sessions = schedule.sessions_of(learning_set)
    assert all(p.application_id != member.id for s in sessions for p in s.presenters)
    assert all(s.presenters for s in sessions), "every session still has a presenter"
    presenting = {p.application_id for s in sessions for p in s.presenters}
    assert presenting == _member_ids(learning_set), "everyone left still presents"
    account = account_of(member)
    assert account.closed_at is not None
    assert account.refund_due_pence == current_programme().total_fee_pence
    assert balance_of(account).outstanding_pence == -account.refund_due_pence
    assert _emails("application_withdrawn", member.email)

    record_refund(account, account.refund_due_pence, date(2026, 11, 3), "bank transfer", "Withdrew", "finance",
                  utcnow())
    db.session.commit()
    assert account.refund_due_pence == 0 and account.balance_pence == 0


def test_a_member_who_never_paid_owes_nothing_after_declining(app, confirmed):
    member = _one(S.SELECTED)
    change_status(member, S.DECLINED, "applicant", utcnow(), reason="Too busy")
    db.session.commit()
    account = account_of(member)
    assert account.balance_pence == 0 and account.refund_due_pence == 0
    assert member.decline_reason == "Too busy" and member.declined_at is not None
    assert set_of(member) is None


def test_a_waiting_list_person_needs_a_set_and_then_gets_place_account_and_offer(app, confirmed):
    waiting = _one(S.WAITING_LIST)
    with pytest.raises(TransitionRefused, match="a place in a set"):
        change_status(waiting, S.SELECTED, BY, utcnow())
    assert account_of(waiting) is None

    learning_set = db.session.scalars(select(LearningSet).where(
        LearningSet.slot_label.in_([slot.label for slot in waiting.slots]))).first()
    change_status(learning_set.members[0].application, S.DECLINED, "applicant", utcnow())  # a place falls free
    change_status(waiting, S.SELECTED, BY, utcnow(), learning_set=learning_set)
    db.session.commit()

    assert waiting.id in _member_ids(learning_set)
    assert account_of(waiting).balance_pence == current_programme().total_fee_pence
    assert waiting.respond_by == (utcnow() + timedelta(days=current_programme().respond_days)).date()
    offer = _emails("offer", waiting.email)[-1]
    assert private_link_for(waiting) in offer.body


def test_someone_offered_again_after_declining_is_charged_once_more(app, confirmed):
    member = _one(S.SELECTED)
    learning_set = set_of(member)
    change_status(member, S.DECLINED, "applicant", utcnow())
    change_status(member, S.WAITING_LIST, BY, utcnow(), reason="Changed their mind")
    change_status(member, S.SELECTED, BY, utcnow(), learning_set=learning_set)
    db.session.commit()
    account = account_of(member)
    assert account.closed_at is None
    assert account.balance_pence == current_programme().total_fee_pence
    assert member.declined_at is None and member.accepted_at is None


def test_one_person_is_never_placed_twice(app, confirmed):
    member = _one(S.SELECTED)
    twin = _one(S.WAITING_LIST)
    twin.full_name, twin.organisation = member.full_name, member.organisation
    db.session.flush()
    learning_set = db.session.scalars(select(LearningSet)).first()
    with pytest.raises(TransitionRefused, match="same person"):
        change_status(twin, S.SELECTED, BY, utcnow(), learning_set=learning_set)


def test_confirming_a_run_reads_statuses_as_they_are_now(app):
    with app.app_context():
        from app.demo import add_demo_applications

        programme = current_programme()
        add_demo_applications(programme, 40, 3)
        for application in db.session.scalars(select(Application).where(Application.status == S.SUBMITTED)):
            change_status(application, S.ELIGIBLE, BY, utcnow())
        db.session.commit()
        run = sets_service.start_run(programme, sets_service.default_rules(programme), BY)
        db.session.commit()
        sets_service.execute_run(run.id)
        placed = run.arrangement["sets"][0]["members"][0]
        gone = db.session.scalars(select(Application).where(Application.reference == placed)).one()
        change_status(gone, S.WITHDRAWN, "applicant", utcnow())
        db.session.commit()

        preview = sets_service.preview_confirmation(run)
        assert [p.reference for p in preview.left_out] == [placed]
        confirmation = sets_service.confirm(run, BY, before_deadline=True)
        db.session.commit()

        assert gone.status is S.WITHDRAWN
        assert account_of(gone) is None
        assert not _emails("offer", gone.email)
        assert [p.reference for p in confirmation.left_out] == [placed]
        assert "withdrawn" in confirmation.left_out[0].why


def test_confirming_needs_someone_to_place_and_a_tick_before_the_deadline(app):
    with app.app_context():
        programme = current_programme()
        run = sets_service.start_run(programme, sets_service.default_rules(programme), BY)
        db.session.commit()
        sets_service.execute_run(run.id)
        with pytest.raises(sets_service.ConfirmRefused, match="Applications are still open"):
            sets_service.confirm(run, BY)
        with pytest.raises(sets_service.ConfirmRefused, match="Nobody would be offered a place"):
            sets_service.confirm(run, BY, before_deadline=True)
        assert run.confirmed_at is None


def test_the_private_link_in_every_email_opens_the_same_page(app, client, confirmed):
    member = _one(S.SELECTED)
    link = private_link_for(member)
    assert private_link_for(member) == link, "the link is stable between emails"
    db.session.commit()
    path = link.removeprefix("https://als.example.org")
    assert client.get(path).status_code == 200


def test_a_second_application_from_someone_with_a_place_is_not_waiting_listed(app, confirmed):
    member = _one(S.SELECTED)
    twin = _one(S.NOT_SELECTED) or _one(S.WAITING_LIST)
    if twin.status is S.WAITING_LIST:
        change_status(twin, S.NOT_SELECTED, BY, utcnow())
    twin.full_name, twin.organisation = member.full_name, member.organisation
    db.session.flush()
    with pytest.raises(TransitionRefused, match="same person"):
        change_status(twin, S.WAITING_LIST, BY, utcnow())
    change_status(twin, S.WITHDRAWN, BY, utcnow(), reason="Applied twice")
    assert twin.status is S.WITHDRAWN


def test_reinstating_a_withdrawn_application_tells_the_person(app, confirmed):
    waiting = _one(S.WAITING_LIST)
    change_status(waiting, S.WITHDRAWN, BY, utcnow())
    change_status(waiting, S.SUBMITTED, BY, utcnow(), reason="Withdrawn by mistake")
    db.session.commit()
    [email] = _emails("application_reinstated", waiting.email)
    assert "considered again" in email.body and private_link_for(waiting) in email.body


def test_joining_a_set_whose_dates_are_published_brings_the_calendar(app, confirmed, clock):
    member = _one(S.SELECTED)
    learning_set = set_of(member)
    _plan(learning_set, date(2027, 1, 12))
    schedule.publish(learning_set, BY, utcnow())
    change_status(member, S.DECLINED, "applicant", utcnow())
    waiting = next(a for a in db.session.scalars(select(Application).where(Application.status == S.WAITING_LIST))
                   if learning_set.slot_label in {slot.label for slot in a.slots})
    change_status(waiting, S.SELECTED, BY, utcnow(), learning_set=learning_set)
    db.session.commit()
    offer = _emails("offer", waiting.email)[-1]
    assert offer.attachment_text and "BEGIN:VEVENT" in offer.attachment_text
    assert offer.attachment_name.endswith(".ics")


def test_nobody_is_offered_a_place_in_a_full_set(app, confirmed):
    waiting = _one(S.WAITING_LIST)
    learning_set = db.session.scalars(select(LearningSet)).first()
    programme = current_programme()
    programme.max_set_size = len(learning_set.members)
    with pytest.raises(TransitionRefused, match="is full"):
        change_status(waiting, S.SELECTED, BY, utcnow(), learning_set=learning_set)
    assert waiting.status is S.WAITING_LIST and account_of(waiting) is None


def test_nobody_is_moved_into_a_full_set(app, confirmed):
    first, second = db.session.scalars(select(LearningSet).order_by(LearningSet.id)).all()[:2]
    mover = second.members[0].application
    current_programme().max_set_size = len(first.members)
    with pytest.raises(TransitionRefused, match="is full"):
        move_to_set(mover, first, BY, utcnow())
    assert set_of(mover) is second
