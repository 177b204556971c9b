"""Facilitator accounts: `als create-user --role facilitator` with their details, signing in at the
staff sign-in page to land on their own page, the organiser changing their details, and no
organiser or finance page for them."""
from __future__ import annotations

import html
import re

from app.extensions import db
from app.models import AuditEvent, User

PASSWORD = "correct horse battery"
NEWCASTLE = "Newcastle City Centre, Tuesday mornings"
DURHAM = "Durham, Wednesday mornings"
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _user(app, email: str) -> User:
    with app.app_context():
        return db.session.query(User).filter_by(email=email).one()


def test_create_user_makes_a_facilitator_with_their_name_organisation_and_places(runner, app, client):
    result = runner.invoke(args=["create-user", "fran@example.org", "--role", "facilitator", "--name", "Fran Facil",
                                 "--organisation", "Facilitation Ltd", "--can-attend", "durham,  wednesday MORNINGS",
                                 "--can-attend", NEWCASTLE, "--generate"])
    assert result.exit_code == 0, result.output
    assert "Created facilitator account for fran@example.org." in result.output
    assert f"Can attend: {DURHAM}; {NEWCASTLE}" in result.output
    user = _user(app, "fran@example.org")
    # Stored as the programme writes the places, so they match the sets' places exactly.
    assert (user.role.value, user.full_name, user.organisation, user.can_attend) == (
        "facilitator", "Fran Facil", "Facilitation Ltd", [DURHAM, NEWCASTLE])
    password = result.output.split("Password: ")[1].strip()
    assert client.post("/staff/login", data={"email": "fran@example.org", "password": password}).status_code == 302


def test_create_user_refuses_a_place_and_time_the_programme_does_not_have(runner, app):
    result = runner.invoke(args=["create-user", "fran@example.org", "--role", "facilitator",
                                 "--can-attend", NEWCASTLE, "--can-attend", "Hexham, Monday evenings", "--generate"])
    assert result.exit_code != 0
    assert "Not a place and time of the current programme: Hexham, Monday evenings." in result.output
    assert f"The places and times are: “{NEWCASTLE}”; “{DURHAM}”" in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_details_are_for_facilitators_only(runner, app):
    result = runner.invoke(args=["create-user", "fin@example.org", "--role", "finance", "--organisation", "Council",
                                 "--generate"])
    assert result.exit_code != 0 and "are for facilitators" in result.output
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_a_facilitator_signs_in_at_the_staff_sign_in_page_and_lands_on_their_sets(client, auth):
    response = auth.login("facilitator")
    assert response.status_code == 302 and response.headers["Location"] == "/facilitate/"
    # Already signed in, the sign-in page sends them there too, never to an organiser's page.
    assert client.get("/staff/login").headers["Location"] == "/facilitate/"


def test_the_organiser_changes_a_facilitators_name_organisation_and_places(app, client, auth):
    auth.create("fran@example.org", "facilitator")
    auth.login()
    page = html.unescape(client.get("/manage/staff/").get_data(as_text=True))
    row = page.split('data-user="fran@example.org"')[1].split("</tr>")[0]
    assert "Facilitator" in row and "No name or organisation yet" in row and "no places and times yet" in row
    assert "Change details" not in page.split('data-user="organiser@example.org"')[1].split("</tr>")[0]
    fran = _user(app, "fran@example.org").id
    organiser = _user(app, "organiser@example.org").id
    form = client.get(f"/manage/staff/{fran}/details").get_data(as_text=True)
    assert NEWCASTLE in form and DURHAM in form and 'type="checkbox"' in form

    page = client.post(f"/manage/staff/{fran}/details", data={
        "full_name": " Fran  Facil ", "organisation": "Facilitation Ltd", "can_attend": [DURHAM]},
        follow_redirects=True).get_data(as_text=True)
    assert "Details saved for Fran Facil" in page
    row = html.unescape(page).split('data-user="fran@example.org"')[1].split("</tr>")[0]
    assert "Fran Facil, Facilitation Ltd." in row and f"Can attend: {DURHAM}." in row
    user = _user(app, "fran@example.org")
    assert (user.full_name, user.organisation, user.can_attend) == ("Fran Facil", "Facilitation Ltd", [DURHAM])
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="user.details_changed").one()
        assert event.actor == "organiser@example.org" and event.after["can_attend"] == [DURHAM]

    too_long = client.post(f"/manage/staff/{fran}/details", data={"full_name": "F" * 201})
    assert too_long.status_code == 200 and "Full name must be 200 characters or fewer" in too_long.get_data(as_text=True)
    # Only facilitators have these details.
    assert client.get(f"/manage/staff/{organiser}/details").status_code == 404


def test_only_organisers_change_a_facilitators_details(app, client, auth):
    auth.create("fran@example.org", "facilitator")
    fran = _user(app, "fran@example.org").id
    auth.login("finance")
    assert client.get(f"/manage/staff/{fran}/details").status_code == 403
    assert client.post(f"/manage/staff/{fran}/details", data={"full_name": "Someone else"}).status_code == 403
    assert _user(app, "fran@example.org").full_name == ""


def _example_url(rule: str) -> str:
    """A URL for a route, with a value of the right kind in each placeholder."""
    def value(match: re.Match) -> str:
        converter, arguments, _ = match.groups()
        if converter == "int":
            return "1"
        if converter == "any":
            return arguments.split(",")[0].strip()
        return "x"
    return PLACEHOLDER.sub(value, rule)


def test_a_facilitator_reaches_no_organiser_or_finance_page(app, client, auth):
    auth.login("facilitator")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/manage"):
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = client.open(_example_url(rule.rule), method=method)
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked += 1
    assert checked > 50  # every area: applications, selection, schedule, running, fees, downloads, settings, staff
