"""Realistic, varied fake applications so every screen can be tried at once (`als demo`), and a
whole programme up to a session (`als demo --through`, with app.running.demo)."""
from __future__ import annotations

import logging
import random
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from app.applications.service import email_key, fresh_reference, new_private_token, taken_references
from app.clock import as_utc, london, utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet, Payer, Programme, Sector

if TYPE_CHECKING:   # app.running.demo builds on this module's names
    from app.running.demo import RunThrough

FIRST_NAMES = [
    "Siobhán", "Zoë", "Aoife", "Seán", "José", "François", "Björn", "Łukasz", "Priya", "Oluwaseun",
    "Mohammed", "Fatima", "Grace", "Hannah", "James", "Kate", "Liam", "Margaret", "Niamh", "Olivia",
    "Peter", "Rachel", "Sarah", "Thomas", "Uma", "Victoria", "William", "Yusuf", "Amara", "Ben",
    "Chloé", "David", "Eilidh", "Frank", "Gemma", "Harpreet", "Ian", "Joanne", "Kwame", "Lindsay",
    "小龍", "Anh", "Dorota", "Ríona", "Søren", "Ayşe", "Émile", "Małgorzata", "Tomás", "Nkechi",
]
LAST_NAMES = [
    "Ní Bhriain", "O'Neill", "Smith", "Robson", "Charlton", "Milburn", "Armstrong", "Patel", "Khan", "Nguyễn",
    "Adeyemi", "Brown", "Clark", "Dodds", "Elliott", "Forster", "Graham", "Hall", "Irving", "Johnson",
    "Kowalski", "Lamb", "Moreno", "Nesbitt", "Ogunleye", "Pattinson", "Quinn", "Ridley", "Stephenson", "Thompson",
    "Urquhart", "Vaughan", "Wilson", "Young", "李", "Müller", "Øvergaard", "Şahin", "Dubois", "García",
]
ORGANISATIONS = {
    Sector.PUBLIC: [
        "Newcastle City Council", "Gateshead Council", "Durham County Council", "Sunderland City Council",
        "North Tyneside Council", "Northumbria Healthcare NHS Foundation Trust", "Northumbria Police",
        "Tyne and Wear Fire and Rescue Service", "Newcastle University", "Cumbria, Northumberland, Tyne and Wear NHS Trust",
        "South Tyneside Council", "Nexus", "Durham University", "HM Prison Frankland",
    ],
    Sector.PRIVATE: [
        "Sage Group plc", "Northumbrian Water Ltd", "Ryder Architecture", "Ward Hadaway LLP", "Muckle LLP",
        "Bede Digital Ltd", "Tyne Tech Solutions Ltd", "Quayside Consulting", "Angel Engineering Ltd",
        "Wear Valley Logistics", "Baltic Design Studio", "Tees Precision Ltd", "Grainger Retail Group",
    ],
    Sector.VOLUNTARY: [
        "Age UK North Tyneside", "Citizens Advice Gateshead", "Changing Lives", "Community Foundation Tyne & Wear",
        "Mind in Sunderland", "Barnardo's North East", "VONNE", "Groundwork North East", "The Cedarwood Trust",
        "Durham Community Action", "Carers Trust Tyne and Wear", "Food Bank Newcastle West End",
    ],
}
JOB_TITLES = [
    "Chief Executive", "Director of Operations", "Director of Finance", "Head of Service", "Managing Director",
    "Chief Operating Officer", "Director of People", "Assistant Director, Children's Services", "Senior Manager",
    "Head of Partnerships", "Deputy Chief Executive", "Director of Strategy",
]
OFFERS = [
    "Twenty years of leading change in large organisations, and a habit of asking the awkward question.",
    "Experience of merging two teams after a restructure, and of the mistakes I made doing it.",
    "I listen well and can bring a finance view to most problems.",
    "Practical experience of partnership working across health and social care.",
]
EXPECTATIONS = [
    "Space to think about how I lead through a period of reduced funding.",
    "Fresh perspectives from other sectors on retaining good staff.",
    "To become a better coach to my own senior team, and to learn to facilitate a set.",
    "Honest challenge from peers outside my organisation.",
]
SECTOR_WEIGHTS = [(Sector.PUBLIC, 40), (Sector.PRIVATE, 35), (Sector.VOLUNTARY, 25)]


