"""Staff accounts: creating them, checking passwords with guessing slowed down, signing out
everywhere, and the changes an organiser or the command line makes to an account.

Why failures are counted per email and client address (see LoginThrottle): if one counter per
account slowed everybody down, anyone who knows a staff member's email could keep them out for
good by typing wrong passwords. Counting per (email, client address) slows the guesser down, and
the per-IP limits of Flask-Limiter stop them sooner, while the real person, signing in from their
own address, is never delayed by someone else's mistakes. An attacker with many addresses gets a
few guesses from each, which a password of 10 or more characters withstands.
"""
from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, CursorResult, Executable, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.extensions import db
from app.models import LoginThrottle, Role, User
from app.text import clean_text

FREE_ATTEMPTS = 5
MAX_WAIT = timedelta(minutes=30)
MIN_PASSWORD_LENGTH = 10
# A client's failures are forgotten a day after its last one, so the table stays small.
THROTTLE_KEPT_FOR = timedelta(days=1)
# Checked when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))
WRONG = "Enter a correct email address and password"


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def generate_password() -> str:
    """A strong password to print once (`als create-user --generate`, `als demo --through`)."""
    return secrets.token_urlsafe(12)


def normalise_email(email: str) -> str:
    """Emails as stored: without control characters or surrounding spaces, in lower case."""
    return clean_text(email).lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def create_user(email: str, password: str, role: Role, now: datetime, by: str) -> User:
    user = User(email=normalise_email(email), password_hash=generate_password_hash(password), role=role,
                created_at=now, session_token=new_session_token())
    db.session.add(user)
    audit.record(by, "user.created", f"user:{user.email}", after={"email": user.email, "role": role.value})
    return user


def wait_after_failures(failures: int) -> timedelta:
    """No wait for the first few mistakes, then doubling: 1, 2, 4 ... minutes, capped."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (failures - FREE_ATTEMPTS)), MAX_WAIT)


def _ready(now: datetime) -> ColumnElement[bool]:
    """SQL for "this client may try again now": wait_after_failures written out per count, so the
    check and the claim are one UPDATE on every database."""
    conditions: list[ColumnElement[bool]] = [
        LoginThrottle.failures < FREE_ATTEMPTS, LoginThrottle.last_failed_at.is_(None),
    ]
    failures = FREE_ATTEMPTS
    while wait_after_failures(failures) < MAX_WAIT:
        conditions.append(and_(LoginThrottle.failures == failures,
                               LoginThrottle.last_failed_at <= now - wait_after_failures(failures)))
        failures += 1
    conditions.append(and_(LoginThrottle.failures >= failures, LoginThrottle.last_failed_at <= now - MAX_WAIT))
    return or_(*conditions)


def _insert_ignoring_duplicates(email: str, client: str) -> Executable:
    # INSERT ... ON CONFLICT DO NOTHING: the same statement, spelt by each dialect.
    values = {"email": email, "client": client, "failures": 0}
    keys = ["email", "client"]
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(LoginThrottle).values(values).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(LoginThrottle).values(values).on_conflict_do_nothing(index_elements=keys)


def claim_attempt(email: str, client: str, now: datetime) -> timedelta | None:
    """Count an attempt for (email, client) before its password is checked, and commit.

    The count goes up in a single UPDATE whose WHERE clause is the wait rule, so of any number of
    simultaneous attempts only the free ones are claimed; the rest are refused without a password
    check. Returns None when claimed, or how long to wait.
    """
    db.session.execute(_insert_ignoring_duplicates(email, client))
    claimed = cast(CursorResult, db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.email == email, LoginThrottle.client == client, _ready(now))
        .values(failures=LoginThrottle.failures + 1, last_failed_at=now)
        .execution_options(synchronize_session=False)
    )).rowcount
    wait = None
    if not claimed:
        throttle = db.session.scalars(
            select(LoginThrottle).where(LoginThrottle.email == email, LoginThrottle.client == client)).first()
        wait = timedelta(minutes=1)
        if throttle is not None and throttle.last_failed_at is not None:
            wait = max(throttle.last_failed_at + wait_after_failures(throttle.failures) - now, timedelta(seconds=1))
    # Commit now: the claim must be visible to the other attempts, and the slow password check
    # must not hold the database's write lock.
    db.session.commit()
    return wait


def _wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}"


def authenticate(email: str, password: str, now: datetime, client: str) -> User:
    """The active user with this email and password, or LoginRefused; `client` is the address
    the attempt comes from (app.extensions.client_address)."""
    key = normalise_email(email)[:320]
    wait = claim_attempt(key, client[:64], now)
    if wait is not None:
        raise LoginRefused(_wait_message(wait))
    user = find_user(key)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused(WRONG)
    if not check_password_hash(user.password_hash, password) or not user.active:
        # One UPDATE, so simultaneous failures are all counted.
        db.session.execute(
            update(User).where(User.id == user.id)
            .values(failed_logins=User.failed_logins + 1, last_failed_login_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        raise LoginRefused(WRONG)
    db.session.execute(delete(LoginThrottle).where(
        or_(and_(LoginThrottle.email == key, LoginThrottle.client == client[:64]),
            LoginThrottle.last_failed_at < now - THROTTLE_KEPT_FOR)).execution_options(synchronize_session=False))
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.last_login_at = now
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: the session cookie's id contains the token, so every cookie
    issued before this no longer matches (see load_user)."""
    user.session_token = new_session_token()


def set_active(user: User, active: bool, by: str) -> bool:
    """Deactivate or reactivate an account; returns whether anything changed. Either way the
    user's sessions end, so a reactivated account does not revive cookies from before."""
    if user.active == active:
        return False
    user.active = active
    end_sessions(user)
    audit.record(by, "user.reactivated" if active else "user.deactivated", f"user:{user.email}",
                 before={"active": not active}, after={"active": active})
    return True


def reset_password(user: User, password: str, by: str) -> None:
    """A new password; failed attempts are forgotten and every session ends."""
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.last_failed_login_at = None
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == user.email)
                       .execution_options(synchronize_session=False))
    end_sessions(user)
    # Never the password or its hash: the log says only that it changed.
    audit.record(by, "user.password_reset", f"user:{user.email}")


def staff_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), func.lower(User.email))))
