"""Social value across contracts at scale: the public place page and the operator's dashboard.

    .venv/bin/python bench/social_value_bench.py [--contracts 10000] [--months 50] [--reuse]
        [--database vcse_bench_social_value] [--profile N]

A fresh PostgreSQL database (``vcse_bench_social_value``, made by the migrations) seeded in SQL
(``generate_series``, no Python loops): 20 buyers (five of them the West Yorkshire councils, so
in the place), 2,000 suppliers, ``--contracts`` awarded call-offs and their contracts, each with
two social value commitments out of five measures (a count summed over periods with the home
postcode sectors of the people counted, a level taken from the latest period, hours summed, a
percentage), and ``--months`` monthly returns a contract (10,000 x 50 = 500,000 returns): those
whose period ended more than a month ago accepted, with a line and a delivery per commitment, the
rest awaiting (due, overdue or upcoming). The place "West Yorkshire" is defined through the
service, with three of the measures as its shared priorities.

The app is served by gunicorn (production settings) and driven by wrk from this process: the
bare ``/hello`` route first (the baseline), then the place page (``/places/west-yorkshire``,
public) and the operator's dashboard (``/admin/social-value``, signed in as the operator), each
at ``--connections`` for ``--seconds``. Goal: both pages p95 under 200 ms. Writes its rows to
bench/RESULTS.md. ``--reuse`` skips the seeding (the database of an earlier run).
"""

import argparse
import os
import random
import sys
import threading
import time

import psycopg
from common import (
    Gunicorn,
    fresh_database,
    load_average,
    page_figures,
    production_env,
    record,
    signed_in_cookie,
    with_cookie,
    wrk,
)

COMMAND = ".venv/bin/python bench/social_value_bench.py"
DATABASE = "vcse_bench_social_value"
PASSWORD = "bench password 2026"
ADMIN = "operator@bench.example"
WEST_YORKSHIRE = ("LDS", "WKF", "BRD", "KIR", "CLD")
# (measure, how a return places it): people by home postcode sector, the rest not placed or by
# council.
MEASURES = ("SV-EMP-02", "SV-EMP-03", "SV-COM-01", "SV-SKL-05", "SV-FW-01")
PRIORITIES = ["SV-EMP-02", "SV-EMP-03", "SV-COM-01"]
SECTORS = ("LS9 8", "BD3 0", "HD1 3", "HD1 1", "BD3 7", "ZZ9 9")  # the last one unknown


