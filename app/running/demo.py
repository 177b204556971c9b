"""A confirmed programme taken through its sessions with realistic demo data: staff sign-ins, a
facilitator per set, published schedules, and each held session's attendance, presenters, issue
titles, actions and reviews (`als demo --through`; tests use run_through as a factory).

Everything goes through the services the pages use (lifecycle.accept_place, setup.plan_and_publish,
running.service), so the data keeps the same rules as data typed in. Each step is dated when it
would have happened: the clock is set to that moment (an offer accepted days after it was made,
dates published before the first session, a session recorded as it ends), so histories, emails
and "recorded on" read in order although the sessions were months ago.
"""
from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app

from app.applications.lifecycle import accept_place
from app.auth.accounts import create_user, find_user, generate_password
from app.auth.staff import set_facilitator_details
from app.clock import LONDON, as_utc, format_london, london, utcnow
from app.demo import FIRST_NAMES, LAST_NAMES, email_part
from app.finance.accounts import account_of
from app.finance.ledger import record_payment
from app.models import (
    ActionOutcome,
    Application,
    Attendance,
    LearningSet,
    PayerKind,
    Programme,
    Role,
    ScheduledSession,
    User,
)
from app.programmes import record_change, settings_snapshot
from app.running import service
from app.running.service import SessionEntry
from app.running.setup import MONTHLY, plan_and_publish
from app.schedule import service as schedule
from app.schedule.planner import SESSIONS, WinterBreak, add_months, plan_sessions, slot_times
from selection.scorecard import org_key

WEEK = timedelta(days=7)
#: the sets are confirmed this long before the first sessions, their dates published a little later
CONFIRMED_BEFORE = timedelta(days=28)
PUBLISHED_BEFORE = timedelta(days=24)
#: most people accept their place; the others have not answered (so the reminders can be tried)
ACCEPTS = 0.92
#: of those who accepted: paid in full, paid half (the rest owe it all)
PAID, PART_PAID = 0.8, 0.06
#: of each member at each session: present, apologies, else absent
PRESENT, APOLOGIES = 0.9, 0.08
OUTCOME_WEIGHTS = {ActionOutcome.DONE: 45, ActionOutcome.PARTLY: 25, ActionOutcome.NOT_DONE: 15,
                   ActionOutcome.DROPPED: 15}
#: an action carried over once is more likely to be finished or let go next time
CARRIED_WEIGHTS = {ActionOutcome.DONE: 55, ActionOutcome.PARTLY: 15, ActionOutcome.NOT_DONE: 10,
                   ActionOutcome.DROPPED: 20}


@dataclass(frozen=True)
class Topic:
    """An issue a member brings to the set: ways they might title it, and actions it leads to."""

    titles: tuple[str, ...]
    actions: tuple[str, ...]


