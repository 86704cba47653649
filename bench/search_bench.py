"""Search under load, and publishing to a big lot.

    .venv/bin/python bench/search_bench.py [--opportunities 100000] [--suppliers 20000]

Seeds a fresh PostgreSQL database with 100,000 opportunities across 50 lots and 20,000 admitted
suppliers (one lot holds 5,000 of them), serves the app under gunicorn, and drives it from a
second process with wrk: first a bare /hello route (the baseline), then the search page and the
listing (the same URL again and again, as a popular page is asked for; the results cache answers
most of them), then both with a different URL for every request (the cache never helps): /hello
and the new-query mix in turn, ``--rounds`` times (3), the ratio the median of the rounds'. Then it
times publishing an opportunity to the lot of 5,000 suppliers (the invitations are written in
the publishing transaction). Goals: search throughput at least 50% of /hello, p95 under 100 ms;
publishing commits in under 2 seconds. Writes its rows to bench/RESULTS.md.
"""

import argparse
import os
import random
import re
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import psycopg
from common import Gunicorn, admin_url, fresh_database, production_env, record, wrk

WORDS = [
    "befriending",
    "community",
    "care",
    "meals",
    "homecare",
    "advice",
    "employment",
    "support",
    "youth",
    "mental",
    "health",
    "wellbeing",
    "housing",
    "debt",
    "digital",
    "inclusion",
    "gardening",
    "transport",
    "carers",
    "dementia",
    "family",
    "training",
    "volunteering",
    "food",
    "energy",
    "furniture",
    "recovery",
    "arts",
    "sport",
    "play",
]
REGIONS = ["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM", "TLN"]


def migrate(url):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    with app.app_context():
        upgrade()
        from app.extensions import db

        db.engine.dispose()
    return app


def copy(conn, table, columns, rows):
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def seed(url, n_opportunities, n_suppliers, n_lots, big_lot_size, second_lot_size=0):
    """Load the data by COPY; the opportunities' search indexes are dropped first and built
    again afterwards (timed: the seconds are returned), as a bulk load would."""
    n_suppliers = max(n_suppliers, big_lot_size, second_lot_size)
    rnd = random.Random(42)
    now = datetime.now(timezone.utc)
    with psycopg.connect(url) as conn:
        conn.execute("""INSERT INTO questionnaires (name, version, definition, published_at)
                        VALUES ('Bench', 1, '{"sections": []}', now())""")
        conn.execute("""INSERT INTO users (email, name, password_hash, is_admin, session_version,
                        created_at) VALUES ('buyer@bench.example', 'Bench Buyer', 'x', false, 1,
                        now())""")
        conn.execute("""INSERT INTO dps (slug, name, summary, description, who_may_join, regime,
                        starts_on, ends_on, admission_days, calendar, questionnaire_id,
                        created_at) VALUES ('bench', 'Bench DPS', 's', 'd', 'w',
                        'procurement_act_2023', '2026-01-01', '2030-12-31', 10,
                        'england-and-wales', 1, now())""")
        copy(
            conn,
            "lots",
            [
                "dps_id",
                "number",
                "title",
                "description",
                "reserved_for",
                "min_value_pence",
                "max_value_pence",
            ],
            [
                (1, i, f"Lot {i}: {WORDS[i % len(WORDS)]}", "A lot", "none", 0, 50_000_000)
                for i in range(1, n_lots + 2)
            ],
        )
        copy(
            conn,
            "organisations",
            ["kind", "name", "buyer_type", "region_code", "created_at"],
            [
                ("buyer", f"Bench Council {i}", "local_authority", REGIONS[i % 12], now)
                for i in range(20)
            ],
        )
        copy(
            conn,
            "organisations",
            [
                "kind",
                "name",
                "supplier_type",
                "region_code",
                "local_authority_code",
                "staff_band",
                "turnover_band",
                "created_at",
            ],
            [
                (
                    "supplier",
                    f"Bench Supplier {i}",
                    "cic",
                    REGIONS[i % 12],
                    "LDS",
                    "10-49",
                    "100k_1m",
                    now,
                )
                for i in range(n_suppliers)
            ],
        )
        conn.execute(
            "INSERT INTO memberships (user_id, organisation_id, role, created_at) "
            "VALUES (1, 1, 'owner', now())"
        )
        conn.execute(
            "INSERT INTO buyer_profiles (organisation_id, status, contact_name, "
            "contact_email, requires_approval, requested_at, decided_at) VALUES "
            "(1, 'approved', 'B', 'buyer@bench.example', false, now(), now())"
        )
        conn.execute(
            "INSERT INTO dps_buyers (dps_id, organisation_id, joined_at) VALUES (1, 1, now())"
        )
        first_supplier = 21
        memberships = set()
        for s in range(n_suppliers):
            for lot in rnd.sample(range(1, n_lots), 2):
                memberships.add((first_supplier + s, lot))
        for s in range(big_lot_size):
            memberships.add((first_supplier + s, n_lots))
        for s in range(second_lot_size):
            memberships.add((first_supplier + s, n_lots + 1))
        copy(
            conn,
            "lot_memberships",
            ["organisation_id", "lot_id", "status", "admitted_at", "status_changed_at"],
            [(o, lot, "admitted", now, now) for o, lot in sorted(memberships)],
        )

        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'opportunities' "
            "AND indexdef ~ '(search|gin|rum)'"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")

        _insert_opportunities(conn, n_opportunities, n_lots)
        conn.commit()
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            conn.execute(definition)
            conn.commit()
        index_seconds = time.perf_counter() - started
        print(f"search indexes built in {index_seconds:.1f}s: {[n for n, _ in indexes]}")
    # What autovacuum does to a table soon after a bulk load (so index-only scans work), done
    # now so that every run measures the same state.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return index_seconds


