"""Fault fixtures: a server that accepts connections and never answers, and a record of the
figures each fault test measured (printed at the end of the run, for docs/reliability.md)."""

import socket
import threading

import pytest

from tests.app.documents.conftest import app_with, visitor  # noqa: F401  (fixtures used here)


class HangingServer:
    """Listens on a free port, accepts every connection and never sends a byte: a database, S3
    or Redis that is up but hung."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self.accepted.append(conn)  # held open, never read from or answered

    def url(self, scheme):
        return f"{scheme}://127.0.0.1:{self.port}"

    def stop(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.stop()


@pytest.fixture
def figures(request):
    """``figures(**measured)``: keep a fault test's figures for the end-of-run report (in the
    test's report, so they reach the summary from pytest-xdist's workers too)."""

    def _record(**measured):
        request.node.user_properties.append(("fault_figures", measured))

    return _record


def pytest_terminal_summary(terminalreporter):
    lines = []
    for status in ("passed", "failed"):
        for report in terminalreporter.stats.get(status, []):
            if getattr(report, "when", None) != "call":
                continue
            for key, measured in report.user_properties:
                if key == "fault_figures":
                    name = report.nodeid.split("::")[-1]
                    shown = ", ".join(f"{k}={v}" for k, v in measured.items())
                    lines.append(f"{name} [{status}]: {shown}")
    if lines:
        terminalreporter.section("fault figures (docs/reliability.md)")
        for line in sorted(lines):
            terminalreporter.write_line(line)
