"""The last minute before a deadline: 300 suppliers each upload a 1 MB attachment and submit.

    .venv/bin/python bench/bids_bench.py [--suppliers 300] [--window 60] [--late 0.05]

What it builds (none of it timed):
- a fresh PostgreSQL database (made by the migrations), a moto S3 server in its own process
  (`moto_server`, a private bucket), and the app under gunicorn with production settings
  (4 sync workers, STORAGE=s3 pointed at moto, QUEUE_BACKEND=rq on a Redis database of its own
  with no worker running: each receipt email is written to the outbox in the submitting
  transaction and its send job waits in Redis, which is all the web side does in production);
- in-process, through the services (the tests' builders): a DPS, an approved buyer, N supplier
  organisations each with one person, admitted to a lot, an opportunity published to the lot
  (so all N are invited), and each supplier's bid started with its answers, pass/fail answer,
  price and social value commitment saved as a draft;
- N HTTP clients (one `requests` session and one thread each) signed in through the sign-in
  form, each holding a CSRF token from its bid's attachments page.

Then the deadline is moved to the database's now + about 75 s (a bench-only UPDATE: publishing
rightly refuses a deadline that close) and the timed phase runs. Each client is given a moment:
all but a fraction (--late, 5%) are spread uniformly over the last --window seconds before the
deadline, the rest over the 5 s after it. At its moment a client does what a browser does: POSTs
its 1 MB PDF (valid, padded, different for each supplier) to the attachments page, follows the
redirect, POSTs "Submit bid" and follows the redirect to the receipt. Its submit time is that
whole sequence. Accepted means the submit ended on the receipt page; refused means the app said
the deadline had passed (at the upload or at the submit, 409).

Afterwards it checks the database and the bucket: every accepted client has exactly one
submission, stamped before the deadline, holding exactly its file (same SHA-256); every refused
client has none; no submission was stamped at or after the deadline; every upload that succeeded
is one object in the bucket; one receipt email is in the outbox per submission. "Lost" counts
accepted responses without a submission plus submissions without an accepted response; "late"
counts submissions stamped at or after the deadline. Goal: 0 lost, 0 late, 0 errors.

Baselines measured in the same run: a bare /hello route's p95 under wrk on the same gunicorn
(for the submit time), and the offered rate (on-time clients / window, for the throughput).
Writes its rows to bench/RESULTS.md; the database is dropped and Redis emptied at the end
(--keep to keep the database).
"""

import argparse
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import psycopg
from common import ROOT, Gunicorn, admin_url, free_port, fresh_database, production_env, record, wrk

COMMAND = "`.venv/bin/python bench/bids_bench.py`"
BUCKET = "vcse-bench-bids"
ATTACHMENT_BYTES = 1024 * 1024
PASSWORD = "correct horse battery"  # tests.factories.PASSWORD: make_user's default
LEAD_SECONDS = 15  # from moving the deadline to the start of the window


# --- Services: moto S3, PostgreSQL ---------------------------------------------------------------


class Moto:
    """moto's S3 server (the same Werkzeug server as ThreadedMotoServer) in its own process, so
    that it does not share a GIL with the 300 client threads."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.client = self._client()
        deadline = time.time() + 30
        while True:
            try:
                self.client.list_buckets()
                break
            except Exception:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto_server did not start")
                time.sleep(0.2)
        self.client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )

    def _client(self):
        import boto3

        return boto3.client(
            "s3",
            region_name="eu-west-2",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def objects(self):
        """{key: size} of every object in the bucket."""
        found = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for item in page.get("Contents", []):
                found[item["Key"]] = item["Size"]
        return found

    def app_settings(self):
        return {
            "STORAGE": "s3",
            "S3_BUCKET": BUCKET,
            "S3_REGION": "eu-west-2",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
        }

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)


def drop_database(name):
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


# --- Seeding, in-process through the services (not timed) ---------------------------------------


@dataclass
class Supplier:
    index: int
    email: str
    organisation_id: int
    bid_id: int
    pdf: bytes = b""
    sha256: str = ""


def seed(url, n, redis_url):
    """A DPS, a buyer, ``n`` admitted suppliers, a published opportunity and ``n`` draft bids,
    complete but for the attachment. Returns (opportunity id, [Supplier])."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from tests.lots.bidding import complete_bid, published
    from tests.lots.helpers import admit, setup_world, supplier

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "QUEUE_BACKEND": "inline",
            "MAIL_BACKEND": "outbox",  # the invitations, to the outbox
            "REDIS_URL": redis_url,
            "BASE_URL": "http://localhost",
        },
    )
    with app.app_context(), app.test_request_context():
        upgrade()
        _admin, _dps, lots, buyer_user, buyer = setup_world()
        people = []
        for i in range(n):
            email = f"owner{i}@supplier{i}.example"
            user, org = supplier(f"Bench Supplier {i} CIC", email)
            admit(org, lots[0])
            people.append((user, org))
        opportunity = published(buyer_user, buyer, lots[0], title="Befriending: bench")
        suppliers = []
        for i, (user, org) in enumerate(people):
            bid = complete_bid(user, org, opportunity, price_pence=3_000_000 + i * 100)
            suppliers.append(Supplier(i, user.email, org.id, bid.id))
        opportunity_id = opportunity.id
        db.session.remove()
        db.engine.dispose()
    return opportunity_id, suppliers


