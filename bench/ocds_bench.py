"""The OCDS API and the bulk file at the scale of the DPS's life.

    .venv/bin/python bench/ocds_bench.py [--opportunities 100000] [--reuse]

``--reuse`` keeps the database ``vcse_bench_ocds`` when an earlier run seeded it.

Seeds a fresh PostgreSQL database as bench/search_bench.py does (100,000 published call-offs),
builds one call-off's tender notice release with the product's own code and gives every
call-off its release from it (its own ocid, id, title and date), then serves the app under
gunicorn and drives, with wrk over loopback, the bare ``/hello`` route (the baseline) and
``/api/ocds/releases?since=...`` with a different moment on each request (a page of 100
releases read from anywhere in the history), at -c16 and again at -c4 (latency without the
queueing of 16 clients on 2 cores). Then writes the bulk file of every release in a
process of its own, timing it and sampling that process's resident memory. Writes its rows to
bench/RESULTS.md.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import psycopg
from common import ROOT, Gunicorn, admin_url, fresh_database, production_env, record, wrk
from search_bench import migrate, seed

COMMAND = "`.venv/bin/python bench/ocds_bench.py`"
DATABASE = "vcse_bench_ocds"
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def template_release(app):
    """A real UK4 release of the first seeded call-off, made by publishing.releases."""
    from app.extensions import db
    from lots.opportunities.models import Opportunity
    from publishing import releases, rules
    from publishing.models import Notice

    with app.app_context(), app.test_request_context():
        opportunity = db.session.execute(
            db.select(Opportunity).where(Opportunity.reference.is_not(None)).limit(1)
        ).scalar_one()
        rule = rules.rule_for(rules.Event.CALL_OFF_PUBLISHED, opportunity.dps.regime)
        ocid = releases.call_off_ocid(opportunity)
        notice = Notice(notice_type="UK4", ocid=ocid, version=1, release_id=f"{ocid}-UK4-1")
        release = releases.call_off_release(opportunity, notice, rule, START, "https://x/n")
        db.session.rollback()
        return release


def seed_notices(url, template):
    """A published UK4 per opportunity, a second apart, with its release."""
    prefix = template["ocid"].rsplit("-", 3)[0]
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id, reference, title, dps_id, buyer_id FROM opportunities "
            "WHERE reference IS NOT NULL ORDER BY id"
        ).fetchall()
        columns = (
            "notice_type, event, regime, ocid, version, release_id, release, created_at, "
            "published_at, dps_id, opportunity_id, buyer_id, title"
        )
        with conn.cursor().copy(f"COPY notices ({columns}) FROM STDIN") as cp:
            for n, (opportunity_id, reference, title, dps_id, buyer_id) in enumerate(rows):
                ocid = f"{prefix}-{reference}"
                moment = START + timedelta(seconds=n)
                release = dict(template, ocid=ocid, id=f"{ocid}-UK4-1", date=moment.isoformat())
                release["tender"] = dict(template["tender"], id=reference, title=title)
                cp.write_row(
                    (
                        "UK4",
                        "call_off_published",
                        "procurement_act_2023",
                        ocid,
                        1,
                        f"{ocid}-UK4-1",
                        json.dumps(release),
                        moment,
                        moment,
                        dps_id,
                        opportunity_id,
                        buyer_id,
                        title,
                    )
                )
        conn.execute("ANALYZE notices")
    return len(rows), time.perf_counter() - started


def seeded_notices(url, n):
    """How many releases an earlier run left, when it seeded ``n`` opportunities; else 0."""
    try:
        with psycopg.connect(url) as conn:
            opportunities = conn.execute("SELECT count(*) FROM opportunities").fetchone()[0]
            notices = conn.execute("SELECT count(*) FROM notices").fetchone()[0]
    except psycopg.Error:
        return 0
    return notices if n <= opportunities < n + 10 and notices else 0


WRITER = """
import json, os, resource, sys, threading, time
sys.path.insert(0, os.getcwd())
from app import create_app
from app.extensions import db
from publishing import bulk

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

app = create_app()
with app.app_context():
    db.session.execute(db.text("SELECT 1"))
    before = rss()
    peak = [before]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    count = bulk.write_bulk_file()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    size = os.path.getsize(os.path.join(app.config["STORAGE_LOCAL_PATH"], bulk.KEY))
    print(json.dumps({"count": count, "seconds": elapsed, "before_kib": before,
                      "peak_kib": peak[0], "bytes": size}))
"""


def write_bulk(env):
    out = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-c", WRITER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def since_lua(count, threads):
    """Each request asks for the page of 100 from a different moment of the history."""
    return f"""