TOPICS = (
    Topic(("Keeping good people when we cannot pay more", "Losing experienced staff to agency work"),
          ("Hold stay conversations with my three team leaders before the next session",
           "Ask HR for the themes of the last two years' exit interviews and read them myself",
           "Talk to our finance director about a retention payment for the hardest posts to fill")),
    Topic(("Leading the service through a 15% budget cut", "Telling the team the grant will not be renewed"),
          ("Draft the message to staff about next year's budget and test it on two people I trust",
           "Map which back-office services we could share with a neighbouring organisation",
           "Ask the commissioners what would make a renewal likely, in person rather than by email")),
    Topic(("A difficult relationship with my chair", "Getting the board to take risk seriously"),
          ("Ask my chair for an hour to agree how we want to work together",
           "Rewrite the risk report so the board sees the three risks that matter, not thirty",
           "Meet the vice-chair informally to understand how the board sees me")),
    Topic(("Bringing two teams together after the merger", "Two cultures, one service"),
          ("Spend a day in each office with no agenda, just listening",
           "Agree one shared team meeting a month with both managers",
           "Ask each team to name one thing the other does better")),
    Topic(("Hybrid working is pulling the team apart", "Nobody comes into the office any more"),
          ("Ask the team what an office day should be for, and try their answer for a month",
           "Stop holding my one-to-ones on screen when we are both in the building")),
    Topic(("A senior colleague who is not delivering", "The conversation I keep putting off"),
          ("Have the conversation with specific examples, and agree a date to review it",
           "Write down what good looks like in the role before the conversation",
           "Ask HR for advice on the process so that I am fair and consistent")),
    Topic(("I cannot stop doing my old job", "Delegating without losing control"),
          ("Hand the weekly operations meeting to my deputy and stay away from it",
           "Keep a diary for two weeks of what only I can do",
           "Tell my team which decisions I no longer want to be asked about")),
    Topic(("A partnership that exists on paper only", "Making the integrated care partnership real"),
          ("Phone the other two chief executives rather than sending another paper",
           "Propose one small joint project we can deliver by the spring",
           "Find out what the partnership would have to achieve for my board to keep funding it")),
    Topic(("Rebuilding confidence after a poor inspection", "Life after 'requires improvement'"),
          ("Share the inspection report with all staff and hold two open sessions about it",
           "Pick the two findings we can fix within three months and name an owner for each")),
    Topic(("A new system nobody wants to use", "Digital change that staff resist"),
          ("Sit with front-line staff for a morning while they use the new system",
           "Ask the supplier for the three changes that would help most, with a date for each")),
    Topic(("Planning for my own succession", "Who leads this after me?"),
          ("Talk to two possible successors about their ambitions",
           "Write the handover notes I would need if I left tomorrow")),
    Topic(("Burnout in the leadership team", "Looking after myself as well as everyone else"),
          ("Cancel one standing meeting a week and protect the time for thinking",
           "Ask occupational health what support they can offer managers",
           "Take the leave I have been carrying since last year")),
    Topic(("Growing the business without losing what makes us good", "Scaling up from fifteen to fifty staff"),
          ("Ask our five longest-serving staff what we must not lose as we grow",
           "Test a price rise with two of our larger clients",
           "Write a one-page plan for the first manager I will need to appoint")),
    Topic(("Fewer volunteers and more demand", "Keeping volunteers when everyone is stretched"),
          ("Meet the volunteer coordinators to hear why people stop volunteering",
           "Ask two local employers about staff volunteering days")),
)
LEARNING = {
    ActionOutcome.DONE: (
        "Asking the question directly was easier than I had feared.",
        "Once I stopped preparing the perfect answer, the conversation took twenty minutes.",
        "People had been waiting to be asked: I should have done this months ago.",
        "Writing it down first made me far clearer in the room.",
        "Doing it in person rather than by email changed the tone completely.",
    ),
    ActionOutcome.PARTLY: (
        "I started, but the diary won: I need to block the time rather than hope for it.",
        "Half the conversations happened; the harder ones are still to come.",
        "I did the easy part and avoided the part that mattered.",
        "Progress, but I underestimated how long it takes to get everyone in a room.",
    ),
    ActionOutcome.NOT_DONE: (
        "A crisis took the month, and I let urgent beat important again.",
        "I was waiting for permission that nobody needed to give.",
        "I realised I did not believe in the action I had set, so I did not do it.",
        "Sickness in the team meant I was covering the front line all month.",
    ),
    ActionOutcome.DROPPED: (
        "Things moved on: the restructure made this action irrelevant.",
        "The set helped me see that this is someone else's problem to solve.",
        "Circumstances changed, so the question no longer needs an answer.",
        "I have handed this to my deputy, where it belongs.",
    ),
}
GROUND_RULES = (
    "What is said in the set stays in the set (Chatham House rules).",
    "Phones away: the presenter has our full attention.",
    "We ask questions rather than give advice, unless the presenter asks for it.",
    "We start and finish on time, and send apologies to the facilitator beforehand.",
    "Everyone presents; nobody has to share more than they choose.",
    "Challenge the issue, support the person.",
    "We come ready to say what we did about our actions.",
    "No job titles in the room: we are peers here.",
    "It is fine to say 'I don't know'.",
)
SET_ISSUES = (
    "Keeping good staff on flat budgets", "Leading change that people did not ask for",
    "Working with boards and chairs", "Partnerships that deliver more than meetings",
    "Our own resilience as leaders", "Hybrid working and team culture",
    "Difficult conversations with senior colleagues", "Doing more with less money",
    "Succession and growing the next leaders",
)
#: facilitators' organisations (never an applicant's) and their email domains
FACILITATION_ORGANISATIONS = {
    "Northern Leadership Associates": "northernleadership", "Tyne Coaching Partnership": "tynecoaching",
    "Wearside Action Learning": "wearsideactionlearning", "Fellside Facilitation Ltd": "fellside",
    "Coquet Consulting": "coquetconsulting", "Castle Leadership Development": "castleleadership",
    "The Learning Set Company": "learningsetcompany", "Cheviot Coaching": "cheviotcoaching",
}


