"""The start page tells people when places are being offered already, while applications are open."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import DEADLINE
from tests.factories import confirm_sets

OFFERED = "Places are being offered already"


def test_before_any_sets_the_start_page_just_invites_applications(client):
    page = client.get("/").get_data(as_text=True)
    assert "Start now" in page
    assert OFFERED not in page


def test_sets_confirmed_before_the_deadline_are_explained_to_new_applicants(client, app, clock):
    with app.app_context():
        confirm_sets(40, 3)
    page = client.get("/").get_data(as_text=True)
    assert OFFERED in page
    assert "You can still apply until the deadline" in page
    assert "offer you a place that falls free" in page and "waiting list" in page
    assert "Start now" in page

    clock.now = DEADLINE + timedelta(minutes=1)
    page = client.get("/").get_data(as_text=True)
    assert OFFERED not in page and "Applications closed" in page


def test_the_start_page_says_answers_are_fixed_once_a_decision_is_made(client):
    page = client.get("/").get_data(as_text=True)
    assert "You can change or withdraw your application until the deadline." not in page
    assert "unless we have told you our decision about places before then" in page
    assert "your answers can no longer be changed online: ask the organiser" in page
