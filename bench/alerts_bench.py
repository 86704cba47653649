"""Opportunity alerts at scale: from publishing to the last email accepted by an SMTP server.

    .venv/bin/python bench/alerts_bench.py [--suppliers 10000 50000]

For each size: a fresh PostgreSQL database (made by the migrations), N supplier organisations
each with one person whose alert preferences match the lot (not admitted to it, so alerts and
not invitations), two `flask worker` processes (production settings, SMTP backend) and a local
SMTP server (aiosmtpd, in this process) that records each message. The clock starts just before
`publish()` and stops when the server accepts the last email. Checks that every person got
exactly one email (zero duplicates, zero missing). Goal: 10,000 in under 60 s. Writes its rows to
bench/RESULTS.md (the 10,000 time against the 60 s goal; the 50,000 time against 10,000's).

Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/15), emptied first.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock_time

from common import ROOT, fresh_database, production_env, record

COMMAND = ".venv/bin/python bench/alerts_bench.py"
GOAL_SECONDS = 60


class Sink:
    def __init__(self):
        self.to = Counter()
        self.last = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.to[address.lower()] += 1
            self.last = time.time()
        return "250 Message accepted for delivery"


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deadline_in(days):
    """A whole-hour deadline on a working day, ``days`` or more ahead, as the rules need."""
    from zoneinfo import ZoneInfo

    from dps.working_days import is_working_day

    day = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=days)
    while not is_working_day(day, "england-and-wales"):
        day += timedelta(days=1)
    return datetime.combine(day, clock_time(12), tzinfo=ZoneInfo("Europe/London"))


def run(n, redis_url):
    import redis
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    url = fresh_database(f"vcse_bench_alerts_{n}")
    redis.Redis.from_url(redis_url).flushdb()
    sink = Sink()
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": redis_url,
            "QUEUE_BACKEND": "rq",
            "BASE_URL": "https://vcse-dps.example",
        },
    )
    env = production_env(
        url,
        REDIS_URL=redis_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
        BASE_URL="https://vcse-dps.example",
    )
    workers = []
    try:
        with app.app_context():
            upgrade()
            from lots.opportunities import services as opportunities
            from tests.lots.helpers import ready_draft, setup_world
            from tests.notifications.alerting import many_suppliers

            admin, dps, lots, buyer_user, buyer = setup_world()
            started = time.time()
            addresses = set(many_suppliers(n, lots[0].id, domain="bench.example"))
            db.session.execute(sa.text("ANALYZE"))  # as a live database's statistics would be
            db.session.commit()
            seeded = time.time() - started
            deadline = deadline_in(21)
            draft = ready_draft(
                buyer_user,
                buyer,
                lots[0],
                submission_deadline=deadline,
                question_deadline=deadline - timedelta(days=5),
            )
            for _ in range(2):
                workers.append(
                    subprocess.Popen(
                        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "worker"],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        start_new_session=True,
                    )
                )
            time.sleep(3)  # both workers listening
            t0 = time.time()
            opportunities.publish(buyer_user, draft)
            published = time.time() - t0
            limit = t0 + 900
            while sum(sink.to.values()) < n and time.time() < limit:
                time.sleep(0.2)
            time.sleep(2)  # anything more arriving would be a duplicate
            elapsed = (sink.last or time.time()) - t0
            from notifications.models import AlertFanout

            fanout = db.session.get(AlertFanout, draft.id)
            fanout_seconds = (
                (fanout.finished_at - fanout.created_at).total_seconds()
                if fanout and fanout.finished_at
                else float("nan")
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        for proc in workers:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        controller.stop()
    got = set(sink.to)
    return {
        "n": n,
        "seconds": elapsed,
        "publish": published,
        "fanout": fanout_seconds,
        "seed": seeded,
        "duplicates": sum(c - 1 for c in sink.to.values() if c > 1),
        "missing": len(addresses - got),
        "extra": len(got - addresses),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--suppliers", type=int, nargs="+", default=[10_000, 50_000])
    args = parser.parse_args()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    results = []
    for n in args.suppliers:
        result = run(n, redis_url)
        results.append(result)
        print(
            f"{n:,} suppliers: last email {result['seconds']:.1f} s after publishing "
            f"(publish {result['publish'] * 1000:.0f} ms, fan-out job {result['fanout']:.1f} s); "
            f"{result['duplicates']} duplicates, {result['missing']} missing, "
            f"{result['extra']} unexpected",
            flush=True,
        )
    rows = []
    base = results[0]
    for result in results:
        n = result["n"]
        figure = (
            f"{result['seconds']:.1f} s to the last email ({n / result['seconds']:.0f} "
            f"emails/s; fan-out job {result['fanout']:.1f} s, publish "
            f"{result['publish'] * 1000:.0f} ms), {result['duplicates']} duplicates, "
            f"{result['missing']} missing, 2 workers"
        )
        if result is base:
            ratio = f"{result['seconds'] / GOAL_SECONDS:.2f} of the {GOAL_SECONDS} s goal"
        else:
            ratio = (
                f"{result['seconds'] / base['seconds']:.2f}× the {base['n']:,} time for "
                f"{n / base['n']:.0f}× the people"
            )
        rows.append(
            (
                f"Opportunity alerts to {n:,} matching suppliers: publish to last email "
                "accepted by SMTP",
                f"`{COMMAND}`",
                figure,
                ratio,
            )
        )
    record(rows)
    failed = [r for r in results if r["duplicates"] or r["missing"] or r["extra"]]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
