"""The next programme: `als programme new` copies the settings, and people who were in a set
together are kept apart automatically (previous sets come from the database)."""
from __future__ import annotations

import hashlib
import html
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Application, LearningSet, Programme
from app.programmes import current_programme
from app.sets.service import candidates_for, pool, previous_sets
from tests.conftest import DEADLINE
from tests.factories import confirm_sets


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_programme_new_copies_the_settings_and_becomes_current(app):
    with app.app_context():
        old = current_programme()
        old.fee_per_session_pence, old.max_set_size = 6000, 7
        db.session.commit()
        old_slots = [s.label for s in old.slots]
    result = _invoke(app, "programme", "new", "--name", "Action Learning Sets 2027–28",
                     "--deadline", "2027-09-30 17:00")
    assert result.exit_code == 0, result.output
    assert "Opened Action Learning Sets 2027–28" in result.output
    with app.app_context():
        new = current_programme()
        assert new.name == "Action Learning Sets 2027–28"
        assert (new.fee_per_session_pence, new.max_set_size) == (6000, 7)
        assert [s.label for s in new.slots] == old_slots
        assert db.session.scalar(select(db.func.count(Programme.id))) == 2
    again = _invoke(app, "programme", "new", "--name", "action learning sets 2027–28", "--deadline", "2027-10-30 17:00")
    assert again.exit_code == 1 and "already a programme called" in again.output


def test_people_who_shared_a_set_carry_it_into_the_next_programme(app, clock):
    with app.app_context():
        confirm_sets(40, 3)
        members = {m.application.email_key: s.name for s in db.session.scalars(select(LearningSet))
                   for m in s.members}
        old_name = current_programme().name
    clock.advance(days=400)
    assert _invoke(app, "programme", "new", "--name", "Next year", "--deadline",
                   (DEADLINE + timedelta(days=400)).strftime("%Y-%m-%d %H:%M")).exit_code == 0
    with app.app_context():
        new = current_programme()
        # the same people apply again
        for email in members:
            old = db.session.scalars(select(Application).where(Application.email_key == email)).first()
            again = Application(**{c.name: getattr(old, c.name) for c in Application.__table__.columns
                                   if c.name not in ("id", "programme_id", "reference", "access_token_hash",
                                                     "link_salt", "status", "offered_at", "respond_by",
                                                     "accepted_at", "declined_at")})
            again.programme_id, again.reference = new.id, "N" + old.reference[1:]
            again.access_token_hash = hashlib.sha256(again.reference.encode()).hexdigest()
            again.status = old.status.__class__.ELIGIBLE
            again.slots = list(old.slots)
            db.session.add(again)
        db.session.commit()
        labels = previous_sets(new)
        assert {email: label.split(": ")[1] for email, label in labels.items()} == members
        assert all(label.startswith(f"{old_name}: ") for label in labels.values())
        candidates = candidates_for(new, pool(new))
        assert Counter(c.previous_set is not None for c in candidates)[True] == len(members)


def test_past_programmes_stay_readable_for_organisers(app, client, auth):
    with app.app_context():
        confirm_sets(40, 3)
        a_member = db.session.scalars(select(LearningSet)).first().members[0].application.full_name
        old_id = current_programme().id
    assert _invoke(app, "programme", "new", "--name", "Next year", "--deadline", "2027-09-30 17:00").exit_code == 0
    auth.login("organiser")
    listing = client.get("/manage/settings/programmes").get_data(as_text=True)
    assert "Next year" in listing and f"/manage/settings/programmes/{old_id}" in listing
    page = client.get(f"/manage/settings/programmes/{old_id}")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert a_member in text and "Selected:" in text
    auth.logout()
    auth.login("finance")
    assert client.get(f"/manage/settings/programmes/{old_id}").status_code == 403
