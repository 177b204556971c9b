"""The running fixture gives two planned, published sets with their own facilitators."""
from app.extensions import db
from app.models import LearningSet
from app.running import service


def test_the_running_fixture_has_two_sets_with_their_own_facilitators(app, running):
    with app.app_context():
        first = db.session.get(LearningSet, running.set_id)
        other = db.session.get(LearningSet, running.other_set_id)
        assert first.facilitator.email == running.facilitator
        assert other.facilitator.email == running.other_facilitator
        assert len(service.sessions_of(first)) == 6
        assert service.sessions_of(first)[0].on.isoformat() == "2026-12-08"
