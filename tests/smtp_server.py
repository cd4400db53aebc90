"""A real SMTP server (aiosmtpd) on a free localhost port, keeping what it receives."""

from __future__ import annotations

import re
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.ports import free_port

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


class Inbox:
    """The aiosmtpd handler: every accepted message, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def settings(self, **overrides) -> dict:
        """App settings that send email through this server."""
        return {
            "vantage6.smtp.host": self.host,
            "vantage6.smtp.port": str(self.port),
            "vantage6.smtp.security": "none",
            "vantage6.email_from": "vantage6@example.org",
            **overrides,
        }

    def token(self, message: EmailMessage) -> str:
        """The reset token a message carries."""
        return JWT.search(message.get_content()).group()


class Credentials:
    """An aiosmtpd authenticator that accepts one login and password."""

    def __init__(self, login: str, password: str):
        self.expected = (login.encode(), password.encode())

    def __call__(self, server, session, envelope, mechanism, auth_data):
        accepted = (auth_data.login, auth_data.password) == self.expected
        return AuthResult(success=accepted, handled=False)  # aiosmtpd answers 235 or 535


@contextmanager
def running_smtp_server(**smtp_parameters):
    """An SMTP server for the duration of the block; ``smtp_parameters`` go to aiosmtpd's SMTP
    (e.g. ``authenticator=Credentials(...)``, ``auth_require_tls=False``)."""
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **smtp_parameters)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
