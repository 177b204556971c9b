"""Throwaway databases for tests: a file per test on SQLite (the default), or a new database per
test on the PostgreSQL server named by ALS_TEST_DATABASE_URL, e.g.

    ALS_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres make test

The URL's own database is only used to create and drop the per-test ones.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_URL = os.environ.get("ALS_TEST_DATABASE_URL", "").strip()


def on_postgresql() -> bool:
    return SERVER_URL.startswith("postgresql")


def _close_engines_for(database: str) -> None:
    """Close the pooled connections of every app a test made on this database, so dropping it
    does not leave psycopg connections to be garbage-collected (and warned about) later."""
    from app.extensions import db

    for engines in list(db._app_engines.values()):
        for engine in engines.values():
            if engine.url.database == database:
                engine.dispose()


@contextmanager
def fresh_database(directory: Path, name: str = "test") -> Iterator[str]:
    """Yield the URL of a new, empty database; dropped afterwards on PostgreSQL."""
    if not on_postgresql():
        yield f"sqlite:///{directory / (name + '.sqlite3')}"
        return
    server = make_url(SERVER_URL)
    database = f"als_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=None)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE template0 ENCODING \'UTF8\''))
    try:
        yield server.set(database=database).render_as_string(hide_password=False)
    finally:
        _close_engines_for(database)
        with admin.connect() as connection:
            # FORCE ends connections a test's engine may still hold in its pool.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
