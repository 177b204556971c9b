"""The organiser's page of staff accounts."""
from __future__ import annotations

from app.extensions import db
from app.models import AuditEvent, User

PASSWORD = "correct horse battery"


def _user(app, email: str) -> User:
    with app.app_context():
        return db.session.query(User).filter_by(email=email).one()


def test_organisers_see_every_account_with_its_last_sign_in(client, auth, clock):
    auth.create("finance@example.org", "finance")
    client.post("/staff/login", data={"email": "finance@example.org", "password": "wrong password"})
    clock.advance(hours=3)
    auth.login()
    page = client.get("/manage/staff/").get_data(as_text=True)
    assert "Staff accounts" in page and 'href="/manage/staff/"' in page  # in the staff navigation
    row = page.split('data-user="finance@example.org"')[1].split("</tr>")[0]
    assert "Finance" in row and "Active" in row and "2 November 2026" in row and "Never" in row
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row
    own = page.split('data-user="organiser@example.org"')[1].split("</tr>")[0]
    assert "(you)" in own and "1pm on Monday 2 November 2026" in own and "Deactivate" not in own


def test_only_organisers_see_staff_accounts(client, auth):
    assert client.get("/manage/staff/").headers["Location"].startswith("/staff/login")
    auth.login("finance")
    assert client.get("/manage/staff/").status_code == 403
    auth.create("someone@example.org")
    assert client.post(f"/manage/staff/{_user(auth._app, 'someone@example.org').id}/deactivate").status_code == 403


def test_deactivating_signs_the_person_out_and_reactivating_lets_them_back(app, client, auth):
    colleague = app.test_client()
    auth.create("finance@example.org", "finance")
    colleague.post("/staff/login", data={"email": "finance@example.org", "password": PASSWORD})
    assert colleague.get("/manage/finance/").status_code == 200
    auth.login()
    target = _user(app, "finance@example.org").id

    page = client.post(f"/manage/staff/{target}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "finance@example.org is deactivated and signed out" in page
    assert colleague.get("/manage/finance/").status_code == 302
    assert "Enter a correct email address and password" in colleague.post(
        "/staff/login", data={"email": "finance@example.org", "password": PASSWORD}).get_data(as_text=True)

    page = client.post(f"/manage/staff/{target}/reactivate", follow_redirects=True).get_data(as_text=True)
    assert "finance@example.org can sign in again" in page
    assert colleague.post("/staff/login", data={"email": "finance@example.org", "password": PASSWORD}).status_code == 302
    with app.app_context():
        events = db.session.query(AuditEvent).filter(AuditEvent.action.in_(["user.deactivated", "user.reactivated"]))
        assert [(e.actor, e.action) for e in events.order_by(AuditEvent.id)] == [
            ("organiser@example.org", "user.deactivated"), ("organiser@example.org", "user.reactivated")]


def test_an_organiser_cannot_deactivate_themselves(app, client, auth):
    auth.login()
    me = _user(app, "organiser@example.org")
    response = client.post(f"/manage/staff/{me.id}/deactivate")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Staff accounts" in page and "You cannot deactivate your own account" in page
    assert _user(app, "organiser@example.org").active
    assert client.get("/manage/staff/").status_code == 200


def test_the_buttons_need_the_forms_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from app.auth.accounts import create_user
        from app.models import Role

        create_user("organiser@example.org", PASSWORD, Role.ORGANISER, app.config["CLOCK"](), by="test")
        create_user("finance@example.org", PASSWORD, Role.FINANCE, app.config["CLOCK"](), by="test")
        db.session.commit()
        target = db.session.query(User).filter_by(email="finance@example.org").one().id
    login_page = client.get("/staff/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/staff/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/manage/staff/{target}/deactivate").status_code == 400
    assert _user(app, "finance@example.org").active
    page = client.get("/manage/staff/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/manage/staff/{target}/deactivate", data={"csrf_token": token}).status_code == 302
    assert not _user(app, "finance@example.org").active