@dataclass(frozen=True)
class SignIn:
    """A staff account the demo created, with its generated password."""

    role: Role
    email: str
    password: str
    learning_set: str | None = None   # the set a facilitator runs


@dataclass(frozen=True)
class MemberToTry:
    application: Application
    learning_set: str
    why: str


@dataclass
class RunThrough:
    """What run_through created, for the command to print and the tests to check."""

    sign_ins: list[SignIn] = field(default_factory=list)
    first_sessions: dict[str, date] = field(default_factory=dict)   # set name -> its first session
    accepted: int = 0
    paid: int = 0   # fee accounts with a payment recorded
    sessions_recorded: int = 0
    actions: int = 0
    reviews: int = 0
    members_to_try: list[MemberToTry] = field(default_factory=list)
    deadline_moved: str | None = None


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Everything inside happens at `moment`: timestamps, the audit log and queued emails."""
    config = current_app.config
    saved: Callable[[], datetime] = config["CLOCK"]
    config["CLOCK"] = lambda: moment
    try:
        yield
    finally:
        config["CLOCK"] = saved


def first_session_on(slot_label: str, through: int, today: date) -> date:
    """A first date for a set meeting at this place and time such that, planned monthly as the
    organiser would (bank holidays and the winter break avoided), sessions 1..through are before
    today and the next one is after it: about `through` months ago."""
    target = add_months(today, -through) + timedelta(days=10)
    weekday = slot_times(slot_label).weekday
    if weekday is not None:
        target += timedelta(days=(weekday - target.weekday()) % 7)
    for step in range(21):
        first = target + WEEK * ((step + 1) // 2 * (1 if step % 2 else -1))   # 0, +1, -1, +2, -2 weeks ...
        plan = plan_sessions(first, MONTHLY, slot_label, WinterBreak(), training_after=3)
        dates = [meeting.on for meeting in plan.sessions]
        if plan.ok and all(on < today for on in dates[:through]) and all(on > today for on in dates[through:]):
            return first
    raise ValueError(f"No first date fits {slot_label} with {through} session(s) held by {today}")


def first_sessions(programme: Programme, through: int, today: date) -> dict[str, date]:
    """The first session date for each of the programme's places and times."""
    return {slot.label: first_session_on(slot.label, through, today) for slot in programme.slots}


def _morning(on: date) -> datetime:
    return as_utc(datetime.combine(on, time(10, 0), tzinfo=LONDON))


def confirming_at(first: date, now: datetime) -> datetime:
    """When the demo's sets are confirmed: four weeks before the first session, never after now."""
    return min(_morning(first) - CONFIRMED_BEFORE, now)


def make_room(programme: Programme, confirmed_at: datetime, by: str) -> str | None:
    """Close applications before the sets are confirmed (it is demo data): the deadline moves to
    three days earlier, and the opening date before it. Returns a sentence saying so, or None."""
    if as_utc(programme.deadline) < confirmed_at:
        return None
    before = settings_snapshot(programme)
    old = programme.deadline
    day = london(confirmed_at).date() - timedelta(days=3)
    programme.deadline = datetime.combine(day, time(17, 0), tzinfo=LONDON)
    if programme.opens_at is not None and as_utc(programme.opens_at) >= as_utc(programme.deadline):
        programme.opens_at = programme.deadline - timedelta(weeks=6)
    record_change(programme, before, by)
    return (f"Demo data: the deadline for applications moved from {format_london(old)} to "
            f"{format_london(programme.deadline)}, so that applications closed before the sets were "
            "confirmed and their sessions began.")


def _free_email(local: str, domain: str) -> str:
    email, number = f"{local}@{domain}", 1
    while find_user(email) is not None:
        number += 1
        email = f"{local}{number}@{domain}"
    return email


