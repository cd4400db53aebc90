"""Email to users (password and two-factor resets, lockout notices), sent through SMTP.

A message is handed over only when the request's transaction commits, so a rolled-back
request mails nothing. It is then sent on a background thread: a slow or failing SMTP server
neither delays nor fails the request, and the answer's timing does not tell whether an email
went out. Problems are logged, without the SMTP password or the message's content.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage

from vantage6.server.models import User

log = logging.getLogger(__name__)

REGISTRY_KEY = "vantage6.mailer"
_CREATING = threading.Lock()

PASSWORD_RESET = """\
Hello {name},

Someone asked to reset the password of your account "{username}" on the vantage6 server
"{server}". If that was you, choose a new password and send it together with the reset token
below, in the user interface or the Python client, or as JSON
{{"reset_token": "<token>", "password": "<new password>"}} to POST {api}/recover/reset.

{token}

The token works once, within {minutes} minutes.

If you did not ask for this, you can ignore this email: your password stays as it is.

Questions? Contact {support}.
"""

TWO_FACTOR_RESET = """\
Hello {name},

Someone logged in with the password of your account "{username}" on the vantage6 server
"{server}" and asked to reset its two-factor authentication. If that was you, send the reset
token below, in the user interface or the Python client, or as JSON
{{"reset_token": "<token>"}} to POST {api}/recover/2fa/reset. The answer holds a new QR code
for your authenticator app.

{token}

The token works once, within {minutes} minutes.

If you did not ask for this, you can ignore this email and your two-factor authentication
stays as it is. But whoever asked knows your password: change it now.

Questions? Contact {support}.
"""

TWO_FACTOR_ENROLMENT = """\
Hello {name},

Someone logged in with the password of your account "{username}" on the vantage6 server
"{server}", which requires two-factor authentication. If that was you, set it up: send the
token below as JSON {{"enrol_token": "<token>"}} to POST {api}/recover/2fa/enrol. The
answer holds the QR code for your authenticator app.

{token}

The token works once, within {minutes} minutes.

If that was not you, ignore this email: without the token, your password alone does not let
anyone in. But whoever it was knows your password: change it now.

Questions? Contact {support}.
"""

EMAIL_CHANGE = """\
Hello {name},

An administrator asked to change the email address of your account "{username}" on the
vantage6 server "{server}" to {new_email}. Password resets would then be sent there. If you
agree, send the token below, in the user interface or the Python client, or as JSON
{{"token": "<token>"}} to POST {api}/user/email/confirm.

{token}

The token works once, within {minutes} minutes.

If you do not agree, ignore this email: your address stays as it is.

Questions? Contact {support}.
"""

TWO_FACTOR_CLEARED = """\
Hello {name},

An administrator, user "{admin}", reset the two-factor authentication of your account
"{username}" on the vantage6 server "{server}". Your old authenticator app's codes no longer
work: the next time you log in, you set up two-factor authentication again.

If you did not ask for this, contact {support} now.
"""

LOCKOUT = """\
Hello {name},

There were {attempts} failed attempts to log in to your account "{username}" on the vantage6
server "{server}", the latest from address {address}. To protect the account, logging in is
blocked until {until:%Y-%m-%d %H:%M} UTC.

If that was you, wait until then and try again, or reset your password. If it was not you,
you can ignore this email: the block keeps guessing slow. Choosing a stronger password helps
too.

