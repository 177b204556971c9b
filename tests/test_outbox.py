"""Emails go through the outbox and a real SMTP server; nothing is lost when the server is down."""
from __future__ import annotations

import socket
from datetime import timedelta

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
