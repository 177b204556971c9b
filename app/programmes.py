"""The programme applicants apply to: finding it, and creating one with the brief's defaults."""
from __future__ import annotations

import re

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.clock import LONDON, as_utc
from app.extensions import db
from app.models import Programme, Slot
from app.text import clean_text

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


def open_next_programme(previous: Programme, name: str, deadline: datetime, opens_at: datetime | None,
                        now: datetime) -> Programme:
    """The next programme, with the previous one's settings (sessions, fee, set sizes, word limit,
    places and times, payment instructions, days to respond). It becomes the current programme;
    the previous one stays, readable, with its sets as history for the optimiser."""
    if any(p.name.casefold() == name.casefold() for p in db.session.scalars(select(Programme))):
        raise SettingRefused(f"There is already a programme called “{name}”: choose another name", "name")
    if deadline <= now:
        raise SettingRefused("The deadline must be in the future", "deadline")
    programme = Programme(
        name=name, opens_at=opens_at, deadline=deadline, created_at=now, sessions=previous.sessions,
        fee_per_session_pence=previous.fee_per_session_pence, min_set_size=previous.min_set_size,
        max_set_size=previous.max_set_size, note_word_limit=previous.note_word_limit,
        payment_instructions=previous.payment_instructions, respond_days=previous.respond_days,
    )
    programme.slots = [Slot(label=slot.label, position=slot.position) for slot in previous.slots]
    check_programme(programme)
    db.session.add(programme)
    return programme


# --- changing the settings: one set of rules for the settings page and `als programme` ----------

SESSIONS_RANGE = (1, 24)
SET_SIZE_RANGE = (2, 20)
WORD_LIMIT_RANGE = (50, 5000)
RESPOND_DAYS_RANGE = (1, 90)
PAYMENT_INSTRUCTIONS_LIMIT = 5000
UK_TIME_EXAMPLE = "2026-12-04 17:00"


class SettingRefused(ValueError):
    """A setting that cannot be saved, with a message for people and the setting it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def settings_snapshot(programme: Programme) -> dict[str, Any]:
    """The settings as plain values, for the audit log's before and after."""
    return {
        "name": programme.name,
        "opens_at": programme.opens_at.isoformat() if programme.opens_at else None,
        "deadline": as_utc(programme.deadline).isoformat(),
        "sessions": programme.sessions,
        "fee_per_session_pence": programme.fee_per_session_pence,
        "min_set_size": programme.min_set_size,
        "max_set_size": programme.max_set_size,
        "note_word_limit": programme.note_word_limit,
        "payment_instructions": programme.payment_instructions,
        "respond_days": programme.respond_days,
        "slots": [slot.label for slot in programme.slots],
    }


def parse_uk_time(value: str, what: str, field: str) -> datetime:
    """'2026-12-04 17:00' (or '04/12/2026 17:00', or a date alone, meaning 5pm) in UK time."""
    text = " ".join(value.split())
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            naive = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if "%H" not in pattern:
            naive = naive.replace(hour=17)
        return naive.replace(tzinfo=LONDON)
    raise SettingRefused(f"Enter the {what} as a date and time in UK time, for example {UK_TIME_EXAMPLE}", field)


_NO_FEE = re.compile(r"^£?\s*0+(?:\.0{1,2})?$")


def parse_pounds(value: str, field: str = "fee") -> int:
    """A fee per session typed in pounds, plain money only: '50', '50.00', '£47.50', '1,200'.
    Returns pence. "1e3" or "50p" is refused, not guessed at (the page and `als programme` alike)."""
    from app.finance.ledger import LedgerRefused
    from app.finance.ledger import parse_pounds as parse_money

    text = value.strip()
    if _NO_FEE.match(text):
        return 0
    if text.startswith("-"):
        raise SettingRefused("The fee per session must be £0 or more", field)
    if re.match(r"^£?\s*[0-9,]*\.[0-9]{3,}$", text):
        raise SettingRefused("Enter the fee per session in pounds and whole pence, for example 47.50", field)
    try:
        return parse_money(text, field)
    except LedgerRefused as refused:
        if str(refused).startswith("The amount must be"):  # too large: "… must be £100,000 or less"
            raise SettingRefused(str(refused).replace("The amount", "The fee per session"), field) from None
        raise SettingRefused("Enter the fee per session in pounds, for example 50 or 47.50", field) from None


def check_number(value: int | None, what: str, limits: tuple[int, int], field: str) -> int:
    low, high = limits
    if value is None:
        raise SettingRefused(f"Enter the {what}", field)
    if not low <= value <= high:
        raise SettingRefused(f"The {what} must be between {low:,} and {high:,}", field)
    return value


