"""Bad answers get a clear message next to the field and in the error summary; nothing is lost."""
from __future__ import annotations

import re

import pytest

from tests.helpers import answers, applications


def post(client, data):
    client.get("/apply")
    return client.post("/apply", data=data, content_type="multipart/form-data")


def test_an_empty_form_lists_every_problem_and_links_to_each_field(client, app):
    page = post(client, {}).get_data(as_text=True)
    assert "<title>Error: Apply for a place" in page
    assert "There is a problem" in page
    for field_id, message in [
        ("full_name", "Enter your full name"),
        ("email", "Enter your email address"),
        ("organisation", "Enter the name of your organisation"),
        ("sector", "Select the sector your organisation works in"),
        ("job_title", "Enter your job title"),
        ("offer", "Enter what you can offer the set"),
        ("expectations", "Enter what you expect to get out of the set"),
        ("note_file", "Upload your note, or type it in the box below"),
        ("slots", "Select at least one place and time you can attend"),
        ("payer", "Select who will pay the fee"),
        ("agree_commitment", "Confirm that you can commit to all six sessions"),
        ("agree_fee", "Confirm that you understand the fee is paid up front"),
        ("agree_chatham_house", "Confirm that you will follow Chatham House rules"),
        ("agree_privacy", "Confirm that you have read the privacy notice"),
    ]:
        assert f'href="#{field_id}">{message}' in page, field_id
        assert page.count(message) >= 2, f"{message} should also appear next to the field"
    assert "novalidate" in page
    assert applications(app) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("email", "name@", "Enter an email address in the correct format"),
        ("phone", "call me maybe", "Enter a telephone number"),
        ("sector", "government", "Select public, private or voluntary sector"),
        ("slots", ["9999"], "Select places and times from the list"),
        ("full_name", "x" * 201, "Full name must be 200 characters or fewer"),
        ("offer", "word " * 251, "What you can offer must be 250 words or fewer: you have 251"),
        ("note_text", "word " * 1001, "Your note must be 1,000 words or fewer (two sides of A4): you have 1,001"),
        ("full_name", "\x00\x01\x02", "Enter your full name"),
        ("offer", "x" * 2_501, "What you can offer must be 2,500 characters or fewer: you have 2,501"),
        ("expectations", "word " * 200 + "y" * 2_000,
         "What you expect must be 2,500 characters or fewer: you have 3,000"),
        ("note_text", "z" * 10_001, "Your note must be 10,000 characters or fewer: you have 10,001"),
    ],
)
def test_each_rule_has_a_message_next_to_its_field(client, app, field, value, message):
    page = post(client, answers(app, **{field: value})).get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert applications(app) == []


def test_answers_are_kept_when_the_form_has_errors(client, app):
    page = post(client, answers(app, email="wrong", job_title="Chief Executive")).get_data(as_text=True)
    assert 'value="Chief Executive"' in page
    assert 'value="wrong"' in page
    assert "I lead a team of 200 people" in page


def test_email_deliverability_is_not_checked(client, app):
    # No DNS here or behind many firewalls: a well-formed address on an unknown domain is accepted.
    response = post(client, answers(app, email="someone@no-such-domain-really.invalid-tld-xyz"))
    assert response.status_code == 302


def test_forms_are_protected_against_cross_site_requests(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/apply", data=answers(app), content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Your session has expired" in response.get_data(as_text=True)
    page = client.get("/apply").get_data(as_text=True)
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', page)


def test_every_free_text_answer_states_its_limit_on_the_form(client):
    page = client.get("/apply").get_data(as_text=True)
    assert page.count("Up to 250 words and 2,500 characters") == 2  # offer, expectations
    assert "No more than 1,000 words, which fits two sides of A4, and 10,000 characters." in page
