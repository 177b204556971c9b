"""Email wording the organiser can edit: listed, checked, previewed, used when sending, and reset."""
from __future__ import annotations

import html
import logging

from sqlalchemy import select

from app.extensions import db
from app.models import Application, AuditEvent, EmailTemplate, OutboxEmail

LIST = "/manage/settings/emails"


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def outbox(app) -> list[OutboxEmail]:
    with app.app_context():
        emails = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return emails


def test_every_email_is_listed_with_when_it_is_sent(client, auth, app):
    auth.login()
    page = page_of(client.get(LIST))
    for name in ("offer", "waiting_list", "application_received", "fee_reminder"):
        assert f'href="{LIST}/{name}"' in page
    assert "Sent when a person is offered a place in a set" in page
    assert "Sent when someone submits an application, with their private link." in page
    assert "templates/email" not in page and ".txt" not in page


def test_the_edit_page_shows_the_standard_wording_placeholders_and_a_preview(client, auth):
    auth.login()
    response = client.get(f"{LIST}/offer")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = page_of(response)
    assert "Your place in an Action Learning Set: {{ application.reference }}" in page  # the subject box
    assert "{{ application.full_name }}" in page and "the person's name" in page.lower()
    assert "{{ link }}" in page
    preview = page[page.index('id="preview"'):]
    assert "Your place in an Action Learning Set: ALS-7KQ2M" in preview
    assert "such as ALS-7KQ2M" in page and "als-7kq2m" not in page and "ALS-0042" not in page
    assert "Dear Sam Taylor," in preview


def test_saved_wording_is_used_for_the_next_email_and_audited(client, auth, app, apply):
    auth.login()
    response = client.post(f"{LIST}/application_received", data={
        "subject": "Thanks, {{ application.full_name }} ({{ application.reference }})",
        "body": "Hello {{ application.full_name }},\n\nWe have your application for {{ programme.name }}.\n"
                "Your link: {{ link }}\nFee: {{ programme.total_fee_pence | money }}",
        "submit": "Save wording"}, follow_redirects=True)
    assert "Wording saved" in page_of(response)
    auth.logout()
    apply(full_name="Ada Lovelace")
    email = outbox(app)[-1]
    with app.app_context():
        reference = db.session.scalars(select(Application.reference)).one()
    assert email.subject == f"Thanks, Ada Lovelace ({reference})"
    assert email.body.startswith("Hello Ada Lovelace,\n\nWe have your application for Action Learning Sets 2026–27.")
    assert "Your link: https://als.example.org/application/" in email.body
    assert "Fee: £300" in email.body
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.email_changed")).one()
        assert event.actor == "organiser@example.org" and event.target == "email_template:application_received"


def test_preview_does_not_save(client, auth, app):
    auth.login()
    page = page_of(client.post(f"{LIST}/offer", data={
        "subject": "Offer for {{ application.full_name }}", "body": "Welcome to {{ learning_set.name }}.",
        "preview": "Preview"}))
    assert "Offer for Sam Taylor" in page and "Welcome to Set 3." in page
    with app.app_context():
        assert db.session.get(EmailTemplate, "offer") is None


def test_a_syntax_error_is_refused_with_its_line(client, auth, app):
    auth.login()
    response = client.post(f"{LIST}/offer", data={
        "subject": "Your place", "body": "Dear {{ application.full_name }},\n\nYour set: {{ learning_set.name }\n",
        "submit": "Save wording"})
    assert response.status_code == 400
    assert "Wording, line 3:" in page_of(response)
    with app.app_context():
        assert db.session.get(EmailTemplate, "offer") is None


def test_an_unknown_placeholder_is_refused_with_its_line(client, auth, app):
    auth.login()
    response = client.post(f"{LIST}/offer", data={
        "subject": "Your place", "body": "Dear {{ application.full_name }},\n\n{{ secret_key }}\n",
        "submit": "Save wording"})
    assert response.status_code == 400
    assert "Wording, line 3: {{ secret_key }} is not a placeholder this email can use" in page_of(response)
    response = client.post(f"{LIST}/offer", data={
        "subject": "Your place {{ application.shoe_size }}", "body": "Dear {{ application.full_name }}",
        "submit": "Save wording"})
    assert response.status_code == 400
    assert "Subject, line 1: {{ application.shoe_size }} is not one of the placeholders you can use" in page_of(response)


def test_escaping_the_sandbox_is_refused(client, auth, app):
    auth.login()
    attempts = [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ application.__class__ }}",
        "{{ programme.query.delete() }}",
        "{{ config.SECRET_KEY }}",
        "{{ '{0.__class__}'.format(application) }}",
        "{{ programme.slots.append(1) }}",
    ]
    for body in attempts:
        response = client.post(f"{LIST}/offer", data={"subject": "Hi", "body": body, "submit": "Save wording"})
        assert response.status_code == 400, body
        page = page_of(response)
        assert "Wording, line 1:" in page, body
        assert "test" not in page[page.index("govuk-error-summary"):page.index("</ul>", page.index("govuk-error-summary"))]
    with app.app_context():
        assert db.session.get(EmailTemplate, "offer") is None


