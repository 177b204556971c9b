"""After the offer: one reminder to answer after a week, and the organiser's offers page with who has
accepted, who has not answered yet, who is past the date to answer, and who declined."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from app.applications.lifecycle import accept_place, decline_place
from app.applications.service import private_link_for
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent
from app.offers import cli as offers_cli
from app.offers.service import queue_response_reminders
from app.programmes import current_programme
from tests.factories import confirm_sets
from tests.helpers import link_from, outbox

S = ApplicationStatus


@pytest.fixture
def confirmed(app):
    with app.app_context():
        counts = confirm_sets(60, 3, sets=4)
        assert counts["selected"] >= 3, counts
    return counts


def _selected(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Application.reference).where(Application.status == S.SELECTED)
                                       .order_by(Application.reference)))


def _reminders(app) -> list:
    return [e for e in outbox(app) if e.template == "respond_reminder"]


def _answer(app, reference: str, accept: bool, reason: str = "") -> None:
    with app.app_context():
        application = db.session.scalars(select(Application).where(Application.reference == reference)).one()
        if accept:
            accept_place(application, utcnow())
        else:
            decline_place(application, reason, utcnow())
        db.session.commit()


def test_one_reminder_a_week_after_the_offer_to_those_who_have_not_answered(app, confirmed, clock):
    selected = _selected(app)
    _answer(app, selected[0], accept=True)
    with app.app_context():
        clock.advance(days=6, hours=23)
        assert queue_response_reminders(current_programme(), utcnow(), "cli") == 0
        clock.advance(hours=1)
        assert queue_response_reminders(current_programme(), utcnow(), "cli") == len(selected) - 1
        db.session.commit()
        assert queue_response_reminders(current_programme(), utcnow(), "cli") == 0
        clock.advance(days=3)
        assert queue_response_reminders(current_programme(), utcnow(), "cli") == 0
        reminded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.response_reminded"))
        assert len(list(reminded)) == len(selected) - 1
        first = db.session.scalars(select(Application).where(Application.reference == selected[1])).one()
        path = urlparse(private_link_for(first)).path
        email = first.email
        accepted = db.session.scalars(select(Application).where(Application.reference == selected[0])).one().email
    reminders = _reminders(app)
    assert len(reminders) == len(selected) - 1
    assert accepted not in {e.to_address for e in reminders}
    [mine] = [e for e in reminders if e.to_address == email]
    assert link_from(mine) == path
    assert "accept or decline your place by Monday 16 November 2026" in mine.body


def test_remind_offers_from_the_command_line(app, runner, confirmed, clock):
    offers_cli.init_app(app)
    result = runner.invoke(args=["remind-offers"])
    assert result.exit_code == 0 and "No reminders to send" in result.output
    clock.advance(days=7)
    result = runner.invoke(args=["remind-offers"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{len(_selected(app))} reminders queued"
    assert len(_reminders(app)) == len(_selected(app))
    assert "No reminders to send" in runner.invoke(args=["remind-offers"]).output


def test_the_offers_page_groups_answers_and_highlights_those_past_the_date(app, client, auth, confirmed, clock):
    selected = _selected(app)
    _answer(app, selected[0], accept=True)
    _answer(app, selected[1], accept=False, reason="Moving abroad")
    clock.advance(days=15)  # respond-by was Monday 16 November
    auth.login("organiser")
    response = client.get("/manage/offers/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    overdue = len(selected) - 2
    assert f"Past the date to answer ({overdue})" in page
    assert "Accepted (1)" in page and "Declined (1)" in page and "Waiting for an answer (0)" in page
    assert "Reason: Moving abroad" in page
    overdue_list = page.split('id="overdue-list"')[1].split("</dl>")[0]
    assert f'/manage/applications/{selected[2]}' in overdue_list
    assert "Past the date to answer" in overdue_list and "Respond by Monday 16 November 2026" in overdue_list
    assert selected[0] not in overdue_list and selected[1] not in overdue_list


def test_before_the_date_the_unanswered_are_waiting_not_overdue(app, client, auth, confirmed):
    auth.login("organiser")
    page = client.get("/manage/offers/").get_data(as_text=True)
    assert f"Waiting for an answer ({len(_selected(app))})" in page
    assert "Past the date to answer (0)" in page


def test_the_reminder_button_queues_reminders_once(app, client, auth, confirmed, clock):
    clock.advance(days=8)
    auth.login("organiser")
    page = client.post("/manage/offers/reminders", data={}, follow_redirects=True).get_data(as_text=True)
    count = len(_selected(app))
    assert f"{count} reminders queued" in page
    page = client.post("/manage/offers/reminders", data={}, follow_redirects=True).get_data(as_text=True)
    assert "No reminders to send" in page
    assert len(_reminders(app)) == count


def test_finance_and_anonymous_visitors_cannot_open_the_offers_page(app, client, auth, confirmed):
    anonymous = client.get("/manage/offers/")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    assert client.post("/manage/offers/reminders").status_code == 302
    auth.login("finance")
    assert client.get("/manage/offers/").status_code == 403
    assert client.post("/manage/offers/reminders").status_code == 403
    assert not _reminders(app)