def _account(role: Role, local: str, domain: str) -> tuple[User, SignIn]:
    password = generate_password()
    user = create_user(_free_email(local, domain), password, role, utcnow(), by="cli")
    return user, SignIn(role, user.email, password)


def _plain_name(names: list[str], rng: random.Random) -> str:
    # Staff emails are built from the name: only names whose every letter has a plain ASCII form.
    return rng.choice([name for name in names if len(email_part(name)) == sum(ch.isalnum() for ch in name)])


def _facilitator(learning_set: LearningSet, labels: list[str], rng: random.Random) -> tuple[User, SignIn]:
    """A facilitator for the set: from no member's organisation, able to attend its place and time."""
    first, last = _plain_name(FIRST_NAMES, rng), _plain_name(LAST_NAMES, rng)
    members = {org_key(m.application.organisation) for m in learning_set.members}
    organisation = next(o for o in rng.sample(sorted(FACILITATION_ORGANISATIONS), len(FACILITATION_ORGANISATIONS))
                        if org_key(o) not in members)
    user, sign_in = _account(Role.FACILITATOR, f"{email_part(first)}.{email_part(last)}",
                             f"{FACILITATION_ORGANISATIONS[organisation]}.example.org")
    others = [label for label in labels if label != learning_set.slot_label and rng.random() < 0.3]
    set_facilitator_details(user, f"{first} {last}", organisation, [learning_set.slot_label, *others], by="cli")
    return user, SignIn(sign_in.role, sign_in.email, sign_in.password, learning_set.name)


def _accept_places(learning_set: LearningSet, first_morning: datetime, rng: random.Random, now: datetime) -> int:
    """Most members accept within days of the offer (always before the first session)."""
    accepted = 0
    for application in service.members_of(learning_set):
        if application.accepted_at is None and rng.random() < ACCEPTS:
            offered = as_utc(application.offered_at or now)
            answered = min(offered + timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 8)),
                           first_morning - timedelta(days=1))
            with clock_at(min(max(answered, offered), now)):
                accepted += accept_place(application, utcnow())
    return accepted


def _pay_fees(learning_set: LearningSet, finance: User, rng: random.Random, today: date, now: datetime) -> int:
    """Most who accepted have paid in full, a few in part, some late or not yet, as finance
    would record it: so the fees pages have every kind of account to show."""
    paid = 0
    for application in service.members_of(learning_set):
        account = account_of(application)
        roll = rng.random()
        if account is None or application.accepted_at is None or roll >= PAID + PART_PAID:
            continue
        accepted_on = london(application.accepted_at).date()
        on = (min(accepted_on + timedelta(days=rng.randint(2, 20)), max(account.due_date, accepted_on))
              if rng.random() < 0.9 else account.due_date + timedelta(days=rng.randint(3, 20)))
        if on > today:
            continue
        amount = account.balance_pence if roll < PAID else account.balance_pence // 2
        methods = ("invoice", "bank transfer") if account.payer_kind is PayerKind.ORGANISATION else ("bank transfer", "card")
        with clock_at(min(as_utc(datetime.combine(on, time(11, 0), tzinfo=LONDON)), now)):
            record_payment(account, amount, on, rng.choice(methods), application.reference, by=finance.email,
                           now=utcnow())
        paid += 1
    return paid


def _ended(session: ScheduledSession) -> datetime:
    return as_utc(datetime.combine(session.on, session.ends_at, tzinfo=LONDON)) + timedelta(minutes=30)


def _attendance(members: list[Application], session: ScheduledSession, rng: random.Random,
                missed_last: set[int], away: tuple[int, int] | None) -> dict[int, Attendance]:
    """Mostly present, some apologies, an occasional absence. Nobody misses two in a row except
    the member `away` names (application id, first session missed), so the organiser's flag
    shows where the demo means it to."""
    marks = {}
    for application in members:
        if away is not None and application.id == away[0] and session.number in (away[1], away[1] + 1):
            marks[application.id] = Attendance.APOLOGIES if session.number == away[1] else Attendance.ABSENT
        elif application.id in missed_last:
            marks[application.id] = Attendance.PRESENT
        else:
            roll = rng.random()
            marks[application.id] = (Attendance.PRESENT if roll < PRESENT else
                                     Attendance.APOLOGIES if roll < PRESENT + APOLOGIES else Attendance.ABSENT)
    if not any(mark is Attendance.PRESENT for mark in marks.values()):
        marks[members[0].id] = Attendance.PRESENT
    return marks