# The opportunities, generated by PostgreSQL itself (generate_series), in batches: a million
# rows in minutes, where a Python loop feeding COPY took as long for a tenth of them. Published
# in the order they were drafted, each open for 10 to 60 days, over some 20 months: about a
# tenth open (the newest), as on a DPS some years old; the closing job has marked the rest
# (``closed_recorded_at``). Titles and summaries from ``WORDS``; descriptions 58 words drawn
# from a 6,000-word made-up vocabulary with a long (Zipf-like) tail, so text is as varied as real
# notices, plus two of ``WORDS``.
OPPORTUNITIES_SQL = """
INSERT INTO opportunities (kind, status, dps_id, lot_id, buyer_id, created_by_id, title, summary,
    description, estimated_value_pence, location_type, location_code, region_code, reserved_vcse,
    reserved_sme, price_weight, quality_weight, social_value_weight, price_schedule,
    social_value_measures, tie_break, published_at, submission_deadline, voluntary_standstill,
    created_at, buyer_name, reference, closed_recorded_at)
SELECT CASE WHEN i %% 5 = 0 THEN 'quick_quote' ELSE 'mini_competition' END, 'published', 1,
    1 + floor(random() * (%(lots)s::int - 1))::int, 1 + i %% 20, 1,
    initcap(w[1 + floor(random() * 30)::int]) || ' ' || w[1 + floor(random() * 30)::int] || ' '
        || w[1 + floor(random() * 30)::int] || ' service ' || i,
    w[1 + floor(random() * 30)::int] || ' and ' || w[1 + floor(random() * 30)::int]
        || ' for local people',
    (SELECT string_agg(v[least(6000, floor(exp(random() * ln(6000)))::int) + 0 * g], ' ')
       FROM generate_series(1, 58 + 0 * i) AS g)
        || ' ' || w[1 + floor(random() * 30)::int] || ' ' || w[1 + floor(random() * 30)::int],
    (1 + floor(random() * 500))::bigint * 100000, 'region', r[1 + i %% 12], r[1 + i %% 12],
    i %% 7 = 0, false, 50, 40, 10, '[]', '[]', 'quality', published, deadline, false, now(),
    'Bench Council ' || (i %% 20), 'VCSE-B-' || lpad(i::text, 7, '0'),
    CASE WHEN deadline < now() THEN deadline + interval '5 minutes' END
FROM (
    SELECT i, published,
        published + make_interval(days => 10 + floor(random() * 51)::int,
                                  hours => floor(random() * 24)::int) AS deadline
    FROM (
        SELECT i, now() - interval '570 days' + interval '600 days' * i / %(n)s::int AS published
        FROM generate_series(%(first)s::int, %(last)s::int) AS i
    ) AS times
) AS o,
(SELECT %(words)s::text[] AS w, %(regions)s::text[] AS r) AS lists,
(SELECT array_agg(translate(substr(md5(k::text), 1, 4 + k %% 7), '0123456789', 'ghijklmnop')
                  ORDER BY k) AS v
   FROM generate_series(1, 6000) AS k) AS vocabulary
"""
OPPORTUNITY_BATCH = 100_000