def seed_sql(conn, contracts, months):
    measures = ", ".join(f"'{m}'" for m in MEASURES)
    sectors = ", ".join(f"'{s}'" for s in SECTORS)
    codes = ", ".join(f"'{c}'" for c in WEST_YORKSHIRE)
    steps = [
        (
            "buyers and suppliers",
            f"""
            INSERT INTO organisations (kind, name, buyer_type, local_authority_code, region_code,
                                       created_at)
            SELECT 'buyer', 'Bench Council ' || i, 'local_authority',
                   (ARRAY[{codes}])[i], 'TLE', now()
            FROM generate_series(1, 20) i;
            INSERT INTO organisations (kind, name, supplier_type, region_code,
                                       local_authority_code, staff_band, turnover_band, created_at)
            SELECT 'supplier', 'Bench Supplier ' || i, 'cic', 'TLE', 'LDS', '10-49', '100k_1m',
                   now()
            FROM generate_series(1, 2000) i;
            """,
        ),
        (
            "the DPS and its lots",
            """
            INSERT INTO questionnaires (name, version, definition, published_at)
            VALUES ('Bench', 1, '{"sections": []}', now());
            INSERT INTO dps (slug, name, summary, description, who_may_join, regime, starts_on,
                             ends_on, admission_days, calendar, questionnaire_id, created_at)
            VALUES ('bench', 'Bench DPS', 's', 'd', 'w', 'procurement_act_2023', '2022-01-01',
                    '2030-12-31', 10, 'england-and-wales', 1, now());
            INSERT INTO lots (dps_id, number, title, description, reserved_for, min_value_pence,
                              max_value_pence)
            SELECT 1, i, 'Bench lot ' || i, 'A lot', 'none', 0, 50000000
            FROM generate_series(1, 10) i;
            """,
        ),
        (
            "awarded call-offs",
            f"""
            INSERT INTO opportunities (kind, status, dps_id, lot_id, buyer_id, created_by_id, title,
                summary, description, estimated_value_pence, location_type, location_code,
                region_code, reserved_vcse, reserved_sme, price_weight, quality_weight,
                social_value_weight, price_schedule, social_value_measures, tie_break,
                published_at, submission_deadline, voluntary_standstill, created_at, buyer_name,
                reference, closed_recorded_at)
            SELECT 'mini_competition', 'awarded', 1, 1 + i % 10, 1 + i % 20, 1,
                   'Bench service ' || i, 'Support for local people', 'A service',
                   (1 + i % 50) * 1000000, 'region', 'TLE', 'TLE', false, false, 50, 40, 10,
                   '[]', '[]', 'quality', timestamp '2022-01-01' + i * interval '1 hour',
                   timestamp '2022-02-01' + i * interval '1 hour', false, now(),
                   'Bench Council ' || (1 + i % 20), 'VCSE-B-' || lpad(i::text, 7, '0'),
                   timestamp '2022-02-01' + i * interval '1 hour'
            FROM generate_series(1, {contracts}) i;
            """,
        ),
        (
            "contracts",
            """
            INSERT INTO contracts (opportunity_id, buyer_id, supplier_id, lot_id, value_pence,
                start_date, end_date, supplier_is_vcse, supplier_is_sme, supplier_region_code,
                entered_at, reporting_frequency)
            SELECT id, buyer_id, 21 + id % 2000, lot_id, estimated_value_pence,
                   date '2022-04-01' + (id % 540), date '2026-04-01' + (id % 540), true, true,
                   'TLE', now(), 'monthly'
            FROM opportunities;
            """,
        ),
        (
            "commitments (two a contract)",
            f"""
            INSERT INTO social_value_commitments (contract_id, measure_id, promised)
            SELECT c.id, (ARRAY[{measures}])[1 + (c.id + k) % 5],
                   CASE WHEN (c.id + k) % 5 = 4 THEN 60 ELSE 20 + c.id % 80 END
            FROM contracts c CROSS JOIN generate_series(0, 1) k;
            """,
        ),
        (
            f"returns ({months} a contract)",
            f"""
            INSERT INTO social_value_returns (contract_id, period_start, period_end, due_on,
                status, evidence_ids, submissions, submitted_at, accepted_at, accepted_by_id,
                submitted_by_id)
            SELECT c.id, s, e, e + 14,
                   CASE WHEN e + 30 < current_date THEN 'accepted' ELSE 'awaiting' END,
                   '[]', CASE WHEN e + 30 < current_date THEN 1 ELSE 0 END,
                   CASE WHEN e + 30 < current_date THEN e + 10 END,
                   CASE WHEN e + 30 < current_date THEN e + 20 END,
                   CASE WHEN e + 30 < current_date THEN 1 END,
                   CASE WHEN e + 30 < current_date THEN 1 END
            FROM contracts c CROSS JOIN generate_series(0, {months - 1}) k
            CROSS JOIN LATERAL (SELECT (c.start_date + k * interval '1 month')::date AS s) a
            CROSS JOIN LATERAL (SELECT (a.s + interval '1 month' - interval '1 day')::date AS e) b;
            """,
        ),
        (
            "return lines of the accepted returns",
            f"""
            INSERT INTO social_value_return_lines (return_id, commitment_id, value,
                postcode_sectors, local_authority_code)
            SELECT r.id, m.id,
                   CASE WHEN m.measure_id = 'SV-FW-01' THEN 40 + (r.id + m.id) % 50
                        ELSE 1 + (r.id * 7 + m.id) % 9 END,
                   CASE WHEN m.measure_id = 'SV-EMP-02'
                        THEN json_build_array((ARRAY[{sectors}])[1 + r.id % 6],
                                              (ARRAY[{sectors}])[1 + (r.id + 3) % 6])
                        ELSE '[]'::json END,
                   CASE WHEN m.measure_id = 'SV-COM-01' AND r.id % 2 = 0
                        THEN (ARRAY[{codes}])[1 + r.id % 5] END
            FROM social_value_returns r
            JOIN social_value_commitments m ON m.contract_id = r.contract_id
            WHERE r.status = 'accepted';
            """,
        ),
        (
            "deliveries from the accepted lines",
            """
            INSERT INTO social_value_deliveries (commitment_id, period_start, period_end,
                delivered, recorded_by_id, recorded_at, return_id)
            SELECT l.commitment_id, r.period_start, r.period_end, l.value, 1, now(), r.id
            FROM social_value_return_lines l JOIN social_value_returns r ON r.id = l.return_id;
            """,
        ),
    ]
    for label, sql in steps:
        started = time.perf_counter()
        conn.execute(sql)
        conn.commit()
        print(f"seeded {label} in {time.perf_counter() - started:.1f}s", flush=True)


