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
