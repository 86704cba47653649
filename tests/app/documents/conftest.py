"""Fixtures for the documents tests: apps with other settings, people with browsers of their own,
and a tiny clamd that speaks the INSTREAM protocol over real TCP."""

import socketserver
import struct
import threading
from collections import defaultdict

import pytest
from flask import current_app

from app.documents import access
from tests.app.documents.helpers import EICAR, Visitor


@pytest.fixture
def app_with(app, make_app):
    """Another app on the same test services with some settings changed, its app context pushed
    over the ``app`` fixture's (whose teardown empties the tables afterwards)."""
    contexts = []

    def _make(**overrides):
        other = make_app(**overrides)
        context = other.app_context()
        context.push()
        contexts.append(context)
        return other

    yield _make
    for context in reversed(contexts):
        context.pop()


@pytest.fixture
def visitor(app):
    """``visitor(email=None, app=None)``: a person with a browser of their own, signed in if an
    email is given, on the app whose context is current."""

    def _visitor(email=None, on=None):
        person = Visitor(on or current_app._get_current_object())
        if email:
            person.sign_in(email)
        return person

    return _visitor


@pytest.fixture
def readers(monkeypatch):
    """A clean set of extra reader rules for one test (``access.register_reader`` is global)."""
    monkeypatch.setattr(access, "_readers", defaultdict(list))
    return access


class _Clamd(socketserver.BaseRequestHandler):
    """clamd's INSTREAM: b"zINSTREAM\\0", then chunks each prefixed by a 4-byte big-endian length,
    ended by a zero length; the reply is null-terminated."""

    def _read(self, size):
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data

    def handle(self):
        command = self._read(len(b"zINSTREAM\0"))
        assert command == b"zINSTREAM\0", command
        data = b""
        while True:
            (length,) = struct.unpack("!L", self._read(4))
            if length == 0:
                break
            data += self._read(length)
        self.server.scanned.append(data)
        if EICAR in data:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")


@pytest.fixture
def clamd():
    """A clamd on a free loopback port; ``.address`` for CLAMD_ADDRESS, ``.scanned`` the files."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    server.daemon_threads = True
    server.scanned = []
    server.address = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)
