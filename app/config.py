"""Configuration: defaults, then instance/config.py, then environment variables."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any, MutableMapping

# Keys that appear in tutorials and our own tests; a server started with one of them can have its
# sessions forged, so the app refuses to start with them outside testing.
KNOWN_DEVELOPMENT_KEYS = frozenset({"", "dev", "development", "secret", "changeme", "change-me", "test"})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Defaults:
    SECRET_KEY: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"connect_args": {"timeout": 15}}
    # Uploads are limited to 5 MB by the note validator, which can say so next to the field;
    # the request cap is higher so a too-large note is refused with a message, not a bare 413.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    NOTE_MAX_BYTES = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 12 * 3600  # an applicant may spend an evening on the form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_FROM = "Action Learning Sets <no-reply@localhost>"
    MAIL_TIMEOUT = 10
    # Send queued mail in a background thread after each request; tests send synchronously.
    MAIL_SEND_AFTER_REQUEST = True
    MAIL_ASYNC = True
    PUBLIC_URL: str | None = None
    ORGANISER_EMAIL = "organiser@localhost"
    CLOCK = staticmethod(_utcnow)


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def apply_environment(config: MutableMapping[str, Any]) -> None:
    """Environment variables win over instance/config.py, so a deployment can override either."""
    env = os.environ
    if env.get("SECRET_KEY"):
        config["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        # Heroku-style URLs name the dialect "postgres", which SQLAlchemy 2 no longer accepts.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        config["SQLALCHEMY_DATABASE_URI"] = url
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "PUBLIC_URL", "ORGANISER_EMAIL"):
        if env.get(key):
            config[key] = env[key]
    if env.get("MAIL_PORT"):
        config["MAIL_PORT"] = int(env["MAIL_PORT"])
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if env.get(key):
            config[key] = _as_bool(env[key])


def check_secret_key(config: MutableMapping[str, Any]) -> None:
    if config.get("TESTING"):
        return
    key = config.get("SECRET_KEY")
    if not key or str(key).strip().lower() in KNOWN_DEVELOPMENT_KEYS or len(str(key)) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing or is a known development key. Run `make run` once to write a "
            "random key into instance/config.py, or set the SECRET_KEY environment variable."
        )
