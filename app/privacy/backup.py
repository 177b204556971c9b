"""`als backup` and `als restore`: the whole database to one file and back.

SQLite uses its online backup API (a consistent copy while the app keeps serving); PostgreSQL
uses pg_dump's custom format and pg_restore, connecting with the URL's own settings passed
through libpq's environment variables, so the password never shows in a process list.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, Engine, make_url

from app.models import Application, User

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# URL query parameters that libpq also reads from the environment.
PG_QUERY_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                "options": "PGOPTIONS", "application_name": "PGAPPNAME", "service": "PGSERVICE"}


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message that says why."""


def held_rows(engine: Engine) -> dict[str, int]:
    """Applications and staff accounts in the database (a missing table counts as none)."""
    tables = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for model in (Application, User):
            table = model.__table__
            counts[table.name] = (connection.scalar(select(func.count()).select_from(table)) or 0
                                  if table.name in tables else 0)
    return counts


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _kind(path: Path) -> str:
    with open(path, "rb") as file:
        start = file.read(len(SQLITE_HEADER))
    if start.startswith(SQLITE_HEADER):
        return "sqlite"
    if start.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise BackupError(f"{path} is not a backup made by `als backup` (neither SQLite nor pg_dump custom format)")


def _pg_environment(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    for key, given in url.query.items():
        if key in PG_QUERY_ENV:
            env[PG_QUERY_ENV[key]] = given if isinstance(given, str) else given[-1]
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
                          f"version (Debian: apt-get install postgresql-client) and try again.")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        raise BackupError(f"{Path(command[0]).name} failed (exit status {completed.returncode}): {detail}")


def backup(database_url: str | URL, out: Path) -> None:
    """Write a consistent copy of the database to `out` (replaced only once the copy is complete)."""
    url = make_url(database_url)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(_sqlite_path(url), timeout=15)
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"], _pg_environment(url))
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def restore(database_url: str | URL, source: Path) -> None:
    """Replace the database's contents with the backup in `source`. The caller checks it is empty
    (or was told to overwrite it) and disposes of the app's pooled connections first."""
    url = make_url(database_url)
    dialect, kind = url.get_backend_name(), _kind(source)
    if kind != dialect:
        raise BackupError(f"{source} is a {kind} backup; the configured database is {dialect}")
    if dialect == "sqlite":
        backup_db = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            if backup_db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{source} is damaged (SQLite's quick_check failed)")
            target = sqlite3.connect(_sqlite_path(url), timeout=15)
            try:
                backup_db.backup(target)
            finally:
                target.close()
        finally:
            backup_db.close()
    else:
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--no-password",
              "--exit-on-error", "--single-transaction", f"--dbname={url.database}", str(source)],
             _pg_environment(url))
