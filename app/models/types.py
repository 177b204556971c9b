"""Column types shared by the models."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns timezone-aware UTC datetimes on every database (SQLite forgets zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else value.replace(tzinfo=timezone.utc)


def enum_column(kind: type[enum.Enum]) -> Enum:
    """An enum stored as its lower-case values (so the database reads like the product), with a
    CHECK constraint so no other value can be written, whatever writes it."""
    return Enum(kind, values_callable=lambda members: [m.value for m in members], native_enum=False, length=20,
                create_constraint=True, name=f"ck_{kind.__name__.lower()}_values")
