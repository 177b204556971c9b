"""Database engines: options chosen per dialect, and SQLite tuned for a small office server."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from app.extensions import db


def engine_options(url: str, configured: dict[str, Any] | None = None) -> dict[str, Any]:
    """SQLAlchemy engine options that suit the database in `url`; `configured` ones win.

    SQLite-only options (the driver's `timeout`) would make psycopg refuse to connect, and
    PostgreSQL connections dropped by a restart or a firewall are best found before use.
    """
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        options: dict[str, Any] = {"connect_args": {"timeout": 15}}
    elif dialect == "postgresql":
        options = {"pool_pre_ping": True, "pool_recycle": 1800}
    else:
        options = {}
    options.update(configured or {})
    return options


def _tune_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL so readers never block the writer, a busy timeout, and foreign keys on.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _tune_sqlite)
