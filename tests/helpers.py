"""Helpers for tests: valid answers, reading the outbox, and notes made on the fly."""
from __future__ import annotations

import io
from typing import Any

from app.extensions import db
from app.models import Application, OutboxEmail, Slot


def slot_ids(app) -> list[str]:
    with app.app_context():
        return [str(slot.id) for slot in db.session.query(Slot).order_by(Slot.position)]


def answers(app, **overrides: Any) -> dict[str, Any]:
    """A complete, valid set of answers for the application form."""
    data: dict[str, Any] = {
        "full_name": "Siobhán Ní Bhriain",
        "email": "siobhan@example.org",
        "phone": "0191 498 0000",
        "organisation": "Gateshead Council",
        "sector": "public",
        "job_title": "Director of Operations",
        "offer": "Twenty years of leading change.",
        "expectations": "Space to think with peers.",
        "note_text": "I lead a team of 200 people and want fresh perspectives.",
        "slots": slot_ids(app)[:1],
        "payer": "organisation",
        "agree_commitment": "y",
        "agree_fee": "y",
        "agree_chatham_house": "y",
        "agree_privacy": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def outbox(app) -> list[OutboxEmail]:
    with app.app_context():
        emails = db.session.query(OutboxEmail).order_by(OutboxEmail.id).all()
        db.session.expunge_all()
        return emails


def applications(app) -> list[Application]:
    with app.app_context():
        rows = db.session.query(Application).order_by(Application.id).all()
        for row in rows:
            _ = row.slots, row.note_file
        db.session.expunge_all()
        return rows


def link_from(email: OutboxEmail) -> str:
    """The private link's path, taken from an email as the applicant would click it."""
    for line in email.body.splitlines():
        if line.startswith("https://als.example.org/application/"):
            return line.removeprefix("https://als.example.org")
    raise AssertionError(f"no private link in: {email.body}")


def pdf_bytes(pages: int, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(words: int) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(" ".join(["leadership"] * words))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
