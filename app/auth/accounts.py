"""Creating staff accounts and checking passwords, with failed attempts slowed down."""
from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.extensions import db
from app.models import Role, User

FREE_ATTEMPTS = 5
MAX_WAIT = timedelta(minutes=30)
# Checked when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_user(email: str, password: str, role: Role, now: datetime, by: str) -> User:
    user = User(email=email.strip().lower(), password_hash=generate_password_hash(password), role=role,
                created_at=now, session_token=secrets.token_hex(16))
    db.session.add(user)
    audit.record(by, "user.created", f"user:{user.email}", after={"email": user.email, "role": role.value})
    return user


def wait_after_failures(failures: int) -> timedelta:
    """No wait for the first few mistakes, then doubling: 1, 2, 4 ... minutes, capped."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (failures - FREE_ATTEMPTS)), MAX_WAIT)


def authenticate(email: str, password: str, now: datetime) -> User:
    user = db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginRefused("Enter a correct email address and password")
    if user.last_failed_login_at is not None:
        ready = user.last_failed_login_at + wait_after_failures(user.failed_logins)
        if now < ready:
            minutes = max(1, math.ceil((ready - now).total_seconds() / 60))
            raise LoginRefused(f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}")
    if not check_password_hash(user.password_hash, password) or not user.active:
        user.failed_logins += 1
        user.last_failed_login_at = now
        db.session.commit()
        raise LoginRefused("Enter a correct email address and password")
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.last_login_at = now
    return user
