"""A real SMTP server (aiosmtpd) in a thread that keeps what arrives, for tests to read."""

import asyncio
import email
import threading
from email import policy

from aiosmtpd.controller import Controller

from tests.services import free_port


class Sink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.reject = {}  # address -> SMTP reply, to simulate permanent or temporary refusal
        self.delay = 0  # seconds between receiving a message and saying "250" (a slow server)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return self.reject[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.reject.clear()
        self.delay = 0

    def to(self, address):
        return [m for m in self.messages if m["To"].lower() == address.lower()]


class SMTPServer:
    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def text_part(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""