def email_part(text: str) -> str:
    """A name as letters and digits for an email address ("x" when none are plain ASCII)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum()) or "x"


def add_demo_applications(programme: Programme, count: int, seed: int) -> int:
    """Add up to `count` applications; the same seed gives the same people, so re-running adds none twice."""
    rng = random.Random(seed)
    now = utcnow()
    # Once the deadline has passed, people applied in the month before it (and a few just after).
    applied_by = min(now, as_utc(programme.deadline))
    sectors = [sector for sector, _ in SECTOR_WEIGHTS]
    weights = [weight for _, weight in SECTOR_WEIGHTS]
    existing = set(db.session.scalars(select(Application.email_key).where(Application.programme_id == programme.id)))
    taken = taken_references()
    added = 0
    for number in range(count):
        sector = rng.choices(sectors, weights)[0]
        base = ORGANISATIONS[sector]
        # More applicants than named organisations: add numbered branches so organisations still have 2–5 people.
        pool = len(base) if count <= 140 else max(len(base), count // (3 * len(SECTOR_WEIGHTS)))
        index = rng.randrange(pool)
        organisation = base[index] if index < len(base) else f"{base[index % len(base)]} ({['North', 'South', 'East', 'West'][index % 4]} {index // len(base)})"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{email_part(first)}.{email_part(last)}.{seed}.{number}@{email_part(organisation)[:24]}.example.org"
        slots = [slot for slot in programme.slots if rng.random() < 0.45] or [rng.choice(programme.slots)]
        late = rng.random() < 0.03
        submitted = (programme.deadline + timedelta(minutes=rng.randint(1, 600))) if late else applied_by - timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        status = ApplicationStatus.LATE if late else (ApplicationStatus.WITHDRAWN if rng.random() < 0.02 else ApplicationStatus.SUBMITTED)
        if submitted > now:
            # Nobody can have applied late before the deadline has passed: an ordinary application.
            late, status = False, ApplicationStatus.SUBMITTED
            submitted = now - (submitted - programme.deadline)
        person = dict(
            phone=f"0191 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if rng.random() < 0.7 else None,
            job_title=rng.choice(JOB_TITLES), offer=rng.choice(OFFERS), expectations=rng.choice(EXPECTATIONS),
            note_text=" ".join(rng.choice(OFFERS + EXPECTATIONS) for _ in range(rng.randint(8, 40))),
            payer=rng.choice(list(Payer)),
        )
        # Every random draw is made before this check, so a re-run with the same seed skips the same people.
        if email_key(email) in existing:
            continue
        application = Application(
            programme=programme, reference=fresh_reference(taken), status=status, late=late,
            full_name=f"{first} {last}", email=email, email_key=email_key(email),
            organisation=organisation, sector=sector, **person, agreed_at=submitted, submitted_at=submitted, updated_at=submitted,
            withdrawn_at=submitted if status is ApplicationStatus.WITHDRAWN else None,
            source="demo",
        )
        new_private_token(application)
        application.slots = slots
        db.session.add(application)
        existing.add(email_key(email))
        added += 1
    return added


# --- a whole programme up to a session (`als demo --through`) -------------------------------------


class DemoRefused(Exception):
    """The demo cannot fill this database; the message says why, in a sentence."""


@dataclass
class Filled:
    added: int
    counts: dict[str, int]        # as confirming reports them: selected, waiting_list, not_selected
    made: RunThrough
    deadline_moved: str | None


def fill_programme(programme: Programme, applicants: int, seed: int, through: int) -> Filled:
    """Demo applications, all submitted ones marked eligible, one selection run confirmed as the
    organiser would, then the sets taken to session `through` (app.running.demo.run_through).
    Refused when the programme's sets are confirmed already. The caller commits."""
    from app.review.service import change_many
    from app.running.demo import clock_at, confirming_at, first_sessions, make_room, run_through
    from app.sets import service as selection
    from app.sets.cli import stdout_to_stderr

    if db.session.scalars(select(LearningSet.id).where(LearningSet.programme_id == programme.id)).first():
        raise DemoRefused("The sets are confirmed already, so the demo would change a running programme: "
                          "start from a new database to fill a whole programme.")
    if not programme.slots:
        raise DemoRefused("The programme has no places and times: add them with `als programme --slot ...`.")
    now = utcnow()
    today = london(now).date()
    confirmed_at = confirming_at(min(first_sessions(programme, through, today).values()), now)
    moved = make_room(programme, confirmed_at, "cli")
    with clock_at(confirmed_at):
        added = add_demo_applications(programme, applicants, seed)
        submitted = db.session.scalars(select(Application).where(
            Application.programme_id == programme.id, Application.status == ApplicationStatus.SUBMITTED)
            .order_by(Application.submitted_at, Application.id))
        change_many(submitted, ApplicationStatus.ELIGIBLE, "cli", utcnow())
        rules = selection.default_rules(programme)
        rules.seed = seed
        run = selection.start_run(programme, rules, by="cli")
        db.session.commit()
        with stdout_to_stderr():   # solvers print banners straight to the terminal
            selection.execute_run(run.id)
        db.session.refresh(run)
        if run.arrangement is None:
            raise DemoRefused(f"Selection run {run.id} failed: {(run.error or 'unknown error').splitlines()[0]}")
        try:
            counts = selection.confirm(run, by="cli", before_deadline=True).counts
        except selection.ConfirmRefused as refused:
            raise DemoRefused(f"Selection run {run.id} could not be confirmed: {refused}") from refused
    return Filled(added, counts, run_through(programme, through, seed, today), moved)


