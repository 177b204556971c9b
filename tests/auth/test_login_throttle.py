"""Guessing staff passwords: counted atomically, slowed down per email and client address, and never
a way to keep the real person out."""
from __future__ import annotations

import threading

from app.auth import accounts
from app.extensions import db
from app.models import User

EMAIL = "organiser@example.org"
PASSWORD = "correct horse battery"
ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
OWNER = {"REMOTE_ADDR": "203.0.113.20"}


def _sign_in(client, password: str, email: str = EMAIL, address: dict | None = None):
    return client.post("/staff/login", data={"email": email, "password": password},
                       environ_base=address or ATTACKER)


def _count_password_checks(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = accounts.check_password_hash

    def counting(password_hash: str, password: str) -> bool:
        calls.append(1)  # list.append is atomic, so threads need no lock
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return calls


def test_parallel_wrong_passwords_get_only_the_free_attempts_checked(app, auth, monkeypatch):
    auth.create(EMAIL)
    checks = _count_password_checks(monkeypatch)
    attempts = 30
    start = threading.Barrier(attempts)
    pages: list[str] = []

    def guess() -> None:
        client = app.test_client()
        start.wait()
        pages.append(_sign_in(client, "wrong password").get_data(as_text=True))

    threads = [threading.Thread(target=guess) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pages) == attempts  # no request failed with an error
    assert len(checks) <= accounts.FREE_ATTEMPTS
    assert sum("Too many failed attempts" in page for page in pages) >= attempts - accounts.FREE_ATTEMPTS
    with app.app_context():
        # Every real check that failed was counted, none lost to a race.
        assert db.session.query(User).one().failed_logins == len(checks)


def test_an_attackers_failures_do_not_keep_the_owner_out(client, auth, clock):
    auth.create(EMAIL)
    for _ in range(12):
        _sign_in(client, "guess", address=ATTACKER)
        clock.advance(seconds=20)
    # The attacker's address must wait, even with the right password...
    assert "Too many failed attempts" in _sign_in(client, PASSWORD, address=ATTACKER).get_data(as_text=True)
    # ...while the owner, from their own address, signs in at once.
    response = _sign_in(client, PASSWORD, address=OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/manage/applications/"


def test_the_wait_grows_but_is_capped(client, auth, clock):
    auth.create(EMAIL)
    for _ in range(accounts.FREE_ATTEMPTS):
        _sign_in(client, "guess")
    waits = []
    for _ in range(8):
        page = _sign_in(client, "guess").get_data(as_text=True)
        waits.append(int(page.split("Try again in ")[1].split(" minute")[0]))
        clock.advance(minutes=waits[-1])
        _sign_in(client, "guess")  # allowed again, and wrong
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    clock.advance(minutes=30)
    assert _sign_in(client, PASSWORD).status_code == 302


def test_an_unknown_email_is_slowed_down_like_a_real_one(client, auth):
    auth.create(EMAIL)
    pages = {}
    for email in (EMAIL, "nobody@example.org"):
        for _ in range(accounts.FREE_ATTEMPTS):
            _sign_in(client, "guess", email=email)
        pages[email] = _sign_in(client, "guess", email=email).get_data(as_text=True)
    # Nobody can learn which emails have accounts from the answers.
    assert "Too many failed attempts. Try again in 1 minute" in pages[EMAIL]
    assert "Too many failed attempts. Try again in 1 minute" in pages["nobody@example.org"]


def test_signing_in_forgets_that_addresses_failures(client, auth, app, clock):
    auth.create(EMAIL)
    for _ in range(accounts.FREE_ATTEMPTS - 1):
        _sign_in(client, "guess")
    with app.app_context():
        assert db.session.query(User).one().failed_logins == accounts.FREE_ATTEMPTS - 1
    assert _sign_in(client, PASSWORD).status_code == 302
    client.post("/staff/logout")
    with app.app_context():
        assert db.session.query(User).one().failed_logins == 0
    # A fresh allowance: the next mistakes are free again.
    for _ in range(accounts.FREE_ATTEMPTS - 1):
        _sign_in(client, "guess")
    assert _sign_in(client, PASSWORD).status_code == 302
