"""Signing out ends the session on the server, not only in the browser."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, auth):
    auth.login()
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/manage/applications/").status_code == 200

    auth.logout()

    response = thief.get("/manage/applications/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.logout").count() == 1


def test_signing_in_again_after_sign_out_works(client, auth):
    auth.login()
    auth.logout()
    assert auth.login().status_code == 302
    assert client.get("/manage/applications/").status_code == 200