def _entry(session: ScheduledSession, marks: dict[int, Attendance], presented: list[int],
           rng: random.Random) -> SessionEntry:
    """The facilitator's record; at the first, co-production session also what the set agreed."""
    if session.number != 1:
        return SessionEntry(marks, presented)
    rules = rng.sample(GROUND_RULES, rng.randint(4, 6))
    issues = rng.sample(SET_ISSUES, rng.randint(3, 5))
    return SessionEntry(marks, presented, ground_rules="\n".join(f"- {rule}" for rule in rules),
                        issues="\n".join(f"- {issue}" for issue in issues), agreed_interval=MONTHLY)


def _review_open_actions(session: ScheduledSession, marks: dict[int, Attendance], rng: random.Random,
                         by: str) -> int:
    """Review each open action whose owner came, each time with a new line of learning."""
    reviewed = 0
    for action in service.to_review_at(session):
        if marks.get(action.application_id) is not Attendance.PRESENT:
            continue   # reviewed when its owner is back
        weights = CARRIED_WEIGHTS if action.reviews else OUTCOME_WEIGHTS
        outcome = rng.choices(list(weights), list(weights.values()))[0]
        said = {review.learning for review in action.reviews}
        learning = rng.choice([line for line in LEARNING[outcome] if line not in said] or LEARNING[outcome])
        service.review_action(action, session, outcome, learning, by=by, today=session.on)
        reviewed += 1
    return reviewed


def _working_day(on: date) -> date:
    """The Friday before a Saturday or Sunday: nobody sets themselves a deadline at the weekend."""
    return on - timedelta(days=max(0, on.weekday() - 4))


def _add_actions(session: ScheduledSession, application: Application, topic: Topic, set_before: set[str],
                 following: ScheduledSession | None, rng: random.Random, facilitator: User) -> int:
    """One or two actions from the presenter's topic, not one they have had before where possible,
    mostly due before the next session; written by the facilitator or by the presenter."""
    fresh = [what for what in topic.actions if what not in set_before] or list(topic.actions)
    chosen = rng.sample(fresh, min(len(fresh), rng.randint(1, 2)))
    for what in chosen:
        due = (following.on - timedelta(days=rng.randint(1, 10)) if following is not None
               else session.on + timedelta(weeks=4))
        service.add_action(session, application, what, _working_day(due) if rng.random() < 0.8 else None,
                           by="member" if rng.random() < 0.3 else facilitator.email, today=session.on)
        set_before.add(what)
    return len(chosen)


def _hold_sessions(learning_set: LearningSet, facilitator: User, through: int, rng: random.Random,
                   today: date, result: RunThrough, flag_someone: bool) -> None:
    """Record sessions 1..through as the facilitator would, with titles, actions and reviews."""
    sessions = service.sessions_of(learning_set)
    members = service.members_of(learning_set)
    by_id = {a.id: a for a in members}
    # Each member brings their own issue; a second turn gets the other way of putting it.
    shuffled = rng.sample(TOPICS, len(TOPICS))
    topics = {a.id: shuffled[i % len(shuffled)] for i, a in enumerate(members)}
    turns: Counter[int] = Counter()
    actions_had: dict[int, set[str]] = {a.id: set() for a in members}

    def title(application: Application) -> str:
        titles = topics[application.id].titles
        return titles[turns[application.id] % len(titles)]

    away = (rng.choice(members).id, rng.randint(2, through - 1)) if flag_someone and through >= 3 else None
    missed_last: set[int] = set()
    for index, session in enumerate(sessions[:through]):
        marks = _attendance(members, session, rng, missed_last, away)
        missed_last = {a_id for a_id, mark in marks.items() if mark is not Attendance.PRESENT}
        planned = [p.application for p in service.presenters_of(session)]
        for application in planned:
            if rng.random() < 0.75:   # a title is optional: most give one, a few days before
                service.set_issue_title(session, application, title(application),
                                        today=session.on - timedelta(days=rng.randint(2, 9)))
            turns[application.id] += 1
        presented = [a.id for a in planned if marks[a.id] is Attendance.PRESENT]
        if not presented:   # the presenters sent apologies: someone else brought an issue
            presented = [rng.choice([a_id for a_id, mark in marks.items() if mark is Attendance.PRESENT])]
        following = sessions[index + 1] if index + 1 < len(sessions) else None
        with clock_at(_ended(session)):
            service.record_session(session, _entry(session, marks, presented, rng), by=facilitator.email,
                                   today=session.on)
            result.sessions_recorded += 1
            result.reviews += _review_open_actions(session, marks, rng, facilitator.email)
            for a_id in presented:
                result.actions += _add_actions(session, by_id[a_id], topics[a_id], actions_had[a_id], following,
                                               rng, facilitator)
    if through < len(sessions):
        for application in (p.application for p in service.presenters_of(sessions[through])):
            if rng.random() < 0.5:
                service.set_issue_title(sessions[through], application, title(application), today)


