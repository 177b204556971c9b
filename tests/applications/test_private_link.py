"""The private link: see, change or withdraw until the deadline; wrong or replaced links fail."""
from __future__ import annotations

import io
from datetime import timedelta

from tests.applications.test_deadline import set_dates
from tests.helpers import answers, applications, link_from, outbox, pdf_bytes


def test_the_link_shows_the_application_and_hides_from_caches_and_referrers(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    response = client.get(link)
    page = response.get_data(as_text=True)
    assert "Siobhán Ní Bhriain" in page and "Gateshead Council" in page
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_applicant_can_change_answers_and_the_change_is_recorded(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    form = client.get(link + "/change").get_data(as_text=True)
    assert 'value="Director of Operations"' in form
    data = answers(app, job_title="Chief Executive", slots=None)
    data["slots"] = [str(slot) for slot in _slot_ids(app)]
    response = client.post(link + "/change", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert "Your changes have been saved" in response.get_data(as_text=True)
    [application] = applications(app)
    assert application.job_title == "Chief Executive"
    assert len(application.slots) == 2
    assert outbox(app)[-1].subject.startswith("Application changed")
    with app.app_context():
        from app.extensions import db
        from app.models import AuditEvent

        event = db.session.query(AuditEvent).filter_by(action="application.changed").one()
        assert event.before["job_title"] == "Director of Operations"
        assert event.after["job_title"] == "Chief Executive"
        assert event.actor == "applicant"


def _slot_ids(app):
    from tests.helpers import slot_ids

    return slot_ids(app)


def test_changing_the_note_to_an_upload_keeps_it_and_an_unchanged_form_says_so(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    data = answers(app)
    data["note_file"] = (io.BytesIO(pdf_bytes(1)), "new.pdf", "application/pdf")
    client.post(link + "/change", data=data, content_type="multipart/form-data")
    assert applications(app)[0].note_file.original_name == "new.pdf"
    unchanged = client.post(link + "/change", data=answers(app), content_type="multipart/form-data", follow_redirects=True)
    assert "You did not change anything" in unchanged.get_data(as_text=True)
    assert applications(app)[0].note_file.original_name == "new.pdf"


def test_a_change_with_errors_shows_them_and_saves_nothing(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    page = client.post(link + "/change", data=answers(app, organisation=""), content_type="multipart/form-data")
    assert "Enter the name of your organisation" in page.get_data(as_text=True)
    assert applications(app)[0].organisation == "Gateshead Council"


def test_the_applicant_can_withdraw_before_the_deadline(apply, client, app):
    apply()
    link = link_from(outbox(app)[0])
    assert "Are you sure" in client.get(link + "/withdraw").get_data(as_text=True)
    page = client.post(link + "/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Your application has been withdrawn" in page
    assert applications(app)[0].status.value == "withdrawn"
    assert outbox(app)[-1].subject.startswith("Application withdrawn")
    assert "Change your application" not in page


def test_after_the_deadline_the_link_still_shows_but_nothing_can_change(apply, client, app, clock):
    apply()
    link = link_from(outbox(app)[0])
    set_dates(app, clock.now - timedelta(seconds=1))
    page = client.get(link).get_data(as_text=True)
    assert "can no longer be changed" in page
    assert client.get(link + "/change").status_code == 403
    response = client.post(link + "/change", data=answers(app, job_title="Changed late"), content_type="multipart/form-data")
    assert response.status_code == 403
    assert applications(app)[0].job_title == "Director of Operations"
    client.post(link + "/withdraw")
    assert applications(app)[0].status.value == "submitted"


def test_a_wrong_or_replaced_link_finds_nothing_and_offers_a_new_one(apply, client, app):
    apply()
    old = link_from(outbox(app)[0])
    wrong = client.get("/application/not-a-real-token")
    assert wrong.status_code == 404
    assert "Get a new link to your application" in wrong.get_data(as_text=True)
    assert client.get("/application/" + "x" * 500).status_code == 404

    page = client.post("/application/find", data={"email": "Siobhan@Example.org"}).get_data(as_text=True)
    assert "Check your email" in page
    new = link_from(outbox(app)[-1])
    assert client.get(old).status_code == 404
    assert client.get(old + "/change").status_code == 404
    assert client.get(new).status_code == 200


def test_asking_for_a_link_for_an_unknown_email_says_the_same_and_sends_nothing(apply, client, app):
    apply()
    before = len(outbox(app))
    page = client.post("/application/find", data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert "Check your email" in page
    assert len(outbox(app)) == before


def test_the_uploaded_note_downloads_as_an_attachment(client, app):
    client.get("/apply")
    data = answers(app, note_text="")
    data["note_file"] = (io.BytesIO(pdf_bytes(1)), "../../etc/passwd.pdf", "application/pdf")
    client.post("/apply", data=data, content_type="multipart/form-data")
    client.post("/apply/check")
    link = link_from(outbox(app)[0])
    response = client.get(link + "/note")
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF-")
    assert applications(app)[0].note_file.original_name == "passwd.pdf"


def test_new_links_are_sent_at_most_every_few_minutes_so_an_inbox_cannot_be_flooded(apply, client, app, clock):
    apply()
    for _ in range(5):
        client.post("/application/find", data={"email": "siobhan@example.org"})
    links = [email for email in outbox(app) if email.template == "private_link"]
    assert len(links) == 1
    assert client.get(link_from(links[0])).status_code == 200, "the link sent stays valid"
    clock.advance(minutes=6)
    client.post("/application/find", data={"email": "siobhan@example.org"})
    assert len([email for email in outbox(app) if email.template == "private_link"]) == 2
