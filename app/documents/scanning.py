"""Virus scanning behind one small interface, chosen by configuration.

``CLAMD_ADDRESS`` names a ClamAV daemon (``host:port`` or a Unix socket path), spoken to with its
INSTREAM command; without it nothing is scanned. A flagged file is quarantined, never served.
"""

import socket
import struct
from dataclasses import dataclass

from flask import current_app


@dataclass
class ScanResult:
    clean: bool
    signature: str | None = None
    scanner: str = "none"


class ScannerUnavailable(Exception):
    pass


class NoScanner:
    def scan(self, stream):
        return ScanResult(clean=True, scanner="none")


class ClamdScanner:
    """ClamAV's clamd over TCP or a Unix socket (the INSTREAM protocol, no extra library)."""

    def __init__(self, address, timeout=30):
        self.address = address
        self.timeout = timeout

    def _connect(self):
        if ":" in self.address and not self.address.startswith("/"):
            host, port = self.address.rsplit(":", 1)
            return socket.create_connection((host, int(port)), timeout=self.timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.address)
        return sock

    def scan(self, stream):
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                stream.seek(0)
                while chunk := stream.read(64 * 1024):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScannerUnavailable(str(exc)) from exc
        finally:
            stream.seek(0)
        text = reply.rstrip(b"\0").decode("utf-8", "replace")
        # "stream: OK" or "stream: Eicar-Test-Signature FOUND"
        if text.endswith("FOUND"):
            return ScanResult(
                clean=False, signature=text.split(":", 1)[-1].strip()[:-6].strip(), scanner="clamd"
            )
        if text.endswith("OK"):
            return ScanResult(clean=True, scanner="clamd")
        raise ScannerUnavailable(f"unexpected clamd reply: {text[:100]}")


def get_scanner():
    address = current_app.config.get("CLAMD_ADDRESS")
    return ClamdScanner(address) if address else NoScanner()