def _members_to_try(sets: list[LearningSet], through: int) -> list[MemberToTry]:
    """Two members whose pages show something: one of the first set who presented at the last
    session held (their actions are open), and one of another set who presents next."""
    chosen = []
    if through >= 1:
        latest = service.sessions_of(sets[0])[through - 1]
        presented = [p.application for p in service.presenters_of(latest) if p.presented]
        if presented:
            chosen.append(MemberToTry(presented[0], sets[0].name, f"presented at session {through} and has actions"))
    other = sets[1] if len(sets) > 1 else sets[0]
    sessions = service.sessions_of(other)
    number = min(through + 1, len(sessions))
    presenters = service.presenters_of(sessions[number - 1])
    if presenters:
        verb = "presents" if number > through else "presented"
        chosen.append(MemberToTry(presenters[0].application, other.name, f"{verb} at session {number}"))
    return chosen


def run_through(programme: Programme, through: int, seed: int, today: date) -> RunThrough:
    """Take a confirmed programme whose sets have no schedule yet up to session `through` (0–6):
    most places accepted, an organiser, a finance officer and a facilitator per set (each with a
    generated password), schedules planned monthly and published so that sessions 1..through are
    before `today`, and those sessions recorded. The same seed gives the same people and records.
    The caller commits."""
    if not 0 <= through <= SESSIONS:
        raise ValueError(f"through must be between 0 and {SESSIONS}")
    sets = schedule.sets_of(programme)
    if not sets:
        raise ValueError("Confirm the programme's sets first")
    if any(service.sessions_of(learning_set) for learning_set in sets):
        raise ValueError("Some sets have dates already: the demo plans every set's sessions itself")
    rng = random.Random(seed)
    now = utcnow()
    firsts = {s.id: first_session_on(s.slot_label, through, today) for s in sets}
    result = RunThrough(deadline_moved=make_room(programme, confirming_at(min(firsts.values()), now), "cli"))
    organiser, sign_in = _account(Role.ORGANISER, "organiser", "demo.example.org")
    result.sign_ins.append(sign_in)
    finance, sign_in = _account(Role.FINANCE, "finance", "demo.example.org")
    result.sign_ins.append(sign_in)
    for learning_set in sets:
        result.accepted += _accept_places(learning_set, _morning(firsts[learning_set.id]), rng, now)
    labels = [slot.label for slot in programme.slots]
    for index, learning_set in enumerate(sets):
        first = firsts[learning_set.id]
        facilitator, sign_in = _facilitator(learning_set, labels, rng)
        result.sign_ins.append(sign_in)
        with clock_at(min(max(as_utc(learning_set.created_at), _morning(first) - PUBLISHED_BEFORE), now)):
            plan_and_publish(learning_set, first, by=organiser.email, now=utcnow())
            service.assign_facilitator(learning_set, facilitator, by=organiser.email)
        result.first_sessions[learning_set.name] = first
        result.paid += _pay_fees(learning_set, finance, rng, today, now)
        _hold_sessions(learning_set, facilitator, through, rng, today, result, flag_someone=index % 4 == 0)
    result.members_to_try = _members_to_try(sets, through)
    return result
