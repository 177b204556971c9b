"""Configuration: defaults, then instance/config.py, then environment variables."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any, MutableMapping
from urllib.parse import urlsplit

# Keys that appear in tutorials and our own tests; a server started with one of them can have its
# sessions forged, so the app refuses to start with them outside testing.
KNOWN_DEVELOPMENT_KEYS = frozenset({"", "dev", "development", "secret", "changeme", "change-me", "test"})


class ConfigurationError(RuntimeError):
    """A setting the app cannot start without is missing or wrong; the message says which."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Defaults:
    SECRET_KEY: str | None = None
    # Engine options are chosen per database dialect in app.database.engine_options.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port/-Prefix.
    # 0 trusts none of them, so a visitor cannot pretend to be on HTTPS or another address.
    TRUSTED_PROXIES = 0
    # Uploads are limited to 5 MB by the note validator, which can say so next to the field;
    # the request cap is higher so a too-large note is refused with a message, not a bare 413.
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    NOTE_MAX_BYTES = 5 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 12 * 3600  # an applicant may spend an evening on the form
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    HSTS_MAX_AGE = 365 * 24 * 3600
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
    # Requests per client address (Flask-Limiter syntax; ";" separates several limits). Generous
    # enough for an office behind one NAT address at the deadline. Memory storage counts per
    # process; a Redis URL (redis://host:6379/0, needs `pip install redis`) shares the counts
    # between workers. If the storage fails, requests are let through rather than refused.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_LOGIN = "10/minute;50/hour"
    RATELIMIT_APPLY = "30/minute"
    RATELIMIT_FIND = "5/minute"
    CLOCK = staticmethod(_utcnow)


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _as_int(value: str, name: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ConfigurationError(f"{name} must not be negative")
    return number


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
        config["MAIL_PORT"] = _as_int(env["MAIL_PORT"], "MAIL_PORT")
    if env.get("TRUSTED_PROXIES"):
        config["TRUSTED_PROXIES"] = _as_int(env["TRUSTED_PROXIES"], "TRUSTED_PROXIES")
    for key in ("RATELIMIT_STORAGE_URI", "RATELIMIT_LOGIN", "RATELIMIT_APPLY", "RATELIMIT_FIND"):
        if env.get(key):
            config[key] = env[key]
    for key in ("MAIL_USE_TLS", "MAIL_USE_SSL", "RATELIMIT_ENABLED"):
        if env.get(key):
            config[key] = _as_bool(env[key])


def check_secret_key(config: MutableMapping[str, Any]) -> None:
    if config.get("TESTING"):
        return
    key = config.get("SECRET_KEY")
    if not key or str(key).strip().lower() in KNOWN_DEVELOPMENT_KEYS or len(str(key)) < 16:
        raise ConfigurationError(
            "SECRET_KEY is missing or is a known development key. Run `make run` once to write a "
            "random key into instance/config.py, or set the SECRET_KEY environment variable."
        )


def check_public_url(config: MutableMapping[str, Any], debug: bool) -> None:
    """Links in emails must not come from a request's Host header, which a visitor controls.

    Outside tests and debug mode the app refuses to start without PUBLIC_URL. An https address
    also marks the session and remember-me cookies Secure.
    """
    url = (config.get("PUBLIC_URL") or "").strip()
    if not url:
        if config.get("TESTING") or debug:
            return
        raise ConfigurationError(
            "PUBLIC_URL is not set. Set it to the address people use to reach this site, e.g. "
            "PUBLIC_URL=https://als.example.org (`make run` sets it to the local address); links "
            "in emails are built from it."
        )
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(f"PUBLIC_URL must be an http or https address such as https://als.example.org, not {url!r}")
    config["PUBLIC_URL"] = url.rstrip("/")
    if parts.scheme == "https":
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
