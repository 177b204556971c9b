"""Realistic, varied fake applications so every screen can be tried at once (`als demo`)."""
from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from sqlalchemy import select

from app.applications.service import email_key, fresh_reference, new_private_token, taken_references
from app.clock import utcnow
from app.extensions import db
from app.models import Application, ApplicationStatus, Payer, Programme, Sector

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


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum()) or "x"


def add_demo_applications(programme: Programme, count: int, seed: int) -> int:
    """Add up to `count` applications; the same seed gives the same people, so re-running adds none twice."""
    rng = random.Random(seed)
    now = utcnow()
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
        email = f"{_ascii(first)}.{_ascii(last)}.{seed}.{number}@{_ascii(organisation)[:24]}.example.org"
        slots = [slot for slot in programme.slots if rng.random() < 0.45] or [rng.choice(programme.slots)]
        late = rng.random() < 0.03
        submitted = (programme.deadline + timedelta(minutes=rng.randint(1, 600))) if late else now - timedelta(minutes=rng.randint(1, 60 * 24 * 30))
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