def _insert_opportunities(conn, n, n_lots):
    conn.execute("SELECT setseed(0.42)")
    for first in range(0, n, OPPORTUNITY_BATCH):
        started = time.perf_counter()
        conn.execute(
            OPPORTUNITIES_SQL,
            {
                "lots": n_lots,
                "n": n,
                "first": first,
                "last": min(n, first + OPPORTUNITY_BATCH) - 1,
                "words": WORDS,
                "regions": REGIONS,
            },
        )
        conn.commit()
        print(f"opportunities {first:,}+: {time.perf_counter() - started:.1f}s", flush=True)


def time_publish(url, lot_number):
    """Publish a draft to the big lot in-process and time the committing transaction."""
    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from dps.models import Lot
    from lots.opportunities import services as opportunities

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "QUEUE_BACKEND": "inline",
            "MAIL_BACKEND": "outbox",
            "SEARCH_CACHE_SECONDS": 0,
        },
    )  # no Redis here (see below)
    with app.app_context():
        user = db.session.get(User, 1)
        lot = db.session.execute(db.select(Lot).where(Lot.number == lot_number)).scalar_one()
        buyer = db.session.get(
            __import__("app.organisations.models", fromlist=["x"]).Organisation, 1
        )
        deadline = (datetime.now(timezone.utc) + timedelta(days=20)).replace(
            hour=12, minute=0, second=0, microsecond=0
        )
        while deadline.weekday() >= 5:
            deadline += timedelta(days=1)
        draft = opportunities.create_draft(
            user,
            buyer,
            lot,
            title="Bench publish",
            summary="s",
            description="d",
            estimated_value_pence=1_000_000,
            submission_deadline=deadline,
        )
        opportunities.set_questions(
            user,
            draft,
            [
                {"kind": "quality", "text": "Q", "weight": 40},
                {"kind": "social_value", "text": "SV", "weight": 10},
            ],
        )
        app.config["QUEUE_BACKEND"] = "rq"  # the emails are a job; we time the transaction
        app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # unreachable: enqueue is skipped
        started = time.perf_counter()
        invited = opportunities.publish(user, draft, acknowledge_bank_holiday=True)
        elapsed = time.perf_counter() - started
        db.engine.dispose()
    return invited, elapsed


def varying(path_expression, threads):
    """wrk script lines: each request asks for a different URL (no two the same in a run, across
    threads), built by the Lua expression ``path_expression`` from the request's number ``i``."""
    return f"""
local words = {{{", ".join(f'"{w}"' for w in WORDS)}}}
local regions = {{{", ".join(f'"{r}"' for r in REGIONS)}}}
local sorts = {{"closing", "newest", "value_high", "value_low"}}
local started = 0
function setup(thread)
  thread:set("id", started)
  started = started + 1
end
local count = 0
function request()
  count = count + 1
  local i = count * {threads} + id
  return wrk.format("GET", {path_expression})
end
"""


