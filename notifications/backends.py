"""Email delivery backends behind one small interface: ``send(message) -> provider reference``.

A backend raises TemporaryFailure for faults worth retrying (connection refused, 4xx, rate limit)
and PermanentFailure for ones that never will succeed (unknown address, 5xx on the recipient).
"""
import smtplib
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


@dataclass
class Email:
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str
    reference: str
    headers: dict


class OutboxOnlyBackend:
    """Development: the email stays in the outbox table, readable at /dev/outbox."""

    def send(self, email):
        return "outbox"


class SMTPBackend:
    """SMTP with one connection per worker thread, reused across sends and reopened when dropped."""

    _local = threading.local()

    def __init__(self, config):
        self.host = config["SMTP_HOST"]
        self.port = config["SMTP_PORT"]
        self.username = config.get("SMTP_USERNAME")
        self.password = config.get("SMTP_PASSWORD")
        self.starttls = config.get("SMTP_STARTTLS")
        self.sender = config["MAIL_FROM"]

    def _connect(self):
        conn = smtplib.SMTP(self.host, self.port, timeout=20)
        if self.starttls:
            conn.starttls()
        if self.username:
            conn.login(self.username, self.password)
        return conn

    def _connection(self):
        key = (self.host, self.port)
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        if key not in conns:
            conns[key] = self._connect()
        return key, conns

    def build(self, email):
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = email.recipient
        msg["Subject"] = email.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = email.message_id
        for name, value in email.headers.items():
            msg[name] = value
        msg.set_content(email.text)
        msg.add_alternative(email.html, subtype="html")
        return msg

    def send(self, email):
        msg = self.build(email)
        for attempt in (1, 2):
            try:
                key, conns = self._connection()
                conns[key].send_message(msg)
                return email.message_id
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if attempt == 2:
                    raise TemporaryFailure(f"SMTP server disconnected: {exc}") from exc
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0]
                failure = PermanentFailure if 500 <= code < 600 else TemporaryFailure
                raise failure(f"recipient refused ({code})") from exc
            except smtplib.SMTPResponseException as exc:
                self.close()
                # A refused sender is our configuration, not the recipient's address.
                failure = (PermanentFailure if exc.smtp_code in (550, 551, 553)
                           and not isinstance(exc, smtplib.SMTPSenderRefused) else TemporaryFailure)
                raise failure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            except (OSError, socket.timeout, smtplib.SMTPException) as exc:
                self.close()
                raise TemporaryFailure(f"SMTP unavailable: {exc}") from exc

    @classmethod
    def close(cls):
        conns = getattr(cls._local, "conns", None) or {}
        for conn in conns.values():
            try:
                conn.quit()
            except Exception:
                pass
        cls._local.conns = {}


class NotifyBackend:
    """GOV.UK Notify, through one generic template with ((subject)) and ((body)) placeholders."""

    def __init__(self, config):
        from notifications_python_client.notifications import NotificationsAPIClient
        self.client = NotificationsAPIClient(config["NOTIFY_API_KEY"],
                                             base_url=config["NOTIFY_BASE_URL"])
        self.template_id = config["NOTIFY_TEMPLATE_ID"]

    def send(self, email):
        from notifications_python_client.errors import HTTPError
        try:
            response = self.client.send_email_notification(
                email_address=email.recipient, template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.text},
                reference=email.reference)
        except HTTPError as exc:
            if exc.status_code in (400, 403):
                raise PermanentFailure(f"Notify {exc.status_code}: {exc.message}") from exc
            raise TemporaryFailure(f"Notify {exc.status_code}: {exc.message}") from exc
        except OSError as exc:
            raise TemporaryFailure(f"Notify unavailable: {exc}") from exc
        return response.get("id")


def get_backend():
    app = current_app._get_current_object()
    backend = app.extensions.get("vcse_mail_backend")
    if backend is None:
        name = app.config["MAIL_BACKEND"]
        if name == "smtp":
            backend = SMTPBackend(app.config)
        elif name == "notify":
            backend = NotifyBackend(app.config)
        elif name == "outbox":
            backend = OutboxOnlyBackend()
        else:
            raise ValueError(f"Unknown MAIL_BACKEND {name!r}")
        app.extensions["vcse_mail_backend"] = backend
    return backend
