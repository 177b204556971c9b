"""The programme applicants apply to: finding it, and creating one with the brief's defaults."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.clock import LONDON
from app.extensions import db
from app.models import Programme, Slot

DEFAULT_SLOTS = (
    "Newcastle City Centre, Tuesday mornings",
    "Newcastle City Centre, Thursday afternoons",
    "Durham, Wednesday mornings",
    "Sunderland, Friday mornings",
)


def current_programme() -> Programme | None:
    """The newest programme is the one open for applications."""
    return db.session.scalars(select(Programme).order_by(Programme.id.desc()).limit(1)).first()


def default_deadline(now: datetime) -> datetime:
    """Six weeks ahead at 5pm UK time, so a new installation can take applications at once."""
    day = (now + timedelta(weeks=6)).astimezone(LONDON).date()
    return datetime.combine(day, time(17, 0), tzinfo=LONDON)


def create_default_programme(now: datetime) -> Programme:
    programme = Programme(
        name=f"Action Learning Sets {now.year}–{str(now.year + 1)[-2:]}",
        opens_at=None,
        deadline=default_deadline(now),
        created_at=now,
    )
    programme.slots = [Slot(label=label, position=i) for i, label in enumerate(DEFAULT_SLOTS)]
    db.session.add(programme)
    return programme
