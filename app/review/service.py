"""Changes the organiser makes to an application, each recorded in the audit log with before/after.

Status changes go through app.applications.lifecycle.change_status, so the set, rota, fee account
and emails follow; this module adds what the review pages and `als applications mark` need on top:
changing many at once and saying in one sentence what happened.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app import audit
from app.applications.lifecycle import TransitionRefused, change_status
from app.extensions import db
from app.models import Application, ApplicationStatus, Review, User

# How a change reads in a sentence: "3 applications marked eligible".
STATUS_PHRASES = {
    ApplicationStatus.SUBMITTED: "marked as submitted (not yet reviewed)",
    ApplicationStatus.ELIGIBLE: "marked eligible",
    ApplicationStatus.INELIGIBLE: "marked ineligible",
    ApplicationStatus.SELECTED: "offered a place",
    ApplicationStatus.WAITING_LIST: "put on the waiting list",
    ApplicationStatus.NOT_SELECTED: "marked not selected",
    ApplicationStatus.WITHDRAWN: "marked withdrawn",
    ApplicationStatus.LATE: "marked late",
    ApplicationStatus.DECLINED: "marked as declining their place",
}
# Eligibility checks that, all answered Yes, make a new application eligible.
CHECKS = ("eligible_senior_role", "eligible_commitment", "eligible_fee")
AWAITING_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.LATE)


def applications(number: int) -> str:
    """"1 application", "3 applications"."""
    return f"{number:,} application{'' if number == 1 else 's'}"


@dataclass
class BulkChange:
    """What changing many applications to one status did."""

    status: ApplicationStatus
    changed: int = 0
    unchanged: int = 0  # already had that status
    refused: list[str] = field(default_factory=list)  # one sentence each, naming the reference

    def summary(self) -> str:
        """"3 applications marked eligible; 2 could not be changed" (the refusals are listed separately)."""
        message = f"{applications(self.changed)} {STATUS_PHRASES[self.status]}"
        if self.unchanged:
            message += f"; {self.unchanged:,} already {'was' if self.unchanged == 1 else 'were'} {self.status.label.lower()}"
        if self.refused:
            message += f"; {len(self.refused):,} could not be changed"
        return message

    def sentence(self) -> str:
        """The summary with the refusals in it, for a banner."""
        return self.summary() + (": " + "; ".join(self.refused) if self.refused else "")


def change_many(found: Iterable[Application], status: ApplicationStatus, by: str, now: datetime,
                reason: str | None = None) -> BulkChange:
    """Change each application that may move to `status`; the others are reported, not changed."""
    outcome = BulkChange(status)
    for application in found:
        try:
            if change_status(application, status, by, now, reason=reason):
                outcome.changed += 1
            else:
                outcome.unchanged += 1
        except TransitionRefused as refused:
            outcome.refused.append(str(refused))
    return outcome


def _eligibility(application: Application) -> dict[str, object]:
    return {
        "eligible_senior_role": application.eligible_senior_role,
        "eligible_commitment": application.eligible_commitment,
        "eligible_fee": application.eligible_fee,
        "organiser_notes": application.organiser_notes or "",
    }


def save_eligibility(application: Application, values: dict[str, object], by: str) -> bool:
    """Save the checklist and notes; False when nothing changed, so nothing is logged."""
    before, after = audit.changed_fields(_eligibility(application), values)
    if not after:
        return False
    for key, value in after.items():
        setattr(application, key, (value or None) if key == "organiser_notes" else value)
    audit.record(by, "application.eligibility_changed", f"application:{application.reference}", before, after)
    return True


def all_checks_passed(application: Application) -> bool:
    return all(getattr(application, check) is True for check in CHECKS)


def eligible_if_checks_passed(application: Application, by: str, now: datetime) -> bool:
    """Every check answered Yes makes a submitted or late application eligible. True if it did."""
    if application.status not in AWAITING_REVIEW or not all_checks_passed(application):
        return False
    return change_status(application, ApplicationStatus.ELIGIBLE, by, now, reason="All eligibility checks passed")


def review_by(application: Application, reviewer: User) -> Review | None:
    return db.session.scalars(
        select(Review).where(Review.application_id == application.id, Review.reviewer_id == reviewer.id)
    ).first()


def save_score(application: Application, reviewer: User, score: int, comment: str, now: datetime) -> bool:
    """One score per reviewer per application: the first save creates it, later saves change it."""
    review = review_by(application, reviewer)
    old = {"score": review.score, "comment": review.comment or ""} if review else {"score": None, "comment": ""}
    before, after = audit.changed_fields(old, {"score": score, "comment": comment})
    if not after:
        return False
    if review is None:
        review = Review(application=application, reviewer_id=reviewer.id, created_at=now, score=score)
        db.session.add(review)
    review.score = score
    review.comment = comment or None
    review.updated_at = now
    audit.record(reviewer.email, "application.scored", f"application:{application.reference}", before, after)
    return True
