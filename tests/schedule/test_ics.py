"""The calendar file: CRLF, folding at 75 octets, escaping, time zone, and that it reads back."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from app.schedule.ics import CalendarEvent, build_calendar, escape_text, event_uid, fold
from tests.schedule.ics_parse import parse, unescape, unfold

STAMP = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def test_escaping_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert unescape(escape_text("Presenting: Ní Bhriain, O'Neill; room 2\\3\nnext")) == \
        "Presenting: Ní Bhriain, O'Neill; room 2\\3\nnext"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "Łukasz 小龍 Søren é " * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *[p[1:] for p in parts[1:]]]) == line  # unfolds to the original
    assert fold("SHORT:line") == "SHORT:line"
    ascii_line = "X" * 75
    assert fold(ascii_line) == ascii_line and fold(ascii_line + "Y") == ascii_line + "\r\n Y"


def events() -> list[CalendarEvent]:
    return [
        CalendarEvent(event_uid(2, "session", n), f"Set 2: session {n} of 6", date(2027, n, 9), time(9, 30),
                      time(12, 30), "Newcastle City Centre, Room 4",
                      "Presenting: Zoë Smith, Siobhán Ní Bhriain; and a very long description " * 3)
        for n in range(1, 4)
    ] + [CalendarEvent(event_uid(2, "training", 1), "Set 2: facilitation training", date(2027, 7, 20), time(18),
                       time(20, 30))]


def test_the_calendar_reads_back_with_its_events_times_and_text():
    text = build_calendar(events(), stamp=STAMP, name="Action learning: Set 2")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    calendar = parse(text)
    assert calendar.name == "VCALENDAR"
    assert calendar.get("VERSION") == "2.0"
    assert calendar.get("PRODID")
    assert calendar.get("CALSCALE") == "GREGORIAN"
    assert calendar.get("METHOD") == "PUBLISH"
    [zone] = calendar.all("VTIMEZONE")
    assert zone.get("TZID") == "Europe/London"
    assert [c.name for c in zone.children] == ["DAYLIGHT", "STANDARD"]
    assert zone.all("DAYLIGHT")[0].get("TZOFFSETTO") == "+0100"
    vevents = calendar.all("VEVENT")
    assert len(vevents) == 4
    first = vevents[0]
    assert first.get("UID") == "als-2-session-1@action-learning-sets"
    assert first.get("DTSTAMP") == "20261102T100000Z"
    assert first.params("DTSTART") == {"TZID": "Europe/London"}
    assert first.get("DTSTART") == "20270109T093000"
    assert first.get("DTEND") == "20270109T123000"
    assert first.get("SUMMARY") == "Set 2: session 1 of 6"
    assert first.get("LOCATION") == "Newcastle City Centre, Room 4"
    assert first.get("DESCRIPTION") == events()[0].description
    assert vevents[3].get("DTSTART") == "20270720T180000"
    assert len({e.get("UID") for e in vevents}) == 4


def test_the_same_schedule_gives_the_same_file_and_an_empty_one_is_still_whole():
    assert build_calendar(events(), stamp=STAMP) == build_calendar(events(), stamp=STAMP)
    assert unfold(build_calendar([], stamp=STAMP))[-1] == "END:VCALENDAR"