def staff_login_url() -> str:
    """Where staff sign in: under PUBLIC_URL, as private links are."""
    path = current_app.url_map.bind("localhost").build("auth.login")
    base = current_app.config.get("PUBLIC_URL")
    return base.rstrip("/") + path if base else f"http://localhost{path}"


def describe_filled(filled: Filled, programme: Programme, seed: int, through: int) -> list[str]:
    """What `als demo --through` prints: what it made and the sign-ins it created."""
    from app.applications.service import private_link_for
    from app.running.service import missed_in_a_row
    from app.schedule.planner import uk_date

    run, counts = filled.made, filled.counts
    held = "no session held yet" if through == 0 else (
        "session 1 held" if through == 1 else f"sessions 1–{through} held")
    lines = [f"Added {filled.added} demo application(s) to {programme.name} (seed {seed})."]
    if filled.deadline_moved:
        lines.append(filled.deadline_moved)
    lines += [
        f"Confirmed {len(run.first_sessions)} sets: {counts['selected']} offered a place ({run.accepted} accepted), "
        f"{counts['waiting_list']} on the waiting list, {counts['not_selected']} not selected.",
        f"Schedules published, {held}; first sessions from {uk_date(min(run.first_sessions.values()))}.",
        f"Recorded {run.sessions_recorded} session(s), {run.actions} action(s) and {run.reviews} review(s); "
        f"payments from {run.paid} member(s) or their organisations.",
    ]
    flags = missed_in_a_row(programme)
    if flags:
        lines.append("Missed two sessions in a row (the organiser is told): " + "; ".join(
            f"{flag.application.full_name} ({flag.learning_set.name})" for flag in flags) + ".")
    width = max(len(sign_in.email) for sign_in in run.sign_ins)
    lines += ["", f"Staff sign in at {staff_login_url()} (passwords shown once; keep them or reset them "
              "with `als reset-password EMAIL --generate`):"]
    for sign_in in run.sign_ins:
        where = f"  ({sign_in.learning_set})" if sign_in.learning_set else ""
        lines.append(f"  {sign_in.role.value:<11}  {sign_in.email:<{width}}  {sign_in.password}{where}")
    if run.members_to_try:
        lines += ["", "Members reach their set through their private link, for example:"]
        for member in run.members_to_try:
            lines.append(f"  {member.application.full_name} ({member.learning_set}, {member.why}):")
            lines.append(f"    {private_link_for(member.application)}")
    return lines


@contextmanager
def emails_not_logged() -> Iterator[None]:
    """Without MAIL_SERVER each queued email is also written to the log; a whole programme queues
    hundreds (offers, dates), which would bury the sign-ins. They stay in the outbox."""
    logger = current_app.logger
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
