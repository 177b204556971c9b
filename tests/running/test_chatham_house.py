"""Chatham House, proven: two sets have run two sessions, every private word in them (issue titles,
ground rules, issues, actions, learning) carrying a marker. Organisers and finance find none of
those words on any page they can reach by following links, in any download, in any email to them
or in the audit history; the other set's facilitator and members find none of the first set's;
the set's own facilitator and members find them all (so the search is not looking in vain)."""
from __future__ import annotations

import io
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.applications.service import private_link_for
from app.downloads.records import WRITERS
from app.extensions import db
from app.models import ActionOutcome, Attendance, AuditEvent, LearningSet
from app.programmes import current_programme
from app.running import service
from app.running.service import SessionEntry
from tests.conftest import AuthActions
from tests.helpers import outbox
from tests.running.conftest import Running

#: What organisers and finance may follow: their pages and downloads (never signing out).
STAFF_AREAS = ("/manage/", "/staff/", "/downloads/")
FACILITATOR_AREAS = ("/facilitate/",)
#: "A few hundred" pages: every list, detail, history and download of a 60-applicant programme.
PAGE_LIMIT = 400
OUTCOMES = [ActionOutcome.DONE, ActionOutcome.PARTLY]


@dataclass
class SetWords:
    """A set's members' links, its facilitator and every private word recorded in it."""

    set_id: int
    facilitator: str
    session_ids: list[int]
    member_paths: list[str]            # /application/<token> of each member
    member_emails: list[str]
    member_names: list[str]
    markers: list[str] = field(default_factory=list)


def _marker(tag: str, what: str) -> str:
    # Letters and hyphens only: nothing a page, a spreadsheet or a calendar would escape or split.
    return f"ZEBRA-{tag}-{what}"


def _record_two_sessions(learning_set: LearningSet, tag: str, facilitator: str) -> list[str]:
    """Titles, session 1's agreements, actions at sessions 1 and 2, and session 1's actions
    reviewed with learning at session 2, all through the service. Returns the markers used."""
    markers: list[str] = []

    def word(what: str) -> str:
        markers.append(_marker(tag, what))
        return markers[-1]

    members = service.members_of(learning_set)
    first, second = service.sessions_of(learning_set)[:2]
    today = second.on
    for session in (first, second):
        presenters = [p.application for p in service.presenters_of(session)]
        assert presenters, f"the rota has nobody presenting at session {session.number}"
        for i, presenter in enumerate(presenters):
            service.set_issue_title(session, presenter, word(f"TITLE-{session.number}-{i}"), today)
        first_session = session.number == 1
        entry = SessionEntry(attendance={m.id: Attendance.PRESENT for m in members},
                             presented=[p.id for p in presenters],
                             ground_rules=word("GROUND-RULES") if first_session else None,
                             issues=word("ISSUES") if first_session else None)
        service.record_session(session, entry, by=facilitator, today=today)
        if session is second:
            for i, action in enumerate(service.to_review_at(second)):
                service.review_action(action, second, OUTCOMES[i % 2], word(f"LEARNING-{i}"), by=facilitator,
                                      today=today)
        for i, presenter in enumerate(presenters):
            service.add_action(session, presenter, word(f"ACTION-{session.number}-{i}"),
                               session.on + timedelta(weeks=3), by="member" if i else facilitator, today=today)
    return markers


@pytest.fixture
def recorded(app, clock, running: Running) -> tuple[SetWords, SetWords]:
    """Both sets after session 2 (its evening), with session 1 and 2 recorded and reviewed."""
    with app.app_context():
        sets = [db.session.get(LearningSet, running.set_id), db.session.get(LearningSet, running.other_set_id)]
        second_dates = [service.sessions_of(s)[1].on for s in sets]
        clock.now = datetime.combine(max(second_dates), time(19, 0), tzinfo=timezone.utc)
        out = []
        for learning_set, tag, facilitator in zip(sets, ("ONE", "TWO"), (running.facilitator,
                                                                       running.other_facilitator), strict=True):
            markers = _record_two_sessions(learning_set, tag, facilitator)
            members = service.members_of(learning_set)
            out.append(SetWords(
                set_id=learning_set.id, facilitator=facilitator,
                session_ids=[s.id for s in service.sessions_of(learning_set)],
                member_paths=[urlsplit(private_link_for(m)).path for m in members],
                member_emails=[m.email for m in members], member_names=[m.full_name for m in members],
                markers=markers))
        db.session.commit()
        assert service.counts_of(sets[0]).actions_reviewed > 0
    return out[0], out[1]


# --- reading what a person can reach ----------------------------------------------------------


class _Links(HTMLParser):
    """Every <a href> and the address of every form sent with GET."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append(values["href"] or "")
        elif tag == "form" and (values.get("method") or "get").lower() == "get":
            self.found.append(values.get("action") or "")


def links_in(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.found


def readable(response) -> str:
    """A response as text a person would read: a page, or a download opened (xlsx and docx are
    zip files of XML), calendars unfolded (long lines are split in two)."""
    body = response.get_data()
    if body.startswith(b"PK"):
        return unzipped(body)
    text = body.decode("utf-8", "replace")
    if response.mimetype == "text/calendar":
        text = text.replace("\r\n ", "").replace("\n ", "")
    return unescape(text)


def unzipped(body: bytes) -> str:
    """Every file in an xlsx or docx, with XML's character references (&#225;) read as letters."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return unescape("\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()))