Questions? Contact {support}.
"""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    username: str
    password: str
    timeout: int

    def __repr__(self) -> str:  # never show the password, even in a traceback's locals
        return f"Smtp({self.host}:{self.port}, {self.security})"


class Mailer:
    def __init__(self, settings: dict):
        host = settings["vantage6.smtp.host"]
        self.smtp = (
            Smtp(
                host,
                settings["vantage6.smtp.port"],
                settings["vantage6.smtp.security"],
                settings["vantage6.smtp.username"],
                settings["vantage6.smtp.password"],
                settings["vantage6.smtp.timeout_seconds"],
            )
            if host
            else None
        )
        self.sender = settings["vantage6.email_from"]
        self.facts = {
            "server": settings["vantage6.server_name"],
            "api": settings["vantage6.api_path"],
            "minutes": settings["vantage6.email_token_validity_minutes"],
            "support": settings["vantage6.support_email"],  # with its fallbacks (settings.py)
        }
        self._sending = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vantage6-mail")

    @property
    def configured(self) -> bool:
        return self.smtp is not None

    def password_reset(self, request, user: User, token: str) -> None:
        self._send(request, user, "Reset your vantage6 password", PASSWORD_RESET, token=token)

    def two_factor_reset(self, request, user: User, token: str) -> None:
        subject = "Reset your vantage6 two-factor authentication"
        self._send(request, user, subject, TWO_FACTOR_RESET, token=token)

    def two_factor_enrolment(self, request, user: User, token: str) -> None:
        subject = "Set up your vantage6 two-factor authentication"
        self._send(request, user, subject, TWO_FACTOR_ENROLMENT, token=token)

    def email_change(self, request, user: User, token: str, new_email: str) -> None:
        """Sent to the current address, whose owner confirms the change."""
        subject = "Confirm the new email address of your vantage6 account"
        self._send(request, user, subject, EMAIL_CHANGE, token=token, new_email=new_email)

    def two_factor_cleared(self, request, user: User, admin: str) -> None:
        subject = "Your vantage6 two-factor authentication was reset"
        self._send(request, user, subject, TWO_FACTOR_CLEARED, admin=admin)

    def lockout(self, request, user: User, until: dt.datetime) -> None:
        self._send(
            request,
            user,
            "Failed login attempts on your vantage6 account",
            LOCKOUT,
            attempts=user.failed_login_attempts,
            address=request.client_addr or "unknown",
            until=until,
        )

    def wait(self, timeout: float = 30) -> None:
        """Return once every message handed over so far has been dealt with (for tests)."""
        self._sending.submit(lambda: None).result(timeout)

    def _send(self, request, user: User, subject: str, template: str, **details) -> None:
        if self.smtp is None:
            log.warning(
                "Not emailing %r to user %r: no SMTP server is configured (vantage6.smtp.host)",
                subject,
                user.username,
            )
            return
        if not user.email:
            log.warning("Not emailing %r to user %r: no email address", subject, user.username)
            return
        name = user.firstname or user.username
        body = template.format(name=name, username=user.username, **self.facts, **details)
        message = EmailMessage()
        try:
            message["To"] = user.email
        except ValueError:  # a line break in the address: it could smuggle in headers
            log.warning("Not emailing %r to user %r: unusable address", subject, user.username)
            return
        message["From"] = self.sender
        message["Subject"] = subject
        message.set_content(body)
        request.tm.get().addAfterCommitHook(self._committed, (message, user.username))

    def _committed(self, committed: bool, message: EmailMessage, username: str) -> None:
        if committed:
            self._sending.submit(self._deliver, message, username)

    def _deliver(self, message: EmailMessage, username: str) -> None:
        smtp = self.smtp
        subject = message["Subject"]
        try:
            with _connect(smtp) as connection:
                if smtp.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
                if smtp.username:
                    connection.login(smtp.username, smtp.password)
                connection.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.error(
                "Could not email %r to user %r through %s:%s: %s",
                subject,
                username,
                smtp.host,
                smtp.port,
                exc,
            )
        else:
            log.info("Emailed %r to user %r", subject, username)


def _connect(smtp: Smtp) -> smtplib.SMTP:
    if smtp.security == "ssl":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    return smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)


def mailer(registry) -> Mailer:
    """The app's mailer, made from its settings on first use."""
    with _CREATING:
        if REGISTRY_KEY not in registry:
            registry[REGISTRY_KEY] = Mailer(registry.settings)
        return registry[REGISTRY_KEY]
