"""Find the PostgreSQL and Redis the tests use, or start throwaway ones.

A server named by DATABASE_URL / REDIS_URL (or the usual 127.0.0.1 ports) is used when it answers;
otherwise one is started from the installed binaries in a temporary folder and stopped at the end.
Nothing here skips: a missing service is an error that says what to install.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlsplit


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise RuntimeError(
        f"PostgreSQL's {name} is not installed: run `make test` (it installs "
        "postgresql when run as root) or `apt-get install postgresql`."
    )


class Postgres:
    """The admin URL of a PostgreSQL server (existing or throwaway)."""

    def __init__(self):
        self.tmp = None
        self.admin_url = self.running()
        if self.admin_url is None:
            self._start()

    @staticmethod
    def running():
        """The admin URL of a server that answers, or None (one would be started)."""
        url = os.environ.get("TEST_DATABASE_ADMIN_URL") or os.environ.get("DATABASE_URL")
        if url and url.startswith("postgres"):
            parts = urlsplit(url)
            if answers(parts.hostname or "127.0.0.1", parts.port or 5432):
                return url.replace("postgresql+psycopg://", "postgresql://")
        if answers("127.0.0.1", 5432):
            return "postgresql://postgres@127.0.0.1:5432/postgres"
        return None

    def _start(self):
        self.tmp = tempfile.mkdtemp(prefix="vcse-pg-")
        port = free_port()
        as_root = os.geteuid() == 0
        run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.tmp, "postgres")
        data = os.path.join(self.tmp, "data")
        subprocess.run(
            run_as + [_pg_bin("initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            run_as
            + [
                _pg_bin("pg_ctl"),
                "-D",
                data,
                "-l",
                os.path.join(self.tmp, "log"),
                "-w",
                "-o",
                f"-p {port} -k {self.tmp} -c fsync=off -c listen_addresses=127.0.0.1",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.run_as, self.data = run_as, data
        self.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def stop(self):
        if self.tmp:
            subprocess.run(
                self.run_as + [_pg_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
            )
            shutil.rmtree(self.tmp, ignore_errors=True)


class Redis:
    def __init__(self):
        self.proc = None
        url = os.environ.get("REDIS_URL")
        if url:
            parts = urlsplit(url)
            if answers(parts.hostname or "127.0.0.1", parts.port or 6379):
                self.host, self.port = parts.hostname, parts.port or 6379
                return
        if answers("127.0.0.1", 6379):
            self.host, self.port = "127.0.0.1", 6379
            return
        self.start()

    def start(self, port=None):
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError(
                "redis-server is not installed: run `make test` (it installs "
                "redis-server when run as root) or `apt-get install redis-server`."
            )
        self.host, self.port = "127.0.0.1", port or free_port()
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if answers(self.host, self.port):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def url(self, db=0):
        return f"redis://{self.host}:{self.port}/{db}"

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(5)
            self.proc = None
