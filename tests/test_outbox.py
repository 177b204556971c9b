"""Emails go through the outbox and a real SMTP server; nothing is lost when the server is down."""
from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import outbox


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf-8")))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_confirmation_email_reaches_a_real_smtp_server_after_the_commit(app, apply, smtp):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="ALS <als@example.org>")
    apply(full_name="Zoë Ní Bhriain")
    [(sender, recipients, content)] = inbox.messages
    assert sender == "als@example.org"
    assert recipients == ["siobhan@example.org"]
    assert "Application received: ALS-" in content
    assert "https://als.example.org/application/" in content
    [email] = outbox(app)
    assert email.sent_at is not None and email.attempts == 1


def test_mail_kept_while_the_server_is_down_is_sent_by_als_send_mail(app, apply, runner, smtp, clock):
    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens here
    apply()
    [email] = outbox(app)
    assert email.sent_at is None and email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    assert inbox.messages == []

    app.config["MAIL_PORT"] = controller.port
    result = runner.invoke(args=["send-mail"])
    assert "Sent 0 email(s)" in result.output, "a failed email waits for its back-off before a retry"
    clock.advance(minutes=3)
    result = runner.invoke(args=["send-mail"])
    assert "Sent 1 email(s); 0 failed" in result.output
    assert len(inbox.messages) == 1
    [email] = outbox(app)
    assert email.sent_at is not None and email.attempts == 2 and email.last_error is None
    result = runner.invoke(args=["send-mail"])
    assert "Sent 0 email(s)" in result.output
    assert len(inbox.messages) == 1


def test_without_a_mail_server_send_mail_says_what_is_waiting(app, apply, runner):
    apply()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code != 0
    assert "MAIL_SERVER is not set; 1 email(s) are waiting" in result.output


def message_ids(inbox: Inbox) -> list[str]:
    from email import message_from_string

    return [message_from_string(content)["Message-ID"] for _sender, _recipients, content in inbox.messages]


class FlakyInbox(Inbox):
    """Keeps the first message, then answers as if it failed: the sender must try again."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await super().handle_DATA(server, session, envelope)
        if len(self.messages) == 1:
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted for delivery"


def test_a_retry_after_the_server_kept_a_failed_send_carries_the_same_message_id(app, apply, clock):
    inbox = FlakyInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        apply()
        [email] = outbox(app)
        assert email.sent_at is None and "451" in email.last_error
        clock.advance(minutes=3)
        with app.app_context():
            from app.outbox import send_pending

            assert send_pending() == (1, 0)
    finally:
        controller.stop()
    first, second = message_ids(inbox)
    assert first == second == outbox(app)[0].message_id
    assert first.startswith("<") and first.endswith(">")


def test_a_retry_after_a_crash_between_sending_and_saving_reuses_the_message_id(app, apply, smtp, clock, monkeypatch):
    from app import outbox as outbox_module
    from app.extensions import db

    controller, inbox = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SEND_AFTER_REQUEST=False)
    apply()
    real_send = outbox_module._smtp_send

    def send_then_crash(message):
        real_send(message)
        raise SystemExit("the worker was killed before it saved sent_at")

    monkeypatch.setattr(outbox_module, "_smtp_send", send_then_crash)
    with app.app_context():
        with pytest.raises(SystemExit):
            outbox_module.send_pending()
        db.session.rollback()
    monkeypatch.setattr(outbox_module, "_smtp_send", real_send)
    [email] = outbox(app)
    assert email.sent_at is None, "the crash lost the record of sending"

    clock.advance(minutes=6)  # the crashed sender's claim lapses
    with app.app_context():
        assert outbox_module.send_pending() == (1, 0)
    assert len(inbox.messages) == 2
    first, second = message_ids(inbox)
    assert first == second == email.message_id


def test_every_queued_email_has_its_own_message_id(app, apply):
    apply(email="one@example.org")
    apply(email="two@example.org")
    ids = [email.message_id for email in outbox(app)]
    assert len(ids) == 2 and None not in ids and ids[0] != ids[1]
