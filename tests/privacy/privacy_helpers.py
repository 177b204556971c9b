"""Helpers for the privacy tests: a database filled the way staff fill it, and searching all of it."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import Application, FeeAccount, LearningSet
from tests.finance.fin_helpers import confirm_sets
from tests.helpers import answers, pdf_bytes

PLAN = {"first_date": ["8", "12", "2026"], "interval": "monthly", "weeks": "4",
        "winter_start": ["20", "12"], "winter_end": ["3", "1"], "training": "3"}


def apply_with_note(client, app, **overrides) -> bytes:
    """Apply through the form with an uploaded PDF note; returns the note's bytes."""
    content = pdf_bytes(1)
    data = answers(app, **overrides)
    data["note_file"] = (io.BytesIO(content), "my note.pdf", "application/pdf")
    client.get("/apply")
    response = client.post("/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = client.post("/apply/check")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return content


def reference_of(app, email: str) -> str:
    with app.app_context():
        return db.session.scalars(select(Application.reference).where(Application.email_key == email.lower())).one()


def fill(app, client, auth) -> None:
    """Confirmed sets with fee accounts, one set's schedule planned, payments recorded."""
    from app.finance.ledger import record_payment

    with app.app_context():
        confirm_sets(applicants=40, seed=3)
        first_set = db.session.scalars(select(LearningSet.id).order_by(LearningSet.id)).first()
        accounts = db.session.scalars(select(FeeAccount).where(FeeAccount.set_id == first_set)
                                      .order_by(FeeAccount.id)).all()[:3]
        for number, account in enumerate(accounts):
            record_payment(account, 10000 * (number + 1), date(2026, 11, 20), "bank transfer",
                           f"BACS {account.reference}", "finance@example.org", utcnow())
        db.session.commit()
    auth.login("organiser")
    response = client.post(f"/manage/schedule/sets/{first_set}/plan", data={**PLAN, "save": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def everything_stored(app) -> str:
    """Every value in every table, as one string, to search for what should be gone."""
    parts = []
    with app.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                for row in connection.execute(table.select()):
                    parts.append(repr(tuple(row)))
    return "\n".join(parts)