# Every query different: pairs of words in each region (10,800 of them).
SEARCH_MISSES = (
    '"/opportunities?q=" .. words[i % 30 + 1] .. "+" .. '
    'words[math.floor(i / 30) % 30 + 1] .. "&region=" .. '
    'regions[math.floor(i / 900) % 12 + 1] .. "&sort=relevance"'
)
# Every listing different: a lot, a region, a sort and one of the first three pages (7,056).
LISTING_MISSES = (
    '"/opportunities?lot=" .. (i % 49 + 1) .. "&region=" .. '
    'regions[math.floor(i / 49) % 12 + 1] .. "&sort=" .. '
    'sorts[math.floor(i / 588) % 4 + 1] .. "&page=" .. '
    "(math.floor(i / 2352) % 3 + 1)"
)


STOPWORDS = {"and", "for", "local", "people", "service", "the"}


def realistic_urls(url, n, n_lots, seed=7):
    """``n`` different search URLs drawn as suppliers search: one to three words from a notice's
    own text (half from its title and summary, half from its description), half of them with a
    region or a lot, a tenth paging past page 5, a tenth of closed or all statuses, a quarter
    sorted other than by relevance. No two the same."""
    rnd = random.Random(seed)
    with psycopg.connect(url) as conn:
        top = conn.execute("SELECT max(id) FROM opportunities").fetchone()[0]
        ids = [rnd.randint(1, top) for _ in range(n)]
        rows = conn.execute(
            "SELECT title, summary, description FROM opportunities WHERE id = ANY(%s)", [ids]
        ).fetchall()
    urls, tries = [], 0
    seen = set()
    while len(urls) < n and tries < n * 20:
        tries += 1
        title, summary, description = rnd.choice(rows)

        def words(text):
            return sorted({w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in STOPWORDS})

        heading, body = words(f"{title} {summary}"), words(description)
        if not heading or not body:  # (one published by an earlier run's publishing bench)
            continue
        chosen = []
        for _ in range(rnd.randint(1, 3)):
            pool = heading if rnd.random() < 0.5 else body
            word = rnd.choice(pool)
            if word not in chosen:
                chosen.append(word)
        params = [("q", " ".join(chosen))]
        where = rnd.random()
        if where < 0.25:
            params.append(("region", rnd.choice(REGIONS)))
        elif where < 0.5:
            params.append(("lot", str(rnd.randint(1, n_lots - 1))))
        status = rnd.random()
        if status < 0.05:
            params.append(("status", "closed"))
        elif status < 0.1:
            params.append(("status", "all"))
        if rnd.random() < 0.25:
            params.append(("sort", rnd.choice(["closing", "newest", "value_high", "value_low"])))
        paging = rnd.random()
        if paging < 0.1:
            params.append(("page", str(rnd.randint(6, 10))))
        elif paging < 0.25:
            params.append(("page", str(rnd.randint(2, 5))))
        path = "/opportunities?" + urlencode(params)
        if path not in seen:
            seen.add(path)
            urls.append(path)
    return urls


def in_process_searches(description):
    """What the benches that time searches in process share: their command line (``--database``
    that this bench seeded, ``--urls``, ``--lots``), the app on that database, its URL and each
    realistic URL with the filters the search page reads from it."""
    from urllib.parse import parse_qsl, urlsplit

    from werkzeug.datastructures import MultiDict

    from app import create_app
    from lots.search import queries

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", default="vcse_bench_search")
    parser.add_argument("--urls", type=int, default=600)
    parser.add_argument("--lots", type=int, default=50)
    args, _theirs = parser.parse_known_args()  # (a bench's own options besides)
    url = admin_url().rsplit("/", 1)[0] + "/" + args.database
    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    searches = [
        (path, queries.parse(MultiDict(parse_qsl(urlsplit(path).query))))
        for path in realistic_urls(url, args.urls, args.lots)
    ]
    return app, url, searches


def empty_results_cache():
    """Empty the served app's Redis database (the bench's own, as ``production_env`` sets it)."""
    import redis

    redis.Redis.from_url(production_env("")["REDIS_URL"]).flushdb()


