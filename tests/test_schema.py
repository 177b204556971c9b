"""The database keeps its own rules, whatever writes to it (a script, a bad import, a psql session):
the migrated schema refuses unknown enum values, scores outside 1–5, impossible set sizes, negative
fees and ledger amounts with the wrong sign."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app import create_app
from app.auth.accounts import create_user
from app.extensions import db
from app.finance.ledger import record_payment
from app.models import FeeAccount, Review, Role
from tests.finance.fin_helpers import confirm_sets

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)

REFUSED = [
    ("UPDATE application SET status = 'approved'", "an unknown status"),
    ("UPDATE application SET sector = 'academic'", "an unknown sector"),
    ("UPDATE review SET score = 6", "a score above 5"),
    ("UPDATE review SET score = 0", "a score below 1"),
    ("UPDATE programme SET fee_per_session_pence = -100", "a negative fee"),
    ("UPDATE programme SET min_set_size = 9, max_set_size = 8", "a minimum above the maximum"),
    ("UPDATE programme SET sessions = 0", "no sessions"),
    ("UPDATE ledger_entry SET amount_pence = 5000 WHERE kind = 'payment'", "a payment that adds to the debt"),
    ("UPDATE ledger_entry SET amount_pence = -30000 WHERE kind = 'charge'", "a negative charge"),
    ("UPDATE ledger_entry SET kind = 'gift'", "an unknown ledger kind"),
    ('UPDATE "user" SET role = \'admin\'', "an unknown staff role"),
]


@pytest.fixture
def migrated(database_url, clock):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "CLOCK": clock, "MAIL_ASYNC": False, "SELECTION_ASYNC": False,
                      "PUBLIC_URL": "https://als.example.org"})
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["programme"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    with app.app_context():
        confirm_sets(applicants=30)
        reviewer = create_user("reviewer@example.org", "correct horse battery", Role.ORGANISER, NOW, by="test")
        account = db.session.scalars(select(FeeAccount)).first()
        db.session.add(Review(application_id=account.application_id, reviewer=reviewer, score=3,
                              created_at=NOW, updated_at=NOW))
        record_payment(account, 5000, date(2026, 11, 2), "bank transfer", "BACS 1", by="test", now=NOW)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("statement", "what"), REFUSED, ids=[what for _, what in REFUSED])
def test_the_migrated_schema_refuses(migrated, statement, what):
    with pytest.raises((IntegrityError, DBAPIError)):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


def test_the_same_rows_accept_values_within_the_rules(migrated):
    for statement in ("UPDATE review SET score = 5", "UPDATE programme SET fee_per_session_pence = 0",
                      "UPDATE programme SET min_set_size = 6, max_set_size = 10",
                      "UPDATE application SET status = 'withdrawn'"):
        db.session.execute(text(statement))
    db.session.commit()