def check_programme(programme: Programme) -> None:
    """The rules that tie settings together; raises SettingRefused for the first one broken."""
    from app.finance.ledger import MAX_ENTRY_PENCE
    from app.web import format_money

    if not programme.name:
        raise SettingRefused("Enter the programme's name", "name")
    check_number(programme.sessions, "number of sessions", SESSIONS_RANGE, "sessions")
    check_number(programme.min_set_size, "smallest set size", SET_SIZE_RANGE, "min_set_size")
    check_number(programme.max_set_size, "largest set size", SET_SIZE_RANGE, "max_set_size")
    check_number(programme.note_word_limit, "note word limit", WORD_LIMIT_RANGE, "note_word_limit")
    check_number(programme.respond_days, "number of days to respond to an offer", RESPOND_DAYS_RANGE, "respond_days")
    if programme.min_set_size > programme.max_set_size:
        raise SettingRefused(f"The smallest set size ({programme.min_set_size}) must not be larger than the "
                             f"largest ({programme.max_set_size})", "min_set_size")
    if programme.total_fee_pence > MAX_ENTRY_PENCE:
        raise SettingRefused(f"The whole fee (fee per session × sessions) must be {format_money(MAX_ENTRY_PENCE)} "
                             "or less", "fee")
    if programme.opens_at and as_utc(programme.opens_at) >= as_utc(programme.deadline):
        raise SettingRefused("The deadline must be after the opening time", "deadline")
    if programme.payment_instructions and len(programme.payment_instructions) > PAYMENT_INSTRUCTIONS_LIMIT:
        raise SettingRefused(f"Payment instructions must be {PAYMENT_INSTRUCTIONS_LIMIT:,} characters or fewer",
                             "payment_instructions")


def slot_users(programme: Programme, slot: Slot) -> tuple[int, int]:
    """(applications that chose the place and time, sets that meet there)."""
    from app.models import Application, LearningSet

    applications = db.session.scalar(
        select(func.count()).select_from(Application).where(Application.slots.any(Slot.id == slot.id))) or 0
    sets = db.session.scalar(select(func.count()).select_from(LearningSet).where(
        LearningSet.programme_id == programme.id, LearningSet.slot_label == slot.label)) or 0
    return applications, sets


def removal_refused(programme: Programme, slot: Slot) -> str | None:
    """Why a place and time cannot be removed, or None."""
    applications, sets = slot_users(programme, slot)
    reasons = []
    if applications:
        reasons.append(f"{applications} application{'s' if applications != 1 else ''} chose it")
    if sets:
        reasons.append(f"{sets} set{'s' if sets != 1 else ''} meet{'s' if sets == 1 else ''} there")
    if not reasons:
        return None
    return f"“{slot.label}” cannot be removed: {' and '.join(reasons)}."


def slot_label(value: str, field: str = "label") -> str:
    label = clean_text(value)
    limit = Slot.__table__.c.label.type.length
    if not label:
        raise SettingRefused("Enter the place and time, for example Durham, Wednesday mornings", field)
    if len(label) > limit:
        raise SettingRefused(f"A place and time must be {limit} characters or fewer", field)
    return label


def add_slot(programme: Programme, value: str) -> Slot:
    label = slot_label(value)
    if any(slot.label.casefold() == label.casefold() for slot in programme.slots):
        raise SettingRefused(f"“{label}” is already one of the places and times", "label")
    slot = Slot(label=label, position=len(programme.slots))
    programme.slots.append(slot)
    return slot


def rename_slot(programme: Programme, slot: Slot, value: str) -> str:
    """Rename a place and time; sets that meet there are renamed with it. Returns the old label."""
    from app.models import LearningSet, Role, User

    label = slot_label(value)
    old = slot.label
    if any(other is not slot and other.label.casefold() == label.casefold() for other in programme.slots):
        raise SettingRefused(f"“{label}” is already one of the places and times", "label")
    for learning_set in db.session.scalars(select(LearningSet).where(
            LearningSet.programme_id == programme.id, LearningSet.slot_label == old)):
        learning_set.slot_label = label
    # facilitators' places and times name it too (for the "cannot attend" warning)
    for user in db.session.scalars(select(User).where(User.role == Role.FACILITATOR)):
        if old in (user.can_attend or []):
            user.can_attend = [label if place == old else place for place in user.can_attend or []]
    slot.label = label
    return old


def remove_slot(programme: Programme, slot: Slot) -> None:
    problem = removal_refused(programme, slot)
    if problem:
        raise SettingRefused(problem, "slots")
    programme.slots.remove(slot)
    _renumber(programme)


def move_slot(programme: Programme, slot: Slot, step: int) -> bool:
    """Move a place and time up (-1) or down (+1) the list. False when it is already at that end."""
    slots = list(programme.slots)
    index = slots.index(slot)
    target = index + step
    if not 0 <= target < len(slots):
        return False
    slots[index], slots[target] = slots[target], slots[index]
    for position, each in enumerate(slots):
        each.position = position
    programme.slots.sort(key=lambda each: each.position)
    return True


def _renumber(programme: Programme) -> None:
    for position, slot in enumerate(programme.slots):
        slot.position = position


def set_slot_labels(programme: Programme, labels: list[str]) -> None:
    """Replace the list (as `als programme --slot` does): keep, add, reorder; refuse removing a used one."""
    wanted = list(dict.fromkeys(slot_label(label, "slots") for label in labels if clean_text(label)))
    existing = {slot.label: slot for slot in programme.slots}
    for label, slot in existing.items():
        if label not in wanted:
            remove_slot(programme, slot)
    for position, label in enumerate(wanted):
        slot = existing.get(label) or Slot(label=label)
        slot.position = position
        if slot not in programme.slots:
            programme.slots.append(slot)
    programme.slots.sort(key=lambda each: each.position)


def record_change(programme: Programme, before: dict[str, Any], by: str) -> bool:
    """Audit what changed since `before` (settings_snapshot), from the page or `als programme`.
    Returns whether anything did."""
    from app import audit

    old, new = audit.changed_fields(before, settings_snapshot(programme))
    if not new:
        return False
    audit.record(by, "programme.changed", f"programme:{programme.id}", before=old, after=new)
    return True