def pdf_of(index, size=ATTACHMENT_BYTES):
    """A valid PDF of exactly ``size`` bytes: one page whose content stream is padded with
    hex digits (nothing the upload checks look for), different for every supplier."""
    rnd = random.Random(index)
    text = f"BT /F1 12 Tf 72 720 Td (Method statement from bench supplier {index}) Tj ET\n"

    def build(padding):
        stream = (text + "%" + padding + "\n").encode("ascii")
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return bytes(out)

    bare = len(build(""))
    # The xref offsets and /Length are fixed width or grow by a digit at most: settle the size.
    padding_length = size - bare
    for _ in range(3):
        data = build(rnd.randbytes(padding_length // 2 + 1).hex()[:padding_length])
        if len(data) == size:
            return data
        padding_length += size - len(data)
    raise AssertionError(f"could not make a PDF of {size} bytes")


# --- The clients ---------------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html):
    match = TOKEN.search(html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


@dataclass
class Client:
    supplier: Supplier
    base: str
    opportunity_id: int
    session: object = None
    token: str = ""
    at: float = 0.0  # when to start (epoch seconds)
    started: float = 0.0
    upload_seconds: float = 0.0
    submit_seconds: float = 0.0
    finished: float = 0.0
    uploaded: bool = False
    outcome: str = ""  # accepted, refused-at-upload, refused-at-submit, error
    detail: str = ""
    statuses: list = field(default_factory=list)

    def url(self, path):
        return f"{self.base}/opportunities/{self.opportunity_id}/bid{path}"

    def sign_in(self):
        import requests

        self.session = requests.Session()
        page = self.session.get(f"{self.base}/sign-in", timeout=30)
        response = self.session.post(
            f"{self.base}/sign-in",
            data={
                "csrf_token": csrf_token(page.text),
                "email": self.supplier.email,
                "password": PASSWORD,
            },
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.supplier.email} could not sign in: {response.status_code}")
        page = self.session.get(self.url("/attachments"), timeout=30)
        page.raise_for_status()
        self.token = csrf_token(page.text)  # one token serves every form in the session

    def run(self):
        """Wait for this client's moment, then upload and submit as a browser would."""
        time.sleep(max(0.0, self.at - time.time()))
        self.started = time.time()
        try:
            self._upload_and_submit()
        except Exception as exc:  # noqa: BLE001 - a failed client is a figure, not a crash
            self.outcome, self.detail = "error", f"{type(exc).__name__}: {exc}"
        self.finished = time.time()

    def _upload_and_submit(self):
        begin = time.perf_counter()
        response = self.session.post(
            self.url("/attachments"),
            data={"csrf_token": self.token},
            files={
                "file": (
                    f"method-statement-{self.supplier.index}.pdf",
                    self.supplier.pdf,
                    "application/pdf",
                )
            },
            timeout=60,
        )
        self.upload_seconds = time.perf_counter() - begin
        self.statuses.append(response.status_code)
        self.uploaded = bool(response.history) and response.history[0].status_code == 302
        if not self.uploaded:
            if response.status_code == 200 and "deadline" in response.text.lower():
                self.outcome = "refused-at-upload"
            else:
                self.outcome, self.detail = "error", f"upload answered {response.status_code}"
            return
        begin = time.perf_counter()
        response = self.session.post(
            self.url("/submit"),
            data={"csrf_token": self.token, "conditions_confirmed": "y"},
            timeout=60,
        )
        self.submit_seconds = time.perf_counter() - begin
        self.statuses.append(response.status_code)
        if response.status_code == 200 and response.url.endswith("/bid/submitted"):
            self.outcome = "accepted"
        elif response.status_code == 409 and "deadline" in response.text.lower():
            self.outcome = "refused-at-submit"
        else:
            self.outcome, self.detail = "error", f"submit answered {response.status_code}"

    @property
    def seconds(self):
        return self.upload_seconds + self.submit_seconds


def sign_in_all(clients, threads=8):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(Client.sign_in, clients))


# --- Checking what was kept ----------------------------------------------------------------------


def verify(url, opportunity_id, clients, deadline, objects):
    """What the database and the bucket hold, against what each client was told."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT s.organisation_id, s.version, extract(epoch FROM s.submitted_at)::float8,
                   s.submitted_at >= o.submission_deadline, s.snapshot
            FROM bid_submissions s JOIN opportunities o ON o.id = s.opportunity_id
            WHERE s.opportunity_id = %s""",
            (opportunity_id,),
        ).fetchall()
        documents = conn.execute("""
            SELECT d.owner_organisation_id, d.storage_key, d.size_bytes, d.sha256
            FROM documents d WHERE d.purpose = 'bid_attachment'""").fetchall()
        receipts = conn.execute(
            "SELECT count(*) FROM outbox_messages WHERE template = 'bid_receipt'"
        ).fetchone()[0]
    by_org = {}
    for org_id, version, stamped, late, snapshot in rows:
        by_org.setdefault(org_id, []).append((version, stamped, late, snapshot))
    found = {"problems": []}
    accepted = {c.supplier.organisation_id: c for c in clients if c.outcome == "accepted"}
    found["lost"] = sum(1 for org in accepted if org not in by_org) + sum(
        1 for org in by_org if org not in accepted
    )
    found["late"] = sum(1 for subs in by_org.values() for s in subs if s[2])
    found["duplicates"] = sum(len(subs) - 1 for subs in by_org.values())
    found["submissions"] = len(rows)
    found["last_stamp_before_deadline"] = max(
        (s[1] for subs in by_org.values() for s in subs), default=None
    )
    for org, client in accepted.items():
        for _version, _stamped, _late, snapshot in by_org.get(org, []):
            files = snapshot["attachments"]
            if (
                len(files) != 1
                or files[0]["sha256"] != client.supplier.sha256
                or files[0]["size"] != ATTACHMENT_BYTES
            ):
                found["problems"].append(
                    f"supplier {client.supplier.index}: the submission holds {files}, not its file"
                )
    for client in clients:
        if client.outcome != "accepted" and client.supplier.organisation_id in by_org:
            found["problems"].append(
                f"supplier {client.supplier.index} was told {client.outcome} but has a submission"
            )
    uploaded = sum(1 for c in clients if c.uploaded)
    found["documents"] = len(documents)
    found["objects"] = len(objects)
    if len(documents) != uploaded:
        found["problems"].append(
            f"{uploaded} uploads succeeded but {len(documents)} documents are recorded"
        )
    missing = [key for _org, key, size, _sha in documents if objects.get(key) != size]
    if missing or len(objects) != len(documents):
        found["problems"].append(
            f"{len(objects)} objects in the bucket for {len(documents)} "
            f"documents; {len(missing)} documents without their object"
        )
    found["receipts"] = receipts
    if receipts != len(rows):
        found["problems"].append(f"{receipts} receipt emails for {len(rows)} submissions")
    return found


# --- The run -------------------------------------------------------------------------------------


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def schedule(clients, deadline, window, late_fraction, seed=7):
    """Moments: on-time clients uniform over [deadline - window, deadline), late ones over the
    5 s after it. Returns the number scheduled late."""
    rnd = random.Random(seed)
    order = list(clients)
    rnd.shuffle(order)
    n_late = round(len(order) * late_fraction)
    for client in order[:n_late]:
        client.at = deadline + rnd.uniform(0.05, 5.0)
    for client in order[n_late:]:
        client.at = deadline - window + rnd.uniform(0.0, window)
    return n_late


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--suppliers", type=int, default=300)
    parser.add_argument("--window", type=float, default=60.0, help="seconds before the deadline")
    parser.add_argument(
        "--late", type=float, default=0.05, help="fraction of clients scheduled after the deadline"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="vcse_bench_bids", help="made afresh each run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--dump", help="write each client's timings to this JSON file")
    args = parser.parse_args()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")  # for any boto3 default chain
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    flush_redis(redis_url)
    url = fresh_database(args.database)
    moto = server = None
    try:
        moto = Moto()
        started = time.perf_counter()
        opportunity_id, suppliers = seed(url, args.suppliers, redis_url)
        for s in suppliers:
            s.pdf = pdf_of(s.index)
            s.sha256 = hashlib.sha256(s.pdf).hexdigest()
        # What autovacuum and the checkpointer do soon after a bulk load, done now so that
        # they do not land in the timed window.
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        print(
            f"seeded {len(suppliers)} suppliers and draft bids in "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )

        env = production_env(
            url,
            REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI=redis_url,
            # Bench-only: 300 people sign in from one address (the limit is
            # 30 per 15 minutes per address), and over plain HTTP.
            SIGNIN_LIMIT_PER_ADDRESS="100000 per minute",
            SESSION_COOKIE_SECURE="false",
            BASE_URL="http://localhost",
            **moto.app_settings(),
        )
        server = Gunicorn(env, workers=args.workers)
        clients = [Client(s, server.url, opportunity_id) for s in suppliers]
        started = time.perf_counter()
        sign_in_all(clients)
        print(
            f"signed in {len(clients)} clients in {time.perf_counter() - started:.1f}s", flush=True
        )
        wrk(server.url + "/hello", seconds=3, connections=16)  # warm up
        hello = wrk(server.url + "/hello", seconds=5, connections=16)

        # Bench-only: publishing refuses a deadline a minute away (the tender period rules), so
        # the published deadline is moved to the database's clock + lead + window, on a whole
        # second. The deferred trigger (migration 0008) reads it at every COMMIT.
        with psycopg.connect(url, autocommit=True) as conn:
            deadline = conn.execute(
                """
                UPDATE opportunities
                SET submission_deadline = date_trunc('second', clock_timestamp())
                        + make_interval(secs => %s),
                    question_deadline = NULL
                WHERE id = %s
                RETURNING extract(epoch FROM submission_deadline)::float8""",
                (LEAD_SECONDS + args.window, opportunity_id),
            ).fetchone()[0]
        n_late = schedule(clients, deadline, args.window, args.late)
        print(
            f"deadline in {deadline - time.time():.1f}s; {len(clients) - n_late} clients "
            f"over the last {args.window:.0f}s, {n_late} after it",
            flush=True,
        )
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
        for t in threads:
            t.start()
        time.sleep(max(0.0, deadline - args.window - time.time()))
        load_before = os.getloadavg()[0]  # the machine may be shared: say how busy it was
        for t in threads:
            t.join(timeout=max(1.0, deadline + 120 - time.time()))
        if any(t.is_alive() for t in threads):
            raise RuntimeError("some clients did not finish within 2 minutes of the deadline")
        load_after = os.getloadavg()[0]
        objects = moto.objects()
        found = verify(url, opportunity_id, clients, deadline, objects)
    finally:
        if server is not None:
            server.stop()
        if moto is not None:
            moto.stop()
        flush_redis(redis_url)
        if not args.keep:
            drop_database(args.database)

    if args.dump:
        import json

        with open(args.dump, "w") as out:
            json.dump(
                [
                    {
                        "supplier": c.supplier.index,
                        "at": c.at - deadline,
                        "started": c.started - deadline,
                        "finished": c.finished - deadline,
                        "upload": c.upload_seconds,
                        "submit": c.submit_seconds,
                        "outcome": c.outcome,
                        "detail": c.detail,
                    }
                    for c in clients
                ],
                out,
            )
    report(args, clients, deadline, n_late, hello, found, (load_before, load_after))


def report(args, clients, deadline, n_late, hello, found, load):
    on_time = [c for c in clients if c.at < deadline]
    late_scheduled = [c for c in clients if c.at >= deadline]
    accepted = [c for c in clients if c.outcome == "accepted"]
    errors = [c for c in clients if c.outcome == "error"]
    refused_late = [c for c in late_scheduled if c.outcome.startswith("refused")]
    refused_close = [c for c in on_time if c.outcome.startswith("refused")]
    times = [c.seconds for c in accepted]
    p50, p95, worst = percentile(times, 50), percentile(times, 95), max(times, default=0)
    submit_p95 = percentile([c.submit_seconds for c in accepted], 95)
    upload_p95 = percentile([c.upload_seconds for c in accepted], 95)
    first = min(c.started for c in on_time)
    last = max(c.finished for c in accepted)
    throughput = len(accepted) / (last - first)
    offered = len(on_time) / args.window
    print(f"/hello baseline: {hello}; load average {load[0]:.1f} → {load[1]:.1f}")
    print(
        f"accepted {len(accepted)}, refused: {len(refused_late)} of {len(late_scheduled)} "
        f"scheduled after the deadline, {len(refused_close)} started before it but finished "
        f"after; errors {len(errors)}"
    )
    print(
        f"submit time (upload + submit, redirects followed): p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms (upload p95 "
        f"{upload_p95 * 1000:.0f} ms, submit p95 {submit_p95 * 1000:.0f} ms)"
    )
    print(f"throughput {throughput:.2f} accepted/s (offered {offered:.2f}/s)")
    print(
        f"lost {found['lost']}, accepted late {found['late']}, duplicates "
        f"{found['duplicates']}, documents {found['documents']}, objects {found['objects']}, "
        f"receipts {found['receipts']}"
    )
    for client in errors[:10]:
        print(
            f"  error: supplier {client.supplier.index} at {client.at - deadline:+.2f}s: "
            f"{client.detail} {client.statuses}"
        )
    for problem in found["problems"][:20]:
        print(f"  PROBLEM: {problem}")
    if refused_close:
        print(
            "  started before the deadline and refused: "
            + ", ".join(f"{c.started - deadline:+.2f}s ({c.outcome})" for c in refused_close)
        )

    n = len(clients)
    scale = (
        f"{n} suppliers, 1 MB PDF each, last {args.window:.0f} s, {args.workers} gunicorn "
        "workers, PostgreSQL, S3 on moto"
    )
    busy = f"machine load average {load[0]:.1f} at the window's start, {load[1]:.1f} at its end"
    hello_p95 = hello["p95_ms"] / 1000
    record(
        [
            (
                "Bids in the last minute: bare /hello p95 on the same gunicorn (baseline)",
                COMMAND,
                f"{hello['rps']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms (wrk -c16)",
                "1.00",
            ),
            (
                "Bids in the last minute: throughput (accepted upload + submit per second)",
                COMMAND,
                f"{throughput:.2f} submissions/s ({len(accepted)} accepted in "
                f"{last - first:.1f} s; {scale})",
                f"{throughput / offered:.2f} of the offered {offered:.2f}/s",
            ),
            (
                "Bids in the last minute: p95 submit time (1 MB upload + submit, redirects followed)",
                COMMAND,
                f"p95 {p95 * 1000:.0f} ms, p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms "
                f"(upload p95 {upload_p95 * 1000:.0f} ms, submit p95 "
                f"{submit_p95 * 1000:.0f} ms; {busy})",
                f"{p95 / hello_p95:.0f}× /hello p95",
            ),
            (
                "Bids in the last minute: accepted / refused as late / errors",
                COMMAND,
                f"{len(accepted)} accepted, {len(refused_late)} of {len(late_scheduled)} sent after "
                f"the deadline refused, {len(refused_close)} sent before it but committing after it "
                f"refused, {len(errors)} errors",
                f"{len(accepted) / n:.2f} of {n} clients accepted",
            ),
            (
                "Bids in the last minute: lost / accepted late (checked in the database and bucket)",
                COMMAND,
                f"{found['lost']} lost, {found['late']} accepted late, {found['duplicates']} "
                f"duplicates, {len(found['problems'])} other problems ({found['submissions']} "
                f"submissions, {found['objects']} objects in the bucket, {found['receipts']} receipts "
                "in the outbox)",
                f"{(found['lost'] + found['late']) / n:.2f} of {n} clients (goal 0)",
            ),
        ]
    )
    bad = found["lost"] or found["late"] or found["duplicates"] or found["problems"] or errors
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
