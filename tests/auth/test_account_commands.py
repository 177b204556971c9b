"""`als users`, `als deactivate-user`, `als reactivate-user` and `als reset-password`."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, User

PASSWORD = "correct horse battery"


def test_users_lists_accounts_with_last_sign_in_in_uk_time(runner, auth, client, clock):
    assert "No staff accounts yet" in runner.invoke(args=["users"]).output
    auth.create("finance@example.org", "finance")
    clock.advance(days=200)  # into British Summer Time
    auth.login()
    lines = runner.invoke(args=["users"]).output.splitlines()
    assert lines[0].split() == ["email", "role", "active", "last", "sign-in"]
    assert lines[1].split()[:3] == ["finance@example.org", "finance", "yes"] and lines[1].endswith("never")
    assert lines[2].split()[:3] == ["organiser@example.org", "organiser", "yes"]
    assert lines[2].endswith("11am on Friday 21 May 2027 (UK time, BST)")


def test_deactivate_user_signs_them_out_now(runner, auth, client, app):
    auth.login()
    result = runner.invoke(args=["deactivate-user", " Organiser@Example.org\x00 "])
    assert result.exit_code == 0, result.output
    assert "Deactivated organiser@example.org" in result.output
    assert client.get("/manage/applications/").status_code == 302
    assert "already deactivated" in runner.invoke(args=["deactivate-user", "organiser@example.org"]).output
    assert "Reactivated organiser@example.org" in runner.invoke(args=["reactivate-user", "organiser@example.org"]).output
    with app.app_context():
        events = db.session.query(AuditEvent).filter(AuditEvent.action.in_(["user.deactivated", "user.reactivated"]))
        assert [(e.actor, e.action) for e in events.order_by(AuditEvent.id)] == [
            ("cli", "user.deactivated"), ("cli", "user.reactivated")]


def test_unknown_emails_are_reported(runner):
    for command in ("deactivate-user", "reactivate-user", "reset-password"):
        result = runner.invoke(args=[command, "nobody@example.org", *(["--generate"] if command == "reset-password" else [])])
        assert result.exit_code != 0 and "There is no staff account for nobody@example.org" in result.output


def test_reset_password_prompts_twice_and_ends_sessions_and_waits(runner, auth, client, app):
    auth.login()
    other = app.test_client()
    for _ in range(8):
        other.post("/staff/login", data={"email": "organiser@example.org", "password": "guess"})
    result = runner.invoke(args=["reset-password", "organiser@example.org"], input="a new passphrase\nanother one\n"
                           "a new passphrase\na new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert client.get("/manage/applications/").status_code == 302  # signed out
    # The failures are forgotten: the new password works at once, even from the guessing browser.
    assert other.post("/staff/login", data={"email": "organiser@example.org",
                                            "password": "a new passphrase"}).status_code == 302
    assert client.post("/staff/login", data={"email": "organiser@example.org", "password": PASSWORD}).status_code == 200
    with app.app_context():
        event = db.session.query(AuditEvent).filter_by(action="user.password_reset").one()
        assert event.actor == "cli" and event.before is None and event.after is None


def test_reset_password_can_generate_one_and_refuses_short_ones(runner, auth, client, app):
    auth.create()
    assert "at least 10 characters" in runner.invoke(args=["reset-password", "organiser@example.org"],
                                                     input="short\nshort\n").output
    result = runner.invoke(args=["reset-password", "organiser@example.org", "--generate"])
    password = result.output.split("Password: ")[1].strip()
    assert len(password) >= 16
    assert client.post("/staff/login", data={"email": "organiser@example.org", "password": password}).status_code == 302
    with app.app_context():
        assert db.session.query(User).one().failed_logins == 0


def test_create_user_cleans_the_email(runner, app):
    result = runner.invoke(args=["create-user", "\x1bAnn@Example.org\n", "--role", "finance", "--generate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).one().email == "ann@example.org"
