"""Staff who sign in (organisers, finance officers and facilitators), and the record that slows down guessing."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, enum_column


class Role(enum.Enum):
    ORGANISER = "organiser"
    FINANCE = "finance"
    FACILITATOR = "facilitator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Failed sign-ins since the last successful one, from anywhere: shown to organisers. The
    # slowing down itself is per client address (LoginThrottle), so nobody can lock a user out.
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changing this signs the user out everywhere (Flask-Login's session id is derived from it).
    session_token: Mapped[str] = mapped_column(String(64))
    # A facilitator's details, so the organiser is warned when one is assigned to a set with a
    # colleague in it or at a place and time they cannot attend.
    full_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    organisation: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: the programme's place/time labels this person can attend
    can_attend: Mapped[list[Any] | None] = mapped_column(JSON, default=list)

    @property
    def label(self) -> str:
        """Name for pages: the full name when known, else the email address."""
        return self.full_name or self.email

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class LoginThrottle(db.Model):
    """Sign-in attempts for one email address from one client address (an IPv4 address or an
    IPv6 /64), claimed before the password is checked. Keyed by the email typed rather than by
    the user, so that an unknown address is slowed down exactly like a real one."""

    __table_args__ = (UniqueConstraint("email", "client", name="uq_login_throttle_email_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(64))
    # Attempts not followed by a successful sign-in from this client, including any in progress.
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
