"""Staff who open a page their role does not allow see a page in the service's layout, with a way back."""
from __future__ import annotations

import html


def test_finance_opening_an_organiser_page_sees_a_styled_403(client, auth):
    auth.login("finance")
    response = client.get("/manage/applications/")
    assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"
    page = html.unescape(response.get_data(as_text=True))
    assert "<title>You cannot see this page – Action Learning Sets</title>" in page
    assert 'class="als-header"' in page and "govuk-footer" in page  # the service's own layout
    assert "You are signed in as finance@example.org, whose account is for finance" in page
    assert 'href="/manage/finance/"' in page and "Go to fees" in page
    assert "Forbidden" not in page and "Traceback" not in page and "werkzeug" not in page.lower()


def test_the_403_page_is_shown_for_every_organiser_only_area(client, auth):
    auth.login("finance")
    for path in ("/manage/selection/", "/manage/schedule/", "/manage/staff/", "/manage/settings/programme",
                 "/manage/settings/emails/offer"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You cannot see this page" in response.get_data(as_text=True), path