def crawl(client, starts: list[str], areas: tuple[str, ...], limit: int = PAGE_LIMIT) -> dict[str, str]:
    """Each page and download reachable by following links from `starts`, within `areas`, as text."""
    queue, seen, texts = deque(starts), set(starts), {}
    while queue and len(texts) < limit:
        path = queue.popleft()
        response = client.get(path)
        found = [response.headers["Location"]] if response.status_code in (301, 302, 303) else []
        texts[path] = readable(response)
        if response.mimetype == "text/html":
            found += links_in(response.get_data(as_text=True))
        for href in found:
            target = urldefrag(urljoin(path, href)).url
            parts = urlsplit(target)
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if (parts.netloc in ("", "localhost") and parts.path.startswith(areas)
                    and "logout" not in parts.path and local not in seen):
                seen.add(local)
                queue.append(local)
    return texts


def found_in(texts: dict[str, str], markers: list[str]) -> dict[str, list[str]]:
    """marker -> the pages it appears on."""
    return {m: where for m in markers if (where := [path for path, text in texts.items() if m in text])}


def signed_in(app, role: str, email: str | None = None):
    client = app.test_client()
    response = AuthActions(client, app).login(role, email=email)
    assert response.status_code == 302, f"{role} could not sign in"
    return client, response.headers["Location"]


def staff_reach(app, role: str, words: SetWords) -> dict[str, str]:
    """What an organiser or finance officer reaches from their home, the running pages and each
    set's history, with every spreadsheet written for the programme."""
    client, home = signed_in(app, role)
    starts = [urlsplit(home).path, "/manage/running/", "/manage/downloads/",
              f"/manage/running/sets/{words.set_id}/facilitator",
              f"/manage/schedule/sets/{words.set_id}", f"/manage/schedule/sets/{words.set_id}/history",
              f"/manage/schedule/sets/{words.set_id}.ics"]
    return crawl(client, starts, STAFF_AREAS)


def writers_output(app) -> dict[str, str]:
    """Every spreadsheet the downloads page (and `als export`) can write, opened."""
    texts = {}
    with app.app_context():
        programme = current_programme()
        for kind, write in WRITERS.items():
            buffer = io.BytesIO()
            write(programme, buffer)
            texts[f"export {kind}"] = unzipped(buffer.getvalue())
    return texts


# --- organisers and finance ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["organiser", "finance"])
def test_organisers_and_finance_find_no_private_words_on_any_page_or_download(app, recorded, role):
    mine, other = recorded
    pages = staff_reach(app, role, mine)
    texts = {**pages, **writers_output(app)}

    assert found_in(texts, mine.markers + other.markers) == {}
    # The search went everywhere the words could have leaked, downloads opened and read.
    assert 50 < len(pages) < PAGE_LIMIT, f"{len(pages)} pages: raise PAGE_LIMIT if the crawl stopped short"
    spreadsheets = [text for path, text in texts.items() if path.endswith(".xlsx")]
    assert any(mine.member_names[0] in text for text in spreadsheets), sorted(texts)
    if role == "organiser":
        for path in ("/manage/running/", f"/manage/schedule/sets/{mine.set_id}/history", "/manage/downloads/"):
            assert path in texts
        assert any(path.startswith("/manage/applications/ALS-") for path in texts), sorted(texts)
        # Counts are what the organiser sees instead.
        assert "Fran Facil" in texts["/manage/running/"]


def test_no_email_to_anyone_outside_the_set_and_no_audit_entry_holds_its_words(app, recorded):
    mine, other = recorded
    insiders = {*mine.member_emails, mine.facilitator}
    emails = [e for e in outbox(app) if e.to_address not in insiders]
    assert emails, "the programme's emails (offers, schedules) are there to search"
    leaked = {e.to_address: e.subject for e in emails
              if any(m in f"{e.subject}\n{e.body}" for m in mine.markers + other.markers)}
    assert leaked == {}
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        text = "\n".join(f"{e.actor} {e.action} {e.target} {e.before} {e.after}" for e in events)
        assert "session.recorded" in text and "action.reviewed" in text
        assert [m for m in mine.markers + other.markers if m in text] == []


# --- facilitators and members -------------------------------------------------------------------------


def facilitator_reach(app, email: str) -> tuple[object, dict[str, str]]:
    client, home = signed_in(app, "facilitator", email=email)
    return client, crawl(client, [urlsplit(home).path], FACILITATOR_AREAS)


def member_reach(app, path: str) -> dict[str, str]:
    """A member's own page, their set's page and every page linked from it for their set."""
    return crawl(app.test_client(), [path, path + "/set"], (path,))


def test_the_other_sets_facilitator_sees_none_of_the_words_and_cannot_open_its_pages(app, recorded):
    mine, other = recorded
    client, texts = facilitator_reach(app, other.facilitator)

    assert found_in(texts, mine.markers) == {}
    assert set(found_in(texts, other.markers)) == set(other.markers)  # their own set's, all of them
    for path in [f"/facilitate/sets/{mine.set_id}", f"/facilitate/sets/{mine.set_id}/replan",
                 *(f"/facilitate/sessions/{s}/{page}" for s in mine.session_ids[:2]
                   for page in ("record", "actions", "review"))]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert found_in({path: readable(response)}, mine.markers) == {}


def test_a_member_of_the_other_set_sees_none_of_the_words(app, recorded):
    mine, other = recorded
    texts = member_reach(app, other.member_paths[0])

    assert f"{other.member_paths[0]}/set" in texts
    assert found_in(texts, mine.markers) == {}
    assert set(found_in(texts, other.markers)) == set(other.markers)


def test_the_sets_own_facilitator_and_members_read_every_word(app, recorded):
    mine, _other = recorded
    _client, facilitator_texts = facilitator_reach(app, mine.facilitator)
    assert set(found_in(facilitator_texts, mine.markers)) == set(mine.markers)

    for path in mine.member_paths[:2]:
        member_texts = member_reach(app, path)
        assert set(found_in(member_texts, mine.markers)) == set(mine.markers), path
