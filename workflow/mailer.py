"""Email out: the only module that speaks SMTP.

``AWARD_SMTP_URL`` names the server: ``smtp://host[:port]`` (add ``?starttls=1``, or use port
587, for STARTTLS) or ``smtps://host[:port]`` (TLS from the first byte). Credentials come from
``AWARD_SMTP_USER`` and ``AWARD_SMTP_PASSWORD`` only — a password written into the URL is
refused, because URLs end up in logs and process lists — and are never logged.
``AWARD_MAIL_FROM`` is the sender (default ``Thi đua – Khen thưởng <noreply@localhost>``).

A batch of messages goes over one connection. Each message comes back as delivered, or as a
:class:`MailError` that says whether it is worth trying again (a 4xx reply, a connection
that failed) or not (a 5xx reply: an address the server refuses).
"""

from __future__ import annotations

import html
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from workflow.errors import Misconfigured

__all__ = ["ENV_URL", "Mail", "MailError", "Mailer", "SmtpMailer", "mailer_from_env"]

ENV_URL = "AWARD_SMTP_URL"
DEFAULT_FROM = "Thi đua – Khen thưởng <noreply@localhost>"
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    message_id: str


class MailError(Exception):
    """A message not delivered; ``temporary`` if trying again later may work."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


class Mailer(Protocol):
    def send(self, mails: Sequence[Mail]) -> list[MailError | None]:
        """One outcome per mail, in order: None when delivered."""
        ...

    def check(self) -> None:
        """Connect and greet the server (and sign in): MailError if that fails."""
        ...

    def describe(self) -> str:
        """Where mail goes, without credentials."""
        ...


def mailer_from_env(env: Mapping[str, str] | None = None) -> SmtpMailer | None:
    """The mailer ``AWARD_SMTP_URL`` names, or None when it is not set (messages then stay in
    the outbox)."""
    env = os.environ if env is None else env
    url = env.get(ENV_URL, "").strip()
    if not url:
        return None
    return SmtpMailer(url, env.get("AWARD_SMTP_USER") or None,
                      env.get("AWARD_SMTP_PASSWORD") or None,
                      env.get("AWARD_MAIL_FROM") or DEFAULT_FROM)


class SmtpMailer:
    def __init__(self, url: str, user: str | None, password: str | None, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise Misconfigured(f"{ENV_URL} must be smtp://HOST[:PORT] or smtps://HOST[:PORT]")
        if parts.password:
            raise Misconfigured(f"{ENV_URL} must not carry a password; put it in "
                                "AWARD_SMTP_PASSWORD")
        name, address = parseaddr(sender)
        if "@" not in address:
            raise Misconfigured(f"AWARD_MAIL_FROM {sender!r} is not an email address")
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        query = parse_qs(parts.query)
        self.starttls = (not self.implicit_tls
                         and (query.get("starttls", ["0"])[0] in ("1", "true", "yes")
                              or self.port == 587))
        self.user = user or parts.username
        self._password = password
        self.sender = Address(display_name=name, addr_spec=address)

    def describe(self) -> str:
        """Where mail goes, without credentials (for ``award doctor`` and logs)."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{self.host}:{self.port}" + (" (STARTTLS)" if self.starttls else "")

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S,
                                          context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
                if self.starttls:
                    client.starttls(context=context)
            if self.user:
                client.login(self.user, self._password or "")
            return client
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"the server refused the sign-in ({exc.smtp_code})",
                            temporary=True) from None
        except UnicodeEncodeError:  # smtplib sends credentials as ASCII
            raise MailError("AWARD_SMTP_USER and AWARD_SMTP_PASSWORD must be ASCII",
                            temporary=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot reach {self.describe()}: {_reason(exc)}",
                            temporary=True) from None

    def check(self) -> None:
        client = self._connect()
        try:
            client.noop()
        finally:
            _quit(client)

    def send(self, mails: Sequence[Mail]) -> list[MailError | None]:
        if not mails:
            return []
        try:
            client = self._connect()
        except MailError as exc:
            return [exc for _ in mails]
        outcomes: list[MailError | None] = []
        try:
            for index, mail in enumerate(mails):
                try:
                    client.send_message(self._message(mail))
                    outcomes.append(None)
                except smtplib.SMTPRecipientsRefused as exc:
                    code = next(iter(exc.recipients.values()))[0]
                    outcomes.append(MailError(f"the server refused {mail.to} ({code})",
                                              temporary=400 <= code < 500))
                except smtplib.SMTPResponseException as exc:
                    outcomes.append(MailError(f"the server answered {exc.smtp_code}",
                                              temporary=400 <= exc.smtp_code < 500))
                except (OSError, smtplib.SMTPException) as exc:
                    # the connection broke: this one and the rest wait for the next batch
                    error = MailError(f"the connection failed: {_reason(exc)}", temporary=True)
                    outcomes += [error] * (len(mails) - index)
                    return outcomes
        finally:
            _quit(client)
        return outcomes

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject  # encoded (RFC 2047) when it is not ASCII
        message["Message-ID"] = mail.message_id
        message.set_content(mail.text)
        paragraphs = "".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>"
                             for block in mail.text.split("\n\n") if block.strip())
        message.add_alternative(f'<!doctype html><html lang="vi"><meta charset="utf-8">'
                                f"<body>{paragraphs}</body></html>", subtype="html")
        return message


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
