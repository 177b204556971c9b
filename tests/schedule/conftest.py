"""Shared fixtures: confirmed sets made the way the organiser makes them (demo applicants, a real
selection run, confirmation), and a signed-in organiser."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, LearningSet, SelectionRun
from app.programmes import current_programme
from app.sets import service as sets_service


@pytest.fixture
def confirmed_sets(app, runner) -> list[int]:
    """Ids of the sets a confirmed selection of 60 eligible demo applicants created."""
    result = runner.invoke(args=["demo", "--applicants", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for application in db.session.scalars(select(Application)):
            if application.status is ApplicationStatus.SUBMITTED:
                application.status = ApplicationStatus.ELIGIBLE
        programme = current_programme()
        run = sets_service.start_run(programme, sets_service.default_rules(programme), "organiser@example.org")
        db.session.commit()
        sets_service.execute_run(run.id)
        sets_service.confirm(db.session.get(SelectionRun, run.id), "organiser@example.org", before_deadline=True)
        db.session.commit()
        ids = list(db.session.scalars(select(LearningSet.id).order_by(LearningSet.id)))
    assert ids, "the demo applicants should form at least one set"
    return ids


@pytest.fixture
def organiser(auth):
    auth.login("organiser")
    return auth
