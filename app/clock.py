"""One source of "now", so deadlines can be tested to the second."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return current_app.config["CLOCK"]()


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything we store is UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def london(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(LONDON)


def format_london(moment: datetime, with_zone: bool = True) -> str:
    """'5pm on Friday 4 December 2026 (UK time)' — GOV.UK style: 12-hour clock, no leading zeros."""
    local = london(moment)
    hour = local.hour % 12 or 12
    if local.hour == 0 and local.minute == 0:
        time_text = "midnight"
    elif local.hour == 12 and local.minute == 0:
        time_text = "midday"
    else:
        minutes = f":{local.minute:02d}" if local.minute else ""
        time_text = f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"
    text = f"{time_text} on {local:%A} {local.day} {local:%B %Y}"
    return f"{text} (UK time, {local.tzname()})" if with_zone else text


def format_date(moment: datetime) -> str:
    local = london(moment)
    return f"{local.day} {local:%B %Y}"
