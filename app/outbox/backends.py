"""Email delivery backends behind one small interface: ``send(message) -> provider reference``.

A backend raises TemporaryFailure for faults worth retrying (connection refused, 4xx, rate limit)
and PermanentFailure for ones that never will succeed (unknown address, 5xx on the recipient).
"""

import smtplib
import socket
import threading
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, parseaddr

from flask import current_app

from app.outbox.ratelimit import SharedRateLimit
from app.queue import redis_connection

# sendmail() sends bytes as they are: CRLF line ends, and headers left whole (a folded
# List-Unsubscribe would reach some readers with a leading space).
SMTP_LINES = compat32.clone(linesep="\r\n", max_line_length=998)


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
        self.envelope_sender = parseaddr(self.sender)[1]
        self.timeout = config["SMTP_TIMEOUT"]

    def _connect(self):
        conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
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
        """A multipart/alternative message. Built with the compat32 MIME classes, which are
        several times faster than ``EmailMessage`` (whose header parsing dominated sending);
        non-ASCII headers are encoded as RFC 2047 words."""
        msg = MIMEMultipart("alternative")
        for name, value in (
            ("From", self.sender),
            ("To", email.recipient),
            ("Subject", email.subject),
            ("Date", formatdate(localtime=False)),
            ("Message-ID", email.message_id),
            *email.headers.items(),
        ):
            msg[name] = value if str(value).isascii() else Header(str(value), "utf-8")
        msg.attach(MIMEText(email.text, "plain", "utf-8"))
        msg.attach(MIMEText(email.html, "html", "utf-8"))
        return msg

    def send(self, email):
        msg = self.build(email)
        for attempt in (1, 2):
            try:
                key, conns = self._connection()
                conns[key].sendmail(
                    self.envelope_sender, [email.recipient], msg.as_bytes(policy=SMTP_LINES)
                )
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
                failure = (
                    PermanentFailure
                    if exc.smtp_code in (550, 551, 553)
                    and not isinstance(exc, smtplib.SMTPSenderRefused)
                    else TemporaryFailure
                )
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

        self.client = NotificationsAPIClient(
            config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"]
        )
        self.template_id = config["NOTIFY_TEMPLATE_ID"]
        self.rate_limit = None
        if config.get("NOTIFY_RATE_LIMIT_PER_MINUTE"):
            self.rate_limit = SharedRateLimit(
                redis_connection(), "notify:sent", int(config["NOTIFY_RATE_LIMIT_PER_MINUTE"]), 60
            )

    def send(self, email):
        from notifications_python_client.errors import HTTPError

        if self.rate_limit is not None:
            self.rate_limit.acquire()  # every worker together stays under Notify's limit
        # Notify sets List-Unsubscribe and List-Unsubscribe-Post itself from this URL.
        unsubscribe = (email.headers or {}).get("List-Unsubscribe", "").strip("<>") or None
        try:
            response = self.client.send_email_notification(
                email_address=email.recipient,
                template_id=self.template_id,
                personalisation={"subject": email.subject, "body": email.text},
                reference=email.reference,
                one_click_unsubscribe_url=unsubscribe,
            )
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
