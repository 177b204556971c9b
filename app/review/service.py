"""Changes the organiser makes to an application, each recorded in the audit log with before/after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Application, ApplicationStatus, Review, User

# How a bulk change reads in the success banner: "3 applications marked eligible".
STATUS_PHRASES = {
    ApplicationStatus.SUBMITTED: "marked as submitted (not yet reviewed)",
    ApplicationStatus.ELIGIBLE: "marked eligible",
    ApplicationStatus.INELIGIBLE: "marked ineligible",
    ApplicationStatus.SELECTED: "marked selected",
    ApplicationStatus.WAITING_LIST: "put on the waiting list",
    ApplicationStatus.NOT_SELECTED: "marked not selected",
    ApplicationStatus.WITHDRAWN: "marked withdrawn",
    ApplicationStatus.LATE: "marked late",
}


def change_status(application: Application, status: ApplicationStatus, by: str, now: datetime) -> bool:
    """Set the status; False (and nothing recorded) when it already had that status.

    No email is sent: people hear about decisions when the organiser confirms a selection.
    """
    if application.status is status:
        return False
    before = application.status.value
    application.status = status
    application.updated_at = now
    audit.record(by, "application.status_changed", f"application:{application.reference}",
                 before={"status": before}, after={"status": status.value})
    return True


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
