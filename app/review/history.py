"""Turning audit events into lines an organiser can read: the history of an application, of a set's
schedule, and of the settings.

The audit log keeps plain values (status codes, pence, ISO dates, references); these are the words
people read instead: "Status: Submitted → Waiting list", "Charged £300", "Due date: 4 December 2026".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask import has_app_context
from sqlalchemy import select

from app.clock import format_london
from app.extensions import db
from app.models import Application, ApplicationStatus, AuditEvent, Payer, Sector
from app.web import format_money

ACTIONS = {
    "application.submitted": "Application submitted",
    "application.imported": "Application imported",
    "application.changed": "Application changed by the applicant",
    "application.changed_by_organiser": "Application changed by the organiser",
    "application.withdrawn": "Application withdrawn by the applicant",
    "application.link_resent": "Private link sent again",
    "application.link_reissued": "New private link sent",
    "application.status_changed": "Status changed",
    "application.eligibility_changed": "Eligibility checks changed",
    "application.scored": "Score saved",
    "application.erased": "Personal data erased on request",
    "application.place_accepted": "Place accepted",
    "application.place_declined": "Place declined",
    "application.moved_set": "Moved to another set",
    "application.response_reminded": "Reminder to respond sent",
    "fee.account_opened": "Fee account opened",
    "fee.account_reopened": "Fee account opened again",
    "fee.account_closed": "Fee account closed",
    "fee.due_date_changed": "Fee due date changed",
    "fee.reminder_queued": "Fee reminder sent",
    "fee.charge_recorded": "Charge recorded",
    "fee.payment_recorded": "Payment recorded",
    "fee.refund_recorded": "Refund recorded",
    "fee.waiver_recorded": "Waiver recorded",
    "fee.reversal_recorded": "Entry reversed",
    "fee.payer_changed": "Payer details changed",
    "fee.payments_imported": "Payments imported from a bank statement",
    "schedule.planned": "Planned",
    "schedule.session_moved": "Session moved",
    "schedule.presenters_changed": "Presenters changed",
    "schedule.rota_rebalanced": "Presenter rota rebalanced",
    "schedule.published": "Schedule sent to members",
    "schedule.replanned": "Remaining sessions re-planned at the interval the set agreed",
    "set.facilitator_assigned": "Facilitator changed",
    "session.recorded": "Session recorded (attendance and presenters)",
    "action.added": "Action recorded",
    "action.removed": "Action removed (recorded by mistake)",
    "action.reviewed": "Action reviewed",
    "user.details_changed": "Facilitator's details changed",
    "selection.started": "Selection run started",
    "selection.moved": "Person moved to another set",
    "selection.swapped": "Two people swapped",
    "selection.pinned": "Person kept in their set",
    "selection.unpinned": "Person no longer kept in their set",
    "selection.confirmed": "Sets confirmed",
    "sets.refilled": "Places refilled from the waiting list",
    "sets.deleted": "Set removed",
    "retention.purged": "Old personal data deleted",
    "programme.created": "Programme created",
    "programme.changed": "Programme settings changed",
    "settings.programme_changed": "Programme settings changed",
    "settings.email_changed": "Email wording changed",
    "settings.email_reset": "Email wording set back to the standard",
}
FIELDS = {
    "members_emailed": "Members emailed",
    "status": "Status",
    "reason": "Reason",
    "set": "Set",
    "eligible_senior_role": "Senior leadership role",
    "eligible_commitment": "Commitment to all six sessions",
    "eligible_fee": "Fee agreed",
    "organiser_notes": "Organiser's notes",
    "score": "Score",
    "comment": "Comment",
    "run": "Selection run",
    "full_name": "Full name",
    "email": "Email address",
    "phone": "Phone",
    "organisation": "Organisation",
    "sector": "Sector",
    "job_title": "Job title",
    "offer": "What they can offer",
    "expectations": "What they expect",
    "note_text": "Note",
    "note_file_sha256": "Uploaded note",
    "slots": "Places and times",
    "payer": "Who pays",
    "payer_kind": "Who pays",
    "invoice_name": "Name on the invoice",
    "purchase_order": "Purchase order",
    "finance_email": "Finance email",
    "due_date": "Due date",
    "closed_at": "Closed",
    "on": "Date",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "presenters": "Presenters",
    "training": "Training session",
    "interval": "How often",
    "training_after": "Training after session",
    "winter_break": "Winter break",
    "method": "How",
    "reference": "Reference",
    "to": "Sent to",
    "amount_pence": "Amount",
    "outstanding_pence": "Outstanding",
    "refund_due_pence": "Refund due",
    "subject": "Subject",
    "body": "Wording",
    "name": "Name",
    "opens_at": "Opens",
    "deadline": "Deadline",
    "sessions": "Sessions",
    "fee_per_session_pence": "Fee per session",
    "min_set_size": "Smallest set",
    "max_set_size": "Largest set",
    "note_word_limit": "Note word limit",
    "payment_instructions": "Payment instructions",
    "respond_days": "Days to respond to an offer",
    "rules": "Rules",
    "candidates": "Applicants considered",
}
# Internal identifiers that mean nothing to a reader.
HIDDEN = {"entry", "reverses", "reverses_id"}
# The submission snapshot repeats every answer; the answers are already at the top of the page.
SUMMARY_ONLY = {"application.submitted", "application.imported", "application.link_resent"}
PAYER_KINDS = {"person": "The person", "organisation": "Their organisation"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
# Ledger entries, read as the organiser means them: "Payment of £300 recorded" (the ledger stores a
# payment as -£300 off what is owed; nobody says it that way).
ENTRY_WORDS = {
    "fee.charge_recorded": "Charge of {} recorded",
    "fee.payment_recorded": "Payment of {} recorded",
    "fee.refund_recorded": "Refund of {} recorded",
    "fee.waiver_recorded": "Waiver of {} recorded",
    "fee.reversal_recorded": "Entry of {} reversed",
}


@dataclass
class HistoryLine:
    event: AuditEvent
    what: str
    changes: list[str]


def uk_day(on: date) -> str:
    """'Tuesday 1 December 2026'."""
    return f"{on:%A} {on.day} {on:%B %Y}"


def _clock(moment: time) -> str:
    """'9:30am', 'midday'."""
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


Names = dict[str, str]


def names_for(references: set[str]) -> Names:
    """Reference -> the person's name, for the people still in the Application table (the schedule
    history logs references; a reference whose application is gone stays as it is)."""
    if not references or not has_app_context():
        return {}
    rows = db.session.execute(select(Application.reference, Application.full_name)
                              .where(Application.reference.in_(sorted(references))))
    return {reference: name for reference, name in rows if name}


def _references_in(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, str) and value.startswith("ALS-"):
        found.add(value)
    elif isinstance(value, list):
        for item in value:
            found |= _references_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            found |= _references_in(item)
    return found


def show(key: str, value: Any, names: Names | None = None) -> str:
    """One logged value in words."""
    if key == "presenters" and isinstance(value, list) and value:
        return ", ".join((names or {}).get(str(item), str(item)) for item in value)
    if value is None or value == "" or value == []:
        return "Not checked" if key.startswith("eligible_") else "none"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if key.endswith("_pence") and isinstance(value, int):
        return format_money(value)
    if key == "status":
        try:
            return ApplicationStatus(value).label
        except ValueError:
            return str(value)
    if key == "sector":
        try:
            return Sector(value).label
        except ValueError:
            return str(value)
    if key == "payer":
        try:
            return Payer(value).label
        except ValueError:
            return PAYER_KINDS.get(str(value), str(value))
    if key == "payer_kind":
        return PAYER_KINDS.get(str(value), str(value))
    if key == "note_file_sha256":
        return "a file"
    if key == "winter_break" and isinstance(value, list) and len(value) == 4:
        start_day, start_month, end_day, end_month = value
        return (f"{start_day} {date(2000, start_month, 1):%B} to {end_day} {date(2000, end_month, 1):%B}")
    if key == "sessions" and isinstance(value, dict):
        return "; ".join(_session(number, detail) for number, detail in value.items())
    if isinstance(value, list):
        return ", ".join(show(key, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{FIELDS.get(k, _words(k))}: {show(k, v)}" for k, v in value.items())
    if isinstance(value, str):
        return _string(value)
    return str(value)


def _string(value: str) -> str:
    """ISO dates and times as people write them; anything else as it is."""
    try:
        if _ISO_DATE.match(value):
            return uk_day(date.fromisoformat(value))
        if _ISO_DATETIME.match(value):
            return format_london(datetime.fromisoformat(value))
        if _CLOCK.match(value):
            return _clock(time.fromisoformat(value))
    except ValueError:
        pass
    return value


def _session(number: str, detail: Any, names: Names | None = None) -> str:
    if not isinstance(detail, dict):
        return f"Session {number}: {show('on', detail)}"
    presenters = show("presenters", detail.get("presenters"), names)
    return f"Session {number} on {show('on', detail.get('on'))}, presenting: {presenters}"


def _words(key: str) -> str:
    return key.replace("_pence", "").replace("_", " ").capitalize()


def _sentence(key: str, before: Any, after: Any, was_set: bool, names: Names | None = None) -> str:
    """'Charged £300', 'Left Set 2', 'Status: Submitted → Eligible'."""
    if key == "charged_pence":
        return f"Charged {show(key, after)}"
    if key == "left_set":
        return f"Left {after}"
    if key == "left":
        return f"{(names or {}).get(str(after), after)} left the set"
    if key == "joined":
        return f"{(names or {}).get(str(after), after)} joined the set"
    label = FIELDS.get(key, _words(key))
    if was_set:
        return f"{label}: {show(key, before, names)} → {show(key, after, names)}"
    return f"{label}: {show(key, after, names)}"


def _schedule_changes(before: dict[str, Any], after: dict[str, Any], names: Names) -> list[str]:
    """A schedule snapshot: only the sessions whose date or presenters changed."""
    old, new = before.get("sessions") or {}, after.get("sessions") or {}
    lines = []
    for number, detail in new.items():
        was = old.get(number)
        if was == detail:
            continue
        if not isinstance(detail, dict) or not isinstance(was, dict):
            lines.append(_session(number, detail, names))
            continue
        if was.get("on") != detail.get("on"):
            lines.append(f"Session {number}: {show('on', was.get('on'))} → {show('on', detail.get('on'))}")
        if was.get("presenters") != detail.get("presenters"):
            lines.append(f"Session {number} presenting: {show('presenters', was.get('presenters'), names)} → "
                         f"{show('presenters', detail.get('presenters'), names)}")
    return lines


def _settings_text(before: str, after: str) -> list[str]:
    """`als programme` logs its summary text: show the lines that differ, as "Label: old → new"."""
    def pairs(text: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in text.splitlines():
            label, sep, value = line.strip().partition(":")
            if sep and value.strip():
                found[label.strip()] = value.strip()
        return found

    old, new = pairs(before or ""), pairs(after or "")
    lines = [f"{label}: {old[label]} → {value}" if label in old else f"{label}: {value}"
             for label, value in new.items() if old.get(label) != value]
    if (before or "").count("\n    - ") != (after or "").count("\n    - ") or (
            [line for line in (before or "").splitlines() if line.startswith("    - ")]
            != [line for line in (after or "").splitlines() if line.startswith("    - ")]):
        places = [line.strip()[2:] for line in (after or "").splitlines() if line.startswith("    - ")]
        lines.append(f"Places and times: {', '.join(places) or 'none'}")
    return lines


def changes_of(event: AuditEvent) -> list[str]:
    """What an event changed, one sentence or labelled value a line."""
    if event.action in SUMMARY_ONLY:
        return []
    if event.action == "settings.email_reset":
        return ["Back to the standard wording"]
    before, after = event.before or {}, event.after or {}
    if isinstance(before.get("settings"), str) or isinstance(after.get("settings"), str):
        return _settings_text(before.get("settings") or "", after.get("settings") or "")
    lines: list[str] = []
    names = names_for(_references_in(before) | _references_in(after)) if event.action.startswith("schedule.") else {}
    if "sessions" in after and isinstance(after["sessions"], dict) and event.action.startswith("schedule."):
        lines += _schedule_changes(before, after, names) if before.get("sessions") else [
            _session(number, detail, names) for number, detail in after["sessions"].items()]
        before = {k: v for k, v in before.items() if k != "sessions"}
        after = {k: v for k, v in after.items() if k != "sessions"}
        if before.get("training") == after.get("training"):
            after.pop("training", None)
    for key in after or before:
        if key in HIDDEN or (key == "amount_pence" and event.action in ENTRY_WORDS):  # the amount is in the title
            continue
        shown = "payer_kind" if key == "payer" and event.action.startswith("fee.") else key
        if key == "body" and key in before:  # a whole email's wording: say it changed, not both copies
            lines.append("Wording changed")
            continue
        # "Score: 4" reads better than "Score: none → 4"; an unchecked box is worth saying.
        was_set = key in before and (before[key] not in (None, "") or key.startswith("eligible_"))
        if key in before and key in after and before[key] == after[key]:
            continue
        lines.append(_sentence(shown, before.get(key), after.get(key), was_set, names))
    return lines


def what_of(event: AuditEvent) -> str:
    """The action in words; a session's number when the event is about one session."""
    what = ACTIONS.get(event.action, _words(event.action.split(".", 1)[-1]))
    amount = (event.after or {}).get("amount_pence")
    if event.action in ENTRY_WORDS and isinstance(amount, int):
        what = ENTRY_WORDS[event.action].format(format_money(abs(amount)))
    parts = event.target.split(":")
    if event.target.startswith("learning_set:") and len(parts) >= 4:
        what += f" ({parts[2]} {parts[3]})"
    return what


def describe(events: list[AuditEvent], hide_scores_except: str | None = None) -> list[HistoryLine]:
    """Readable lines; other reviewers' scores stay hidden while `hide_scores_except` has not scored.

    hide_scores_except is the viewer's email when they have not scored yet (None shows everything),
    because a score in the history would otherwise give away what the review panel hides.
    """
    lines = []
    for event in events:
        hidden = (event.action == "application.scored" and hide_scores_except is not None
                  and event.actor != hide_scores_except)
        changes = ["Hidden until you have scored this application"] if hidden else changes_of(event)
        lines.append(HistoryLine(event=event, what=what_of(event), changes=changes))
    return lines