local started = 0
function setup(thread)
  thread:set("id", started)
  started = started + 1
end
local count = 0
function request()
  count = count + 1
  local i = ((count * {threads} + id) * 7919) % {max(count - 100, 1)}
  local t = {int(START.timestamp())} + i
  return wrk.format("GET", "/api/ocds/releases?since=" .. os.date("!%Y-%m-%dT%H:%M:%SZ", t))
end
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--reuse", action="store_true", help="keep vcse_bench_ocds if it already holds the data"
    )
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{DATABASE}"
    count = args.reuse and seeded_notices(url, args.opportunities)
    if not count:
        url = fresh_database(DATABASE)
        app = migrate(url)
        print(f"Seeding {args.opportunities:,} opportunities ...", flush=True)
        seed(url, args.opportunities, n_suppliers=1000, n_lots=50, big_lot_size=100)
        app.config["SQLALCHEMY_DATABASE_URI"] = url.replace(
            "postgresql://", "postgresql+psycopg://"
        )
        template = template_release(app)
        count, seconds = seed_notices(url, template)
        print(f"{count:,} releases stored in {seconds:.1f}s", flush=True)
    load_start = os.getloadavg()[0]
    env = production_env(url, SEARCH_CACHE_SECONDS="0")
    server = Gunicorn(env, workers=args.workers)
    try:
        wrk(server.url + "/hello", seconds=3, connections=args.connections)  # warm up
        hello = wrk(server.url + "/hello", args.seconds, args.connections)
        lua = since_lua(count, 2)
        wrk(server.url, 3, args.connections, lua=lua)  # warm up
        pages = wrk(server.url, args.seconds, args.connections, lua=lua)
        # Latency with few clients at once (at -c16 on 2 cores the p95 is mostly queueing).
        hello4 = wrk(server.url + "/hello", args.seconds, 4)
        pages4 = wrk(server.url, args.seconds, 4, lua=since_lua(count, 2))
    finally:
        server.stop()
    written = write_bulk(env)
    load = os.getloadavg()[0]
    print("hello", hello, "\npages", pages, "\nhello4", hello4, "\npages4", pages4)
    print("bulk", written, f"\nload {load_start:.1f}-{load:.1f}")
    scale = (
        f"{count:,} releases of {args.opportunities:,} opportunities, {args.workers} gunicorn "
        f"workers, wrk -c{args.connections}"
    )
    grew = (written["peak_kib"] - written["before_kib"]) / 1024
    record(
        [
            (
                "OCDS API: bare /hello route (baseline)",
                COMMAND,
                f"{hello['rps']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms ({scale})",
                "1.00",
            ),
            (
                "OCDS API: a page of 100 releases from a different moment each request",
                COMMAND,
                f"{pages['rps']:.0f} req/s, p95 {pages['p95_ms']:.1f} ms (goal < 100 ms), "
                f"{pages['errors']:.0f} errors; load average {load_start:.1f} at the start "
                "(2 shared cores: noisy figures)",
                f"{pages['rps'] / hello['rps']:.2f} of /hello (goal ≥ 0.25)",
            ),
            (
                "OCDS API: a page of 100 releases, 4 clients at once (wrk -c4)",
                COMMAND,
                f"p95 {pages4['p95_ms']:.1f} ms, p50 {pages4['p50_ms']:.1f} ms, "
                f"{pages4['rps']:.0f} req/s (goal p95 < 100 ms); /hello at -c4 "
                f"{hello4['rps']:.0f} req/s, p95 {hello4['p95_ms']:.1f} ms; load average "
                f"{load_start:.1f}-{load:.1f}",
                f"{pages4['rps'] / hello4['rps']:.2f} of /hello's throughput at -c4",
            ),
            (
                "OCDS bulk file of every release (JSON Lines, gzipped): time to write",
                COMMAND,
                f"{written['seconds']:.1f} s for {written['count']:,} releases, "
                f"{written['bytes'] / 1048576:.1f} MiB (goal < 60 s; load average {load:.1f})",
                f"{written['seconds'] / 60:.2f} of the 60 s goal",
            ),
            (
                "OCDS bulk file: the writer's memory",
                COMMAND,
                f"peak RSS {written['peak_kib'] / 1024:.0f} MiB, {grew:.1f} MiB above the "
                f"{written['before_kib'] / 1024:.0f} MiB it used before (sampled every 20 ms)",
                f"{grew * 1048576 / max(written['bytes'], 1):.2f} of the file's size",
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
