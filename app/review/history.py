"""Turning audit events into lines an organiser can read at the bottom of an application."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import ApplicationStatus, AuditEvent

ACTIONS = {
    "application.submitted": "Application submitted",
    "application.changed": "Application changed by the applicant",
    "application.withdrawn": "Application withdrawn by the applicant",
    "application.link_resent": "Private link sent again",
    "application.status_changed": "Status changed",
    "application.eligibility_changed": "Eligibility checks changed",
    "application.scored": "Score saved",
    "application.erased": "Personal data erased on request",
}
FIELDS = {
    "status": "Status",
    "eligible_senior_role": "Senior leadership role",
    "eligible_commitment": "Commitment to all six sessions",
    "eligible_fee": "Fee agreed",
    "organiser_notes": "Organiser's notes",
    "score": "Score",
    "comment": "Comment",
    "run": "Selection run",
}
# The submission snapshot repeats every answer; the answers are already at the top of the page.
SUMMARY_ONLY = {"application.submitted", "application.link_resent"}


@dataclass
class HistoryLine:
    event: AuditEvent
    what: str
    changes: list[str]


def _show(key: str, value: Any) -> str:
    if value is None or value == "":
        return "not checked" if key.startswith("eligible_") else "none"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if key == "status":
        try:
            return ApplicationStatus(value).label.lower()
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def describe(events: list[AuditEvent], hide_scores_except: str | None) -> list[HistoryLine]:
    """Readable lines; other reviewers' scores stay hidden while `hide_scores_except` has not scored.

    hide_scores_except is the viewer's email when they have not scored yet (None shows everything),
    because a score in the history would otherwise give away what the review panel hides.
    """
    lines = []
    for event in events:
        what = ACTIONS.get(event.action, event.action)
        changes: list[str] = []
        hidden = (event.action == "application.scored" and hide_scores_except is not None
                  and event.actor != hide_scores_except)
        if hidden:
            changes.append("Hidden until you have scored this application")
        elif event.action not in SUMMARY_ONLY:
            before, after = event.before or {}, event.after or {}
            for key in after or before:
                label = FIELDS.get(key, key.replace("_", " ").capitalize())
                # "Score: 4" reads better than "Score: none → 4"; an unchecked box is worth saying.
                was_set = key in before and (before[key] not in (None, "") or key.startswith("eligible_"))
                changes.append(f"{label}: {_show(key, before.get(key))} → {_show(key, after.get(key))}"
                               if was_set else f"{label}: {_show(key, after.get(key))}")
        lines.append(HistoryLine(event=event, what=what, changes=changes))
    return lines
