"""The applicant's journey through the test client: form, check your answers, confirmation, email."""
from __future__ import annotations

import re

from tests.helpers import answers, applications, link_from, outbox


def test_start_page_explains_the_programme_and_links_to_the_form(client):
    page = client.get("/").get_data(as_text=True)
    assert "Apply to join an Action Learning Set" in page
    assert "£50 a session: £300 for 6 sessions, paid up front" in page
    assert "Chatham House" in page
    assert "5pm on Friday 4 December 2026 (UK time, GMT)" in page
    assert 'href="/apply"' in page
    assert "privacy notice" in page.lower()


def test_applying_gives_a_reference_a_confirmation_and_an_email_with_a_private_link(client, app):
    client.get("/apply")
    response = client.post("/apply", data=answers(app), content_type="multipart/form-data")
    assert response.headers["Location"] == "/apply/check"

    check = client.get("/apply/check").get_data(as_text=True)
    assert "Check your answers before you apply" in check
    assert "Siobhán Ní Bhriain" in check and "Gateshead Council" in check
    assert "Newcastle City Centre, Tuesday mornings" in check

    done = client.post("/apply/check", follow_redirects=True).get_data(as_text=True)
    assert "Application submitted" in done
    reference = re.search(r"ALS-[2-9A-HJ-NP-Z]{5}", done).group(0)

    [application] = applications(app)
    assert application.reference == reference
    assert application.status.value == "submitted" and not application.late
    [email] = outbox(app)
    assert email.to_address == "siobhan@example.org"
    assert reference in email.subject
    private = client.get(link_from(email)).get_data(as_text=True)
    assert f"Your application {reference}" in private


def test_change_links_on_check_your_answers_keep_everything_entered(client, app):
    client.get("/apply")
    client.post("/apply", data=answers(app, job_title="Chief Executive"), content_type="multipart/form-data")
    check = client.get("/apply/check").get_data(as_text=True)
    assert 'href="/apply#job_title"' in check

    form = client.get("/apply").get_data(as_text=True)
    assert 'value="Chief Executive"' in form
    assert 'value="Siobhán Ní Bhriain"' in form
    assert "I lead a team of 200 people" in form
    assert re.search(r'value="public"\s+checked', form)


def test_pressing_submit_twice_or_refreshing_the_confirmation_creates_one_application(client, app):
    client.get("/apply")
    client.post("/apply", data=answers(app), content_type="multipart/form-data")
    first = client.post("/apply/check")
    second = client.post("/apply/check")
    assert first.headers["Location"] == second.headers["Location"] == "/apply/confirmation"
    page_one = client.get("/apply/confirmation").get_data(as_text=True)
    page_two = client.get("/apply/confirmation").get_data(as_text=True)
    assert re.search(r"ALS-\w{5}", page_one).group(0) == re.search(r"ALS-\w{5}", page_two).group(0)
    assert len(applications(app)) == 1
    assert len(outbox(app)) == 1


def test_one_application_per_email_a_second_attempt_resends_the_link(apply, client, app):
    apply()
    old_link = link_from(outbox(app)[0])
    client.get("/apply")
    second = apply(email="SIOBHAN@example.org", full_name="Someone Else").get_data(as_text=True)
    assert "You have already applied" in second
    assert len(applications(app)) == 1
    resent = outbox(app)[-1]
    assert resent.to_address == "siobhan@example.org"
    new_link = link_from(resent)
    assert client.get(new_link).status_code == 200
    assert client.get(old_link).status_code == 404


def test_text_in_any_script_is_kept_and_formulas_stay_plain_text(apply, app):
    apply(full_name='=HYPERLINK("http://x","y")', organisation="李小龍 & Zoë's Café 🎉",
          offer="Line one\r\nLine two\x07 with a bell")
    [application] = applications(app)
    assert application.full_name == '=HYPERLINK("http://x","y")'
    assert application.organisation == "李小龍 & Zoë's Café 🎉"
    assert application.offer == "Line one\nLine two with a bell"


def test_confirmation_without_an_application_goes_back_to_the_start(client):
    response = client.get("/apply/confirmation")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_double_click_on_submit_shows_the_confirmation_not_already_applied(client, app, monkeypatch):
    """The second click's request read the draft before the first one committed the application."""
    from app.applications import routes
    from tests.helpers import answers

    client.get("/apply")
    client.post("/apply", data=answers(app), content_type="multipart/form-data")
    assert client.post("/apply/check").status_code == 302
    real_current_draft = routes._current_draft

    def draft_as_read_before_the_first_commit(programme):  # type: ignore[no-untyped-def]
        draft = real_current_draft(programme)
        draft.application_id = None
        return draft

    monkeypatch.setattr(routes, "_current_draft", draft_as_read_before_the_first_commit)
    response = client.post("/apply/check", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Application submitted" in page and "already applied" not in page