def seed(url, contracts, months):
    from app import create_app
    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.extensions import db
    from app.places import services as places
    from app.timeutil import utcnow

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        admin = User(
            email=ADMIN,
            name="Bench Operator",
            password_hash=hash_password(PASSWORD),
            is_admin=True,
            email_confirmed_at=utcnow(),
            password_changed_at=utcnow(),
        )
        db.session.add(admin)
        db.session.commit()
        assert admin.id == 1
        db.session.remove()
        db.engine.dispose()
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        seed_sql(conn, contracts, months)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    with app.app_context():
        admin = db.session.get(User, 1)
        place = places.create_place(admin, "West Yorkshire", "West Yorkshire")
        places.set_priorities(admin, place, PRIORITIES)
        db.engine.dispose()
    return seconds


def check_sums(url):
    """With ``--keep-figures``: the figures an earlier run rebuilt and checked are kept (the
    migration added their sums up); the sums and counts checked against them."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from lots.awards import figures

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        assert figures.sum_differences() == []
        assert figures.return_count_differences() == []
        assert figures.coverage_differences() == []
        print(
            f"sums, counts and coverage checked in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        db.engine.dispose()


def rebuild_figures(url):
    """The figures the reports read (``lots.awards.figures``), which the services keep with
    every record but SQL seeding does not: rebuilt, timed, and checked against the records."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from lots.awards import figures

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context():
        upgrade()  # a database made before the figures were kept (--reuse)
        started = time.perf_counter()
        figures.rebuild_all()
        seconds = time.perf_counter() - started
        print(f"figures rebuilt in {seconds:.0f} s", flush=True)
        started = time.perf_counter()
        assert figures.differences() == []
        assert figures.sum_differences() == []
        assert figures.return_count_differences() == []
        assert figures.coverage_differences() == []
        print(
            f"figures and their sums checked in {time.perf_counter() - started:.0f} s", flush=True
        )
        db.engine.dispose()
    return seconds


class Writer(threading.Thread):
    """What users do between the page reads: a supplier submits a due return and its buyer
    accepts it, through the services (``submit_return`` and ``accept_return``: lines,
    deliveries, figures, sums, counts, the triggers' stamps, audit), one every ``every``
    seconds, spread over the buyers. Only the permission checks are skipped (the bench has no
    supplier or buyer people). Each acceptance changes that buyer's coverage and return stamps,
    so every gunicorn worker works the pages that read them out again."""

    def __init__(self, url, every):
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.halt = threading.Event()
        self.accepted, self.failed = 0, 0

    def run(self):
        import sqlalchemy as sa

        from app import create_app
        from app.accounts.models import User
        from app.extensions import db
        from lots.awards import returns
        from lots.awards.models import ReturnStatus, SocialValueReturn
        from lots.awards.schedule import today

        app = create_app(
            "test",
            {"SQLALCHEMY_DATABASE_URI": self.url.replace("postgresql://", "postgresql+psycopg://")},
        )
        returns.may_submit_return = returns.may_record_delivery = lambda user, contract: True
        with app.app_context():
            due = list(
                db.session.execute(
                    sa.select(SocialValueReturn.id).where(
                        SocialValueReturn.status == ReturnStatus.AWAITING,
                        SocialValueReturn.period_end < today(),
                    )
                ).scalars()
            )
            random.Random(17).shuffle(due)
            db.session.remove()
            while due and not self.halt.wait(self.every):
                user = db.session.get(User, 1)
                ret = db.session.get(SocialValueReturn, due.pop())
                try:
                    commitments = ret.contract.commitments
                    returns.submit_return(
                        user,
                        ret,
                        {c.id: str(1 + ret.id % 7) for c in commitments},
                        note="Bench: timesheets",
                        postcodes={
                            c.id: "LS9 8AB" for c in commitments if c.measure.asks_postcode_sectors
                        },
                    )
                    returns.accept_return(user, ret)
                    self.accepted += 1
                except Exception as exc:  # noqa: BLE001 - counted and reported, not fatal
                    db.session.rollback()
                    self.failed += 1
                    print("writer:", exc, flush=True)
                db.session.remove()
            db.engine.dispose()

    def stop(self):
        self.halt.set()
        self.join(timeout=60)


