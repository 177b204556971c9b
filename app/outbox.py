"""Email through an outbox table: queued in the change's transaction, sent after it commits.

If the mail server is down nothing is lost: rows stay pending and are retried with back-off by
the app after later requests and by `als send-mail` (run it from cron in production).
"""
from __future__ import annotations

import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import click
from flask import Flask, current_app, g, render_template
from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models import OutboxEmail

MAX_BACKOFF = timedelta(hours=6)
CLAIM_FOR = timedelta(minutes=5)
MESSAGE_ID_DOMAIN = "als.local"


@dataclass(frozen=True)
class Attachment:
    """A text file sent with an email, such as a set's calendar."""

    filename: str
    media_type: str  # "text/calendar"
    text: str


def queue_email(to: str, template: str, attachment: Attachment | None = None, **context: Any) -> OutboxEmail:
    """Render the organiser's wording for the email if they have written one (see
    app.settings.emails), otherwise templates/email/<template>.txt (first line "Subject: ..."),
    into the outbox."""
    subject, body = _render(template, context)
    now = utcnow()
    email = OutboxEmail(
        to_address=to,
        subject=subject,
        body=body,
        template=template,
        created_at=now,
        next_attempt_at=now,
        message_id=make_msgid(domain=MESSAGE_ID_DOMAIN),
    )
    if attachment is not None:
        email.attachment_name = attachment.filename
        email.attachment_type = attachment.media_type
        email.attachment_text = attachment.text
    db.session.add(email)
    g.mail_queued = True
    if not current_app.config.get("MAIL_SERVER"):
        # Without a mail server (a local trial) the message is only visible here and in the table.
        current_app.logger.warning("MAIL_SERVER is not set; email kept in the outbox.\nTo: %s\nSubject: %s\n\n%s",
                                   to, email.subject, email.body)
    return email


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    from app.settings.emails import custom_wording, render_custom

    custom = custom_wording(template)
    if custom is not None:
        try:
            wording = render_custom(custom, context)
            return wording.subject, wording.body
        except Exception:  # noqa: BLE001 - whatever broke, the person still gets the standard email
            current_app.logger.exception("The organiser's wording for the %s email could not be used; "
                                         "sent the standard wording instead", template)
    rendered = render_template(f"email/{template}.txt", **context)
    subject_line, _, body = rendered.lstrip().partition("\n")
    if not subject_line.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a Subject: line")
    return subject_line.removeprefix("Subject:").strip(), body.strip() + "\n"


def _claim(email_id: int) -> bool:
    """Take a row for sending so two senders (the app and cron) never send it twice."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_FOR)
    )
    db.session.commit()
    return result.rowcount == 1


def _smtp_send(message: EmailMessage) -> None:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
                                             context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def send_pending(limit: int = 200) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed); failures are kept and retried later."""
    if not current_app.config.get("MAIL_SERVER"):
        return (0, 0)
    due_ids = db.session.scalars(
        select(OutboxEmail.id)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.next_attempt_at <= utcnow())
        .order_by(OutboxEmail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for email_id in due_ids:
        if not _claim(email_id):
            continue
        email = db.session.get(OutboxEmail, email_id)
        assert email is not None
        message = EmailMessage()
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = email.to_address
        message["Subject"] = email.subject
        if email.message_id is None:  # queued before Message-IDs were stored: fix one now, for the retries
            email.message_id = make_msgid(domain=MESSAGE_ID_DOMAIN)
            db.session.commit()
        message["Message-ID"] = email.message_id
        message.set_content(email.body)
        if email.attachment_text is not None:
            maintype, _, subtype = (email.attachment_type or "text/plain").partition("/")
            message.add_attachment(email.attachment_text.encode("utf-8"), maintype=maintype, subtype=subtype or "plain",
                                   filename=email.attachment_name or "attachment.txt")
        email.attempts += 1
        try:
            _smtp_send(message)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            email.next_attempt_at = utcnow() + min(timedelta(minutes=2 ** min(email.attempts, 12)), MAX_BACKOFF)
            current_app.logger.warning("Email %s to %s not sent: %s", email.id, email.to_address, email.last_error)
        else:
            sent += 1
            email.sent_at = utcnow()
            email.last_error = None
        db.session.commit()
    return (sent, failed)


def _send_in_background(app: Flask) -> None:
    def run() -> None:
        with app.app_context():
            try:
                send_pending()
            finally:
                db.session.remove()

    threading.Thread(target=run, name="outbox", daemon=True).start()


def init_app(app: Flask) -> None:
    @app.teardown_request
    def send_after_request(exc: BaseException | None) -> None:
        if exc is not None or not g.pop("mail_queued", False):
            return
        if not app.config.get("MAIL_SERVER") or not app.config["MAIL_SEND_AFTER_REQUEST"]:
            return
        if app.config["MAIL_ASYNC"]:
            _send_in_background(app)
        else:
            send_pending()

    @app.cli.command("send-mail")
    def send_mail_command() -> None:
        """Send queued emails that are due (retries failures with back-off)."""
        if not app.config.get("MAIL_SERVER"):
            pending = db.session.query(OutboxEmail).filter(OutboxEmail.sent_at.is_(None)).count()
            raise click.ClickException(f"MAIL_SERVER is not set; {pending} email(s) are waiting in the outbox.")
        sent, failed = send_pending(limit=10_000)
        click.echo(f"Sent {sent} email(s); {failed} failed and will be retried.")
