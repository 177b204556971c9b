"""Fixtures for the applicant and member tests."""
from __future__ import annotations

import pytest

from tests.factories import confirm_sets


@pytest.fixture
def confirmed(app):
    """Four confirmed sets from 60 demo applicants, so some people are on the waiting list."""
    with app.app_context():
        counts = confirm_sets(60, 3, sets=4)
        assert counts["selected"] and counts["waiting_list"], counts
    return counts
