"""An iCalendar file (RFC 5545) of one set's sessions, for members to import into Outlook or Google.

Written by hand rather than with a library: the subset needed is small, and every rule that
importers are strict about (CRLF, folding at 75 octets, escaping, a VTIMEZONE for every TZID) is
here and tested.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

PRODID = "-//North East Leaders Network//Action Learning Sets//EN"
UID_DOMAIN = "action-learning-sets"
TZID = "Europe/London"

# Europe/London since 1996: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
# last Sunday of October. Outlook needs the rules spelt out; it does not look TZIDs up.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    on: date
    starts_at: time
    ends_at: time
    location: str = ""
    description: str = ""
    last_modified: datetime | None = None


def event_uid(set_id: int, kind: str, number: int) -> str:
    """Stable across downloads, so importing the file again updates events instead of doubling them."""
    return f"als-{set_id}-{kind}-{number}@{UID_DOMAIN}"


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash first, then ; and , and newlines as \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into parts of at most `limit` octets (UTF-8), never splitting a character;
    each continuation starts with one space, which counts towards its 75 (RFC 5545 §3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        budget = limit if not parts else limit - 1
        if size + width > budget:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _local(on: date, at: time) -> str:
    return f"{on:%Y%m%d}T{at:%H%M%S}"


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def build_calendar(events: list[CalendarEvent], *, stamp: datetime, name: str = "") -> str:
    """The whole file as text with CRLF line endings; encode as UTF-8 to serve it."""
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        # Google and Apple show this as the calendar's name when the file is subscribed or imported.
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    lines.append(f"X-WR-TIMEZONE:{TZID}")
    lines.extend(VTIMEZONE)
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART;TZID={TZID}:{_local(event.on, event.starts_at)}",
            f"DTEND;TZID={TZID}:{_local(event.on, event.ends_at)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.last_modified is not None:
            lines.append(f"LAST-MODIFIED:{_utc(event.last_modified)}")
            # Calendars replace an event they hold only when SEQUENCE goes up: minutes since 2026
            # rise with every change without storing a counter.
            lines.append(f"SEQUENCE:{sequence_of(event.last_modified)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


SEQUENCE_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def sequence_of(last_modified: datetime) -> int:
    """An event's revision number, growing with its last change (never negative)."""
    moment = last_modified if last_modified.tzinfo else last_modified.replace(tzinfo=timezone.utc)
    return max(0, int((moment - SEQUENCE_EPOCH).total_seconds() // 60))
