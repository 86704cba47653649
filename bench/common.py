"""Helpers the benchmarks share: a fresh PostgreSQL database, gunicorn, wrk, and RESULTS.md."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
sys.path.insert(0, str(ROOT))


def admin_url():
    return os.environ.get(
        "BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )


def fresh_database(name):
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url().rsplit("/", 1)[0]
    return f"{base}/{name}"


def production_env(database_url, **extra):
    env = dict(os.environ)
    env.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "b" * 48,
            "DATABASE_URL": database_url,
            "QUEUE_BACKEND": "rq",
            "MAIL_BACKEND": "smtp",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            "STORAGE": "local",
            "STORAGE_LOCAL_PATH": "/tmp/vcse-bench-storage",
        }
    )
    env.update(extra)
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, env, workers=4, app="bench.wsgi_bench:app"):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                app,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        import urllib.request

        deadline = time.time() + 60
        ready = 0
        while ready < workers * 2 and time.time() < deadline:  # every worker has booted
            try:
                with urllib.request.urlopen(self.url + "/hello", timeout=5) as response:
                    ready += response.status == 200
            except OSError:
                time.sleep(0.2)
        time.sleep(2.0)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def wrk(url, seconds=15, connections=16, threads=2, lua=""):
    """Drive ``url`` with wrk; ``lua`` is more of its script (say, a ``request`` function that
    varies the path), run before the one that prints the figures."""
    script = Path(__file__).parent / "p95.lua"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as combined:
        if lua:
            combined.write(lua + "\n" + script.read_text())
            combined.flush()
            script = combined.name
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
        ).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def record(rows):
    """Replace this benchmark's rows in RESULTS.md (keyed by the 'what' column)."""
    header = (
        "# Benchmark results\n\nEach row: what was measured, the command, the figure, and "
        "its ratio to the baseline measured in the same run. Machine: 2 cores, 24 GiB "
        "(the project's standard machine).\n\n| What | Command | Figure | Ratio to baseline |\n"
        "| --- | --- | --- | --- |\n"
    )
    existing = []
    if RESULTS.exists():
        existing = [
            l
            for l in RESULTS.read_text().splitlines()
            if l.startswith("| ") and not l.startswith("| What") and not l.startswith("| ---")
        ]
    names = {r[0] for r in rows}
    kept = [l for l in existing if l.split("|")[1].strip() not in names]
    lines = kept + ["| " + " | ".join(r) + " |" for r in rows]
    RESULTS.write_text(header + "\n".join(lines) + "\n")