def test_only_documented_attributes_of_the_placeholders_may_be_used(client, auth, app):
    auth.login()
    for body, shown in [
        ("{{ application.access_token_hash }} {{ link }}", "{{ application.access_token_hash }}"),
        ("{{ application['link_salt'] }} {{ link }}", "{{ application.link_salt }}"),
        ("{{ config.SECRET_KEY }} {{ link }}", "{{ config.SECRET_KEY }}"),
        ("{{ account.application.email }} {{ link }}", "{{ account.application.email }}"),
    ]:
        response = client.post(f"{LIST}/offer", data={"subject": "Hi", "body": body, "submit": "Save wording"})
        page = page_of(response)
        assert response.status_code == 400, body
        assert f"Wording, line 1: {shown} is not one of the placeholders you can use" in page, body
        assert "object" not in page and "has no attribute" not in page, body
    # Copied to another name, the record still gives nothing else away.
    response = client.post(f"{LIST}/offer", data={
        "subject": "Hi", "body": "{% set person = application %}{{ person.access_token_hash }} {{ link }}",
        "submit": "Save wording"})
    page = page_of(response)
    assert response.status_code == 400
    assert "Wording, line 1: “access_token_hash” is not allowed in an email" in page
    assert "SimpleNamespace" not in page and "Sample" not in page
    # What the standard wording uses, and the documented attributes, are fine.
    response = client.post(f"{LIST}/offer", data={
        "subject": "Offer for {{ application.full_name.upper() }}",
        "body": "{{ application.respond_by | uk_date }} {{ programme.total_fee_pence | money }} {{ link }}",
        "submit": "Save wording"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(EmailTemplate, "offer") is not None


def test_an_email_to_the_person_must_keep_their_link(client, auth, app):
    auth.login()
    response = client.post(f"{LIST}/offer", data={
        "subject": "Your place", "body": "Dear {{ application.full_name }}, you have a place.", "submit": "Save wording"})
    assert response.status_code == 400
    assert "The offer email must include {{ link }}: it is how people accept or decline" in page_of(response)
    response = client.post(f"{LIST}/waiting_list", data={
        "subject": "Waiting", "body": "Dear {{ application.full_name }}, you are waiting.", "submit": "Save wording"})
    assert "The waiting list email must include {{ link }}" in page_of(response)
    with app.app_context():
        assert db.session.scalars(select(EmailTemplate)).all() == []
    # The fee reminder goes to whoever pays, not necessarily the person: no link needed.
    response = client.post(f"{LIST}/fee_reminder", data={
        "subject": "Fee", "body": "Please pay for {{ application.full_name }}.", "submit": "Save wording"})
    assert response.status_code == 302


def test_wording_that_fails_when_sent_falls_back_to_the_standard_and_logs(client, auth, app, apply, caplog):
    with app.app_context():  # as if saved before a placeholder stopped working
        from app.clock import utcnow

        db.session.add(EmailTemplate(name="application_received", subject="Hi {{ nobody }}", body="{{ nobody.at_all }}",
                                     updated_at=utcnow(), updated_by="organiser@example.org"))
        db.session.commit()
    with caplog.at_level(logging.ERROR):
        apply(full_name="Grace Hopper")
    email = outbox(app)[-1]
    assert email.subject.startswith("Application received: ALS-")
    assert "Dear Grace Hopper," in email.body
    assert "could not be used" in caplog.text


def test_use_the_standard_wording_resets(client, auth, app):
    auth.login()
    client.post(f"{LIST}/regret", data={"subject": "Sorry", "body": "Sorry, {{ application.full_name }}. {{ link }}",
                                        "submit": "Save wording"})
    page = page_of(client.get(f"{LIST}/regret"))
    assert "This email uses your wording" in page and "Use the standard wording" in page
    assert "Your wording" in page_of(client.get(LIST))
    page = page_of(client.post(f"{LIST}/regret/standard", follow_redirects=True))
    assert "This email uses the standard wording again" in page
    assert "Your application to Action Learning Sets ({{ application.reference }})" in page
    with app.app_context():
        assert db.session.get(EmailTemplate, "regret") is None
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target == "email_template:regret")))
        assert actions == ["settings.email_changed", "settings.email_reset"]


def test_an_unknown_email_is_not_found(client, auth):
    auth.login()
    assert client.get(f"{LIST}/../config").status_code == 404
    assert client.get(f"{LIST}/nothing_like_this").status_code == 404


def test_every_email_can_be_opened_and_its_standard_wording_previewed(client, auth, app):
    from app.settings.emails import standard_names

    auth.login()
    with app.test_request_context():
        names = standard_names()
    assert "offer" in names and "regret" in names
    for name in names:
        response = client.get(f"{LIST}/{name}")
        assert response.status_code == 200, name
        page = page_of(response)
        assert 'id="preview"' in page, name
        assert "Traceback" not in page
