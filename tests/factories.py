"""Factories shared by the feature tests: a programme taken to a stage the way an organiser takes it."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet
from app.programmes import current_programme


def confirm_sets(applicants: int = 40, seed: int = 3, sets: int | None = None) -> dict[str, int]:
    """Demo applicants, all eligible, one selection run, confirmed (inside an app context).
    `sets` caps the number of sets, so that some people are left on the waiting list.

    Returns the counts confirmation reports: selected, waiting_list, not_selected.
    """
    from app.demo import add_demo_applications
    from app.sets import service

    programme = current_programme()
    assert programme is not None
    add_demo_applications(programme, applicants, seed)
    for application in db.session.scalars(select(Application)):
        if application.status is ApplicationStatus.SUBMITTED:
            application.status = ApplicationStatus.ELIGIBLE
    db.session.commit()
    rules = service.default_rules(programme)
    rules.sets = sets
    run = service.start_run(programme, rules, by="organiser@example.org")
    db.session.commit()
    service.execute_run(run.id)
    counts = service.confirm(run, by="organiser@example.org", before_deadline=True).counts
    db.session.commit()
    return counts


def set_ids() -> list[int]:
    return list(db.session.scalars(select(LearningSet.id).order_by(LearningSet.id)))