def median_round(rounds):
    """The (/hello, mix) pair of the round whose ratio is the median (the lower middle one of
    an even number)."""
    ordered = sorted(rounds, key=lambda pair: pair[1]["rps"] / pair[0]["rps"])
    return ordered[(len(ordered) - 1) // 2]


def ratio_range(rounds):
    ratios = [varied["rps"] / hello["rps"] for hello, varied in rounds]
    return f"{min(ratios):.3f}-{max(ratios):.3f}"


def from_list(urls, threads):
    """wrk script lines: each request asks for the next URL of ``urls`` (threads interleaved, so
    no two requests ask the same until the list runs out)."""
    listed = ",\n".join('"' + u.replace('"', '\\"') + '"' for u in urls)
    return f"""
local urls = {{{listed}}}
local total = #urls
local started = 0
function setup(thread)
  thread:set("id", started)
  started = started + 1
end
local count = 0
function request()
  count = count + 1
  return wrk.format("GET", urls[(count * {threads} + id) % total + 1])
end
"""


def profile(url, urls, others=()):
    """Where a request's time goes, in this process (no cache, no gunicorn): the whole request
    through the test client, the search query, the lot list, rendering the results column and
    the page; then EXPLAIN ANALYZE of the slowest searches' SQL."""
    import statistics

    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from lots.search import queries, views

    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            "WTF_CSRF_ENABLED": False,
        },
    )  # with the results cache on, as in production (every URL is new, so it never answers)
    spent = {}

    def timed(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent[label] = spent.get(label, 0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(queries, "search", "search SQL")
    timed(queries, "lot_choices", "lot list")
    timed(views, "_results_column", "results column (render)")
    timed(views, "_filter_panel", "filter panel")
    timed(views, "render_template", "page (render)")
    statements = []
    redis_calls = []
    import redis

    for owner, name in ((redis.Redis, "execute_command"), (redis.client.Pipeline, "execute")):

        def counted(self, *a, _original=getattr(owner, name), _name=name, **k):
            if _name == "execute" or not isinstance(self, redis.client.Pipeline):
                redis_calls.append(_name)
            return _original(self, *a, **k)

        setattr(owner, name, counted)

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def keep(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        client = app.test_client()
        per_url = []
        for path in urls[:5]:  # warm up
            client.get(path)
        for path in urls:
            spent.clear()
            statements.clear()
            redis_calls.clear()
            started = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            total = time.perf_counter() - started
            per_url.append((total, dict(spent), path, list(statements), len(redis_calls)))
        labels = ["search SQL", "lot list", "results column (render)", "filter panel"]
        labels.append("page (render)")
        totals = [p[0] for p in per_url]
        print(
            f"\n{len(urls)} requests in process: median {statistics.median(totals) * 1000:.1f}"
            f" ms, p95 {statistics.quantiles(totals, n=20)[-1] * 1000:.1f} ms"
        )
        rounds = [len(p[3]) for p in per_url]
        print(
            f"  SQL statements a request: mean {statistics.mean(rounds):.2f}, max {max(rounds)}"
            f" ({sum(1 for r in rounds if r > 1)} of {len(rounds)} requests made more than one);"
            f" Redis round trips: mean {statistics.mean(p[4] for p in per_url):.2f}"
        )
        for label in labels:
            values = [p[1].get(label, 0) for p in per_url]
            print(
                f"  {label:28} median {statistics.median(values) * 1000:6.1f} ms, "
                f"p95 {statistics.quantiles(values, n=20)[-1] * 1000:6.1f} ms, "
                f"share {sum(values) / sum(totals):.0%}"
            )
        if os.environ.get("BENCH_CPROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for path in others:  # new to the cache too
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            if os.environ["BENCH_CPROFILE"].endswith(".prof"):  # for pstats or snakeviz
                profiler.dump_stats(os.environ["BENCH_CPROFILE"])
        per_url.sort(key=lambda p: p[1].get("search SQL", 0), reverse=True)
        with engine.connect() as conn:
            for _total, parts, path, stmts, _redis in per_url[:4]:
                print(f"\n{path}: search {parts.get('search SQL', 0) * 1000:.1f} ms")
                for statement, parameters in stmts:
                    if "opportunities" not in statement:
                        continue
                    plan = conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
                    ).all()
                    print("\n".join("    " + r[0] for r in plan))
        db.engine.dispose()


def seeded(url, n):
    try:
        with psycopg.connect(url) as conn:
            # (publishing in an earlier run added a couple)
            return n <= conn.execute("SELECT count(*) FROM opportunities").fetchone()[0] < n + 10
    except psycopg.Error:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=20_000)
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--big-lot", type=int, default=5_000)
    parser.add_argument("--publish-lot", type=int, default=50_000, help="a second, bigger lot")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=3, help="of /hello and the new-query mix in turn, at -c16"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="vcse_bench_search", help="made afresh each run")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database if it already holds the data"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="profile N searches, no wrk")
    parser.add_argument("--seed-only", action="store_true", help="seed (timed), measure nothing")
    parser.add_argument(
        "--only", choices=["varied", "all"], default="all", help="varied: only the new mix"
    )
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{args.database}"
    started = time.perf_counter()
    seed_seconds = index_seconds = None
    if not (args.reuse and seeded(url, args.opportunities)):
        url = fresh_database(args.database)
        migrate(url)
        index_seconds = seed(
            url, args.opportunities, args.suppliers, args.lots, args.big_lot, args.publish_lot
        )
        seed_seconds = time.perf_counter() - started
        print(f"seeded in {seed_seconds:.1f}s")
    if args.seed_only:
        return
    urls = realistic_urls(url, 20_000, args.lots)
    if args.profile:
        profile(url, urls[: args.profile], urls[args.profile : 2 * args.profile])
        return
    load_before = os.getloadavg()[0]
    server = Gunicorn(production_env(url), workers=args.workers)
    c = args.connections
    try:
        wrk(server.url + "/hello", seconds=3, connections=c)  # warm up
        # Warm up each worker's templates and filter controls on other URLs than those measured.
        wrk(server.url, 5, c, lua=from_list(urls[len(urls) // 2 :], 2))
        rounds = []
        for _round in range(args.rounds):
            # /hello and the mix in turn, each round on an empty results cache (no entry or
            # "asked before" mark left by the round before): the shared machine's speed drifts
            # from one minute to the next, so one ratio from one pair of runs is luck.
            hello = wrk(server.url + "/hello", args.seconds, c)
            empty_results_cache()
            varied = wrk(server.url, args.seconds, c, lua=from_list(urls[: len(urls) // 2], 2))
            rounds.append((hello, varied))
        hello, varied = median_round(rounds)
        hello4 = wrk(server.url + "/hello", args.seconds, 4)
        empty_results_cache()
        varied4 = wrk(server.url, args.seconds, 4, lua=from_list(urls[: len(urls) // 2][::-1], 2))
        if args.only == "all":
            query = "/opportunities?q=community+care&region=TLE&sort=relevance"
            wrk(server.url + query, seconds=3, connections=c)
            search = wrk(server.url + query, args.seconds, c)
            listing = wrk(server.url + "/opportunities", args.seconds, c)
            listing_misses = wrk(server.url, args.seconds, c, lua=varying(LISTING_MISSES, 2))
    finally:
        server.stop()
    for number, (hello_n, varied_n) in enumerate(rounds, 1):
        print(f"round {number}: hello -c{c} {hello_n}\n  varied -c{c} {varied_n}")
    print("hello -c16", hello, "\nvaried -c16", varied, "\nhello -c4", hello4)
    print("varied -c4", varied4)
    scale = (
        f"{args.opportunities:,} opportunities, {args.workers} gunicorn workers; 2 shared cores "
        f"with other work running (load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end): noisy, read the ratios, not the absolute figures"
    )
    cmd = "`.venv/bin/python bench/search_bench.py`"
    if args.opportunities != 100_000:
        cmd = f"`.venv/bin/python bench/search_bench.py --opportunities {args.opportunities}`"
    n = f"{args.opportunities:,}"
    rows = [
        (
            f"Search, {n} opportunities: bare /hello route, wrk -c{c} and -c4 (baseline)",
            cmd,
            f"{hello['rps']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms at -c{c}; "
            f"{hello4['rps']:.0f} req/s, p95 {hello4['p95_ms']:.1f} ms at -c4 ({scale})",
            "1.00",
        ),
        (
            f"Search, {n} opportunities: a different realistic query every request, "
            f"throughput at -c{c}",
            cmd,
            f"{varied['rps']:.0f} req/s, p95 {varied['p95_ms']:.1f} ms, "
            f"p99 {varied['p99_ms']:.1f} ms, {varied['errors']:.0f} errors (1-3 words from the "
            "notices, half with a region or lot, a tenth past page 5, a tenth closed or all)",
            f"{varied['rps'] / hello['rps']:.2f} of /hello, the median of {len(rounds)} rounds "
            f"in turn (range {ratio_range(rounds)}; goal ≥ 0.15)",
        ),
        (
            f"Search, {n} opportunities: a different realistic query every request, p95 at -c4",
            cmd,
            f"p95 {varied4['p95_ms']:.1f} ms, p50 {varied4['p50_ms']:.1f} ms, "
            f"p99 {varied4['p99_ms']:.1f} ms, {varied4['rps']:.0f} req/s "
            f"(goal p95 < {50 if args.opportunities <= 100_000 else 100} ms)",
            f"{varied4['p95_ms'] / hello4['p95_ms']:.1f}× /hello p95; "
            f"{varied4['rps'] / hello4['rps']:.2f} of its throughput",
        ),
    ]
    if seed_seconds is not None:
        rows.append(
            (
                f"Search, {n} opportunities: seeding and index build",
                cmd,
                f"{seed_seconds:.0f} s to migrate, load by COPY and VACUUM ANALYZE "
                f"(of which {index_seconds or 0:.0f} s building the search indexes)",
                "",
            )
        )
    if args.only == "all":
        rows += [
            (
                "Search page (q + region + relevance), the same URL each time: throughput",
                cmd,
                f"{search['rps']:.0f} req/s, p95 {search['p95_ms']:.1f} ms, "
                f"{search['errors']:.0f} errors (the results cache answers)",
                f"{search['rps'] / hello['rps']:.2f} of /hello (goal ≥ 0.50)",
            ),
            (
                "Opportunities listing (no query, open, closing soonest), the same URL each "
                "time: throughput",
                cmd,
                f"{listing['rps']:.0f} req/s, p95 {listing['p95_ms']:.1f} ms",
                f"{listing['rps'] / hello['rps']:.2f} of /hello",
            ),
            (
                "Opportunities listing, different filters each request (no words; results "
                "cache never hit): throughput",
                cmd,
                f"{listing_misses['rps']:.0f} req/s, p95 {listing_misses['p95_ms']:.1f} ms, "
                f"{listing_misses['errors']:.0f} errors",
                f"{listing_misses['rps'] / hello['rps']:.2f} of /hello",
            ),
        ]
        for lot_number, size in ((args.lots, args.big_lot), (args.lots + 1, args.publish_lot)):
            invited, publish_seconds = time_publish(url, lot_number)
            print(f"publish invited={invited} seconds={publish_seconds:.3f}")
            rows.append(
                (
                    f"Publish to a lot of {size:,} admitted suppliers: commit time",
                    cmd,
                    f"{publish_seconds * 1000:.0f} ms for {invited:,} invitations (goal < 2 s)",
                    f"{publish_seconds / 2:.2f} of the 2 s goal",
                )
            )
    record(rows)


if __name__ == "__main__":
    main()
