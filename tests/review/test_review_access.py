"""Only organisers see or change applications: anonymous visitors sign in first, finance gets 403."""
from __future__ import annotations

import pytest

from tests.review.review_helpers import references

PAGES = ["/manage/applications/", "/manage/applications/{ref}", "/manage/applications/{ref}/note"]
POSTS = ["/manage/applications/status", "/manage/applications/{ref}/score",
         "/manage/applications/{ref}/eligibility", "/manage/applications/{ref}/status"]


@pytest.fixture
def ref(app, apply) -> str:
    apply()
    return next(iter(references(app).values()))


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, ref, path):
    response = client.get(path.format(ref=ref))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_changes_are_refused(client, ref, path):
    response = client.post(path.format(ref=ref), data={"score-score": "5", "bulk-selected": ref, "bulk-status": "eligible"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("path", PAGES)
def test_finance_cannot_see_applications(client, auth, ref, path):
    auth.login("finance")
    assert client.get(path.format(ref=ref)).status_code == 403


@pytest.mark.parametrize("path", POSTS)
def test_finance_cannot_change_applications(client, auth, app, ref, path):
    auth.login("finance")
    response = client.post(path.format(ref=ref), data={"score-score": "5", "bulk-selected": ref,
                                                       "bulk-status": "eligible", "status-status": "eligible"})
    assert response.status_code == 403


def test_organiser_sees_the_list_and_the_application(client, auth, ref):
    auth.login("organiser")
    assert client.get("/manage/applications/").status_code == 200
    page = client.get(f"/manage/applications/{ref}")
    assert page.status_code == 200
    assert "Siobhán Ní Bhriain" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_an_unknown_reference_is_not_found(client, auth):
    auth.login("organiser")
    assert client.get("/manage/applications/ALS-NOPE1").status_code == 404