# wrk: each request a different buyer's dashboard, the 20 in turn.
BUYERS = """
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format(nil, "/organisations/" .. (1 + turn % 20) .. "/social-value")
end
"""


def counts(url):
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "contracts",
                "social_value_commitments",
                "social_value_returns",
                "social_value_deliveries",
            )
        }


def profile(url, n):
    """Where each page's time goes, in this process (no gunicorn): ``n`` requests through the
    test client after a warm one, each SQL statement timed; then cProfile of one request, the
    functions that took most time (cumulative)."""
    import cProfile
    import pstats
    import statistics

    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            "WTF_CSRF_ENABLED": False,
        },
    )
    sql = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # a database seeded before these figures were kept

        @event.listens_for(db.engine, "before_cursor_execute")
        def started(conn, cursor, statement, parameters, context, executemany):
            conn.info["started"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def ended(conn, cursor, statement, parameters, context, executemany):
            sql.append((time.perf_counter() - conn.info["started"], statement))

        client = app.test_client()
        signed_in = client.post("/sign-in", data={"email": ADMIN, "password": PASSWORD})
        assert signed_in.status_code == 302, signed_in.status_code
        for path in ("/places/west-yorkshire", "/admin/social-value"):
            assert client.get(path).status_code == 200, path
            timings, statements = [], []
            for _ in range(n):
                sql.clear()
                begun = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - begun)
                statements.append(list(sql))
            print(
                f"\n{path}: {n} requests in process, median "
                f"{statistics.median(timings) * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms"
                f"; SQL {sum(t for t, _ in statements[-1]) * 1000:.0f} ms in "
                f"{len(statements[-1])} statements (last request); load average {load_average()}"
            )
            for t, statement in sorted(statements[-1], reverse=True)[:5]:
                print(f"  {t * 1000:7.1f} ms  {' '.join(statement.split())[:150]}")
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        db.engine.dispose()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--database", default=DATABASE, help="its name (vcse_bench_...)")
    parser.add_argument(
        "--keep-figures",
        action="store_true",
        help="with --reuse: keep the figures an earlier run rebuilt; check only their sums",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="with --reuse: N requests of each page in "
        "process, SQL timed, and cProfile of one; no gunicorn, nothing recorded",
    )
    parser.add_argument(
        "--writes",
        type=float,
        metavar="SECONDS",
        help="then both pages again while a return is submitted and accepted every SECONDS",
    )
    parser.add_argument(
        "--varied",
        action="store_true",
        help="also the buyers' own dashboards, a different buyer each request (20 in turn)",
    )
    parser.add_argument("--label", default="", help="said in the rows' first column")
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/x")
    if args.reuse:
        url = base.rsplit("/", 1)[0] + "/" + args.database
        seed_seconds = None
    else:
        url = fresh_database(args.database)
        seed_seconds = seed(url, args.contracts, args.months)
    if args.profile:
        profile(url, args.profile)
        return
    held = counts(url)
    print(held, flush=True)
    if args.keep_figures:
        check_sums(url)
        figures_seconds = None
    else:
        figures_seconds = rebuild_figures(url)

    env = production_env(
        url.replace("postgresql://", "postgresql+psycopg://"),
        SIGNIN_LIMIT_PER_ADDRESS="100000 per minute",
        SESSION_COOKIE_SECURE="false",
        BASE_URL="http://localhost",
        DATABASE_STATEMENT_TIMEOUT="0",
    )
    server = Gunicorn(env, workers=args.workers, timeout=600)  # slow pages are figures too
    figures = {}
    try:
        cookie = signed_in_cookie(server.url, ADMIN, PASSWORD)
        loads = [load_average()]
        c, s = args.connections, args.seconds
        wrk(server.url + "/hello", seconds=3, connections=c)  # warm up
        figures["hello"] = wrk(server.url + "/hello", s, c)
        pages = [
            ("place", "/places/west-yorkshire", ""),
            ("operator", "/admin/social-value", with_cookie(cookie)),
        ]
        if args.varied:
            pages.append(("buyers", "/organisations/1/social-value", with_cookie(cookie) + BUYERS))
        for name, path, lua in pages:
            figures[name] = page_figures(server, path, lua, cookie, c, s, args.workers)
            loads.append(load_average())
        if args.writes:
            for name, path, lua in pages[:2]:
                writer = Writer(url, args.writes)
                writer.start()
                try:
                    figures[name + "+writes"] = page_figures(
                        server, path, lua, cookie, c, s, args.workers
                    )
                finally:
                    writer.stop()
                figures[name + "+writes"]["accepted"] = writer.accepted
                figures[name + "+writes"]["failed"] = writer.failed
                loads.append(load_average())
    finally:
        server.stop()
    for name, f in figures.items():
        print(name, f, flush=True)

    hello = figures["hello"]
    scale = (
        f"{held['contracts']:,} contracts, {held['social_value_returns']:,} returns, "
        f"{held['social_value_deliveries']:,} accepted figures; gunicorn {args.workers} workers; "
        "load average (1/5/15 min) "
        f"{loads[0]} before, {loads[-1]} after, on 2 shared cores"
    )
    rows = [
        [
            f"Social value at scale{args.label}: bare /hello on the same gunicorn (baseline)",
            f"`{COMMAND} {' '.join(sys.argv[1:])}`".replace(" `", "`"),
            f"p95 {hello['p95_ms']:.1f} ms, {hello['rps']:.0f} req/s ({scale})"
            + (f"; seeded in SQL in {seed_seconds:.0f} s" if seed_seconds else "")
            + (
                f"; figures of {held['social_value_commitments']:,} commitments rebuilt from the "
                f"records in {figures_seconds:.0f} s and checked equal to them"
                if figures_seconds is not None
                else "; figures kept from the run before, their sums checked equal to them"
            ),
            "1.00",
        ]
    ]
    place = "Public place page /places/west-yorkshire (5 of 20 buyers, 3 shared measures)"
    operator = "Operator's social value dashboard /admin/social-value (every contract)"
    writes = (
        f", while a return is submitted and accepted through the services every {args.writes:g} s"
        " (each one new stamps for its buyer: every worker works the page out again)"
    )
    for name, label in (
        ("place", place),
        ("operator", operator),
        ("buyers", "Buyers' own dashboards /organisations/N/social-value (20 buyers in turn)"),
        ("place+writes", place + writes),
        ("operator+writes", operator + writes),
    ):
        if name not in figures:
            continue
        f = figures[name]
        how = (
            "5 requests one after another (after one untimed), the slowest as p95"
            if f.get("sequential")
            else f"wrk -c{args.connections} {args.seconds} s"
        )
        if "accepted" in f:
            how += f"; {f['accepted']} returns accepted during the run ({f['failed']} failed)"
        verdict = "goal met" if f["p95_ms"] < 200 and not f["errors"] else "**goal not met**"
        rows.append(
            [
                f"Social value at scale{args.label}: {label}",
                f"`{COMMAND} {' '.join(sys.argv[1:])}`".replace(" `", "`"),
                f"p95 {f['p95_ms']:.0f} ms, p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms, "
                f"{f['rps']:.1f} req/s, "
                f"{f['errors']:.0f} errors, {how} ({scale})",
                f"{f['p95_ms'] / hello['p95_ms']:.0f}x /hello p95; {f['p95_ms'] / 200:.2f} of "
                f"the 200 ms goal: {verdict}",
            ]
        )
    record(rows)
    for row in rows:
        print(" | ".join(row))


if __name__ == "__main__":
    main()
