"""Staff sign-in: accounts from the command line, roles, slowing down guessing, the audit log."""
from __future__ import annotations


from app.extensions import db
from app.models import AuditEvent, User


def test_create_user_generates_a_password_that_works(runner, client, app):
    result = runner.invoke(args=["create-user", "Ann@Example.org", "--role", "organiser", "--generate"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    assert len(password) >= 16
    response = client.post("/staff/login", data={"email": "ann@example.org", "password": password})
    assert response.headers["Location"] == "/manage/applications/"
    with app.app_context():
        user = db.session.query(User).one()
        assert user.password_hash != password and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert db.session.query(AuditEvent).filter_by(action="user.created").count() == 1


def test_create_user_refuses_duplicates_and_short_passwords(runner):
    runner.invoke(args=["create-user", "ann@example.org", "--role", "finance", "--generate"])
    assert "already has an account" in runner.invoke(args=["create-user", "ANN@example.org", "--role", "finance", "--generate"]).output
    result = runner.invoke(args=["create-user", "bob@example.org", "--role", "finance"], input="short\nshort\n")
    assert "at least 10 characters" in result.output


def test_wrong_password_shows_one_message_for_any_mistake(client, auth):
    auth.create()
    for email, password in (("organiser@example.org", "wrong password"), ("nobody@example.org", "wrong password")):
        page = client.post("/staff/login", data={"email": email, "password": password}).get_data(as_text=True)
        assert "Enter a correct email address and password" in page
        assert "<title>Error: Sign in" in page


def test_repeated_failures_are_slowed_down_then_allowed_again(client, auth, clock):
    auth.create()
    for _ in range(5):
        client.post("/staff/login", data={"email": "organiser@example.org", "password": "guess"})
    page = client.post("/staff/login", data={"email": "organiser@example.org",
                                             "password": "correct horse battery"}).get_data(as_text=True)
    assert "Too many failed attempts. Try again in 1 minute" in page
    clock.advance(minutes=1, seconds=1)
    response = client.post("/staff/login", data={"email": "organiser@example.org", "password": "correct horse battery"})
    assert response.status_code == 302


def test_roles_are_checked_on_staff_pages(client, auth):
    assert client.get("/manage/selection/").headers["Location"].startswith("/staff/login?next=")
    auth.login("finance")
    assert client.get("/manage/selection/").status_code == 403
    assert client.get("/manage/applications/").status_code == 403
    auth.logout()
    auth.login("organiser")
    assert client.get("/manage/selection/").status_code == 200


def test_after_signing_in_only_local_pages_are_followed(client, auth):
    auth.create()
    response = client.post("/staff/login?next=https://evil.example/steal",
                           data={"email": "organiser@example.org", "password": "correct horse battery"})
    assert response.headers["Location"] == "/manage/applications/"
    auth.logout()
    response = client.post("/staff/login?next=/manage/selection/",
                           data={"email": "organiser@example.org", "password": "correct horse battery"})
    assert response.headers["Location"] == "/manage/selection/"


def test_signing_out_needs_a_post_and_ends_the_session(client, auth):
    auth.login()
    assert client.get("/staff/logout").status_code == 405
    auth.logout()
    assert client.get("/manage/applications/").status_code == 302


def test_a_deactivated_account_cannot_sign_in_or_stay_signed_in(client, auth, app):
    auth.login()
    with app.app_context():
        user = db.session.query(User).one()
        user.active = False
        db.session.commit()
    assert client.get("/manage/applications/").status_code == 302
    page = client.post("/staff/login", data={"email": "organiser@example.org", "password": "correct horse battery"})
    assert "Enter a correct email address and password" in page.get_data(as_text=True)
