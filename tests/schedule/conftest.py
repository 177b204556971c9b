"""Shared fixtures: confirmed sets made the way the organiser makes them (demo applicants, a real
selection run, confirmation), and a signed-in organiser."""
from __future__ import annotations

import pytest

from tests.factories import confirm_sets, set_ids
from tests.schedule.sched_helpers import plan


@pytest.fixture
def confirmed_sets(app, runner) -> list[int]:
    """Ids of the sets a confirmed selection of 60 eligible demo applicants created."""
    with app.app_context():
        confirm_sets(60, 3)
        ids = set_ids()
    assert ids, "the demo applicants should form at least one set"
    return ids


@pytest.fixture
def organiser(auth):
    auth.login("organiser")
    return auth


@pytest.fixture
def planned(client, organiser, confirmed_sets) -> int:
    set_id = confirmed_sets[0]
    response = plan(client, set_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    return set_id
