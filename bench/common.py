"""Helpers the benchmarks share: a fresh PostgreSQL database, gunicorn, wrk, and RESULTS.md."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS: another file, for a trial run at a small scale.
RESULTS = Path(os.environ.get("BENCH_RESULTS", Path(__file__).resolve().parent / "RESULTS.md"))
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
    def __init__(self, env, workers=4, app="bench.wsgi_bench:app", timeout=30, root=ROOT):
        """``root``: the checkout to serve (another one, for an A/B on the same data)."""
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                str(Path(root) / ".venv/bin/gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                str(timeout),  # seconds a request may take before its worker is restarted
                app,
            ],
            cwd=root,
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


def wrk(url, seconds=15, connections=16, threads=2, lua="", timeout="10s"):
    """Drive ``url`` with wrk; ``lua`` is more of its script (say, a ``request`` function that
    varies the path), run before the one that prints the figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench-deps` installs it from Debian.")
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
                timeout,
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        ).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_cookie(base_url, email, password):
    """Sign in through the sign-in page as a browser would; the Cookie header of the session
    (for wrk: ``wrk.headers["Cookie"] = ...``)."""
    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/sign-in", timeout=30)
    token = TOKEN.search(page.text).group(1)
    response = session.post(
        f"{base_url}/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{email} could not sign in: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def with_cookie(cookie):
    """wrk script lines that send ``cookie`` with every request."""
    return 'wrk.headers["Cookie"] = "' + cookie.replace('"', '\\"') + '"'


def load_average():
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def sequential(url, cookie, n):
    """Too slow for wrk's window: ``n`` requests one after another, timed here, after one
    untimed (which waits out what the warm-up left queued)."""
    import requests

    requests.get(url, headers={"Cookie": cookie}, timeout=600).raise_for_status()
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = requests.get(url, headers={"Cookie": cookie}, timeout=600)
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "requests": n,
        "errors": 0,
        "rps": n / sum(timings) * 1000,
        "p50_ms": timings[len(timings) // 2],
        "p95_ms": timings[-1],  # of so few, the slowest
        "p99_ms": timings[-1],
        "sequential": True,
    }


def page_figures(server, path, lua, cookie, connections, seconds, workers):
    """wrk's figures for ``path`` after a warm-up that reaches every worker (a worker's first
    page loads the reference data); for a page that wrk finishes too few of in the warm-up to
    say anything (its median over two seconds), three requests in turn instead."""
    warm = wrk(server.url + path, 10, 2 * workers, lua=lua, timeout="120s")
    if warm["requests"] < 10 or warm["p50_ms"] > 2000:
        return sequential(server.url + path, cookie, 5)
    return wrk(server.url + path, seconds, connections, lua=lua, timeout="120s")


def record(rows):
    """Replace this benchmark's rows in RESULTS.md (keyed by the 'what' column)."""
    header = (
        "# Benchmark results\n\nEach row: what was measured, the command, the figure, and "
        "its ratio to the baseline measured in the same run. Machine: 2 cores, 24 GiB "
        "(the project's standard machine), shared with other work while these ran: read the ratios, "
        "not the absolute figures.\n\n| What | Command | Figure | Ratio to baseline |\n"
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
