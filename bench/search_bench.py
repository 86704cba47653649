"""Search under load, and publishing to a big lot.

    .venv/bin/python bench/search_bench.py [--opportunities 100000] [--suppliers 20000]

Seeds a fresh PostgreSQL database with 100,000 opportunities across 50 lots and 20,000 admitted
suppliers (one lot holds 5,000 of them), serves the app under gunicorn, and drives it from a
second process with wrk: first a bare /hello route (the baseline), then the search page and the
listing (the same URL again and again, as a popular page is asked for; the results cache answers
most of them), then both with a different URL for every request (the cache never helps). Then it
times publishing an opportunity to the lot of 5,000 suppliers (the invitations are written in
the publishing transaction). Goals: search throughput at least 50% of /hello, p95 under 100 ms;
publishing commits in under 2 seconds. Writes its rows to bench/RESULTS.md.
"""

import argparse
import random
import time
from datetime import datetime, timedelta, timezone

import psycopg
from common import Gunicorn, fresh_database, production_env, record, wrk

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


def _vocabulary(rnd, size=6000):
    """Made-up words with a long tail, so text is as varied as real notices (a tiny vocabulary
    would make every notice match every query)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rnd.choice(letters) for _ in range(rnd.randint(4, 10))) for _ in range(size)]


def seed(url, n_opportunities, n_suppliers, n_lots, big_lot_size):
    rnd = random.Random(42)
    vocabulary = _vocabulary(rnd)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like
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
                for i in range(1, n_lots + 1)
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
        copy(
            conn,
            "lot_memberships",
            ["organisation_id", "lot_id", "status", "admitted_at", "status_changed_at"],
            [(o, lot, "admitted", now, now) for o, lot in sorted(memberships)],
        )

        def opportunities():
            for i in range(n_opportunities):
                title_words = rnd.sample(WORDS, 3)
                deadline = now + timedelta(days=rnd.randint(-300, 60), hours=rnd.randint(0, 23))
                yield (
                    "mini_competition" if i % 5 else "quick_quote",
                    "published",
                    1,
                    rnd.randint(1, n_lots - 1),
                    1 + i % 20,
                    1,
                    " ".join(title_words).capitalize() + f" service {i}",
                    f"{rnd.choice(WORDS)} and {rnd.choice(WORDS)} for local people",
                    " ".join(rnd.choices(vocabulary, weights, k=58) + rnd.sample(WORDS, 2)),
                    rnd.randint(1, 500) * 100_000,
                    "region",
                    REGIONS[i % 12],
                    REGIONS[i % 12],
                    i % 7 == 0,
                    False,
                    50,
                    40,
                    10,
                    "[]",
                    "[]",
                    "quality",
                    now - timedelta(days=30),
                    deadline,
                    False,
                    now,
                    f"Bench Council {i % 20}",
                    f"VCSE-B-{i:07d}",
                )

        copy(
            conn,
            "opportunities",
            [
                "kind",
                "status",
                "dps_id",
                "lot_id",
                "buyer_id",
                "created_by_id",
                "title",
                "summary",
                "description",
                "estimated_value_pence",
                "location_type",
                "location_code",
                "region_code",
                "reserved_vcse",
                "reserved_sme",
                "price_weight",
                "quality_weight",
                "social_value_weight",
                "price_schedule",
                "social_value_measures",
                "tie_break",
                "published_at",
                "submission_deadline",
                "voluntary_standstill",
                "created_at",
                "buyer_name",
                "reference",
            ],
            opportunities(),
        )
        conn.commit()
    # What autovacuum does to a table soon after a bulk load (so index-only scans work), done
    # now so that every run measures the same state.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--suppliers", type=int, default=20_000)
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--big-lot", type=int, default=5_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="vcse_bench_search", help="made afresh each run")
    args = parser.parse_args()
    url = fresh_database(args.database)
    started = time.perf_counter()
    migrate(url)
    seed(url, args.opportunities, args.suppliers, args.lots, args.big_lot)
    print(f"seeded in {time.perf_counter() - started:.1f}s")
    server = Gunicorn(production_env(url), workers=args.workers)
    try:
        wrk(server.url + "/hello", seconds=3, connections=args.connections)  # warm up
        hello = wrk(server.url + "/hello", args.seconds, args.connections)
        query = "/opportunities?q=community+care&region=TLE&sort=relevance"
        wrk(server.url + query, seconds=3, connections=args.connections)
        search = wrk(server.url + query, args.seconds, args.connections)
        listing = wrk(server.url + "/opportunities", args.seconds, args.connections)
        # The same pages when the results cache cannot help: every request asks something new.
        search_misses = wrk(
            server.url, args.seconds, args.connections, lua=varying(SEARCH_MISSES, 2)
        )
        listing_misses = wrk(
            server.url, args.seconds, args.connections, lua=varying(LISTING_MISSES, 2)
        )
    finally:
        server.stop()
    invited, publish_seconds = time_publish(url, args.lots)
    print(
        "hello",
        hello,
        "\nsearch",
        search,
        "\nlisting",
        listing,
        "\nsearch, every query different",
        search_misses,
        "\nlisting, every filter different",
        listing_misses,
        f"\npublish invited={invited} seconds={publish_seconds:.3f}",
    )
    cmd = "`.venv/bin/python bench/search_bench.py`"
    scale = (
        f"{args.opportunities:,} opportunities, {args.suppliers:,} suppliers, "
        f"{args.workers} gunicorn workers, wrk -c{args.connections}"
    )
    record(
        [
            (
                "Bare /hello route: throughput (baseline)",
                cmd,
                f"{hello['rps']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms ({scale})",
                "1.00",
            ),
            (
                "Search page (q + region + relevance): throughput",
                cmd,
                f"{search['rps']:.0f} req/s, p95 {search['p95_ms']:.1f} ms, {search['errors']:.0f} errors "
                "(the same URL each time: the results cache answers)",
                f"{search['rps'] / hello['rps']:.2f} of /hello (goal ≥ 0.50)",
            ),
            (
                "Search page p95 latency",
                cmd,
                f"{search['p95_ms']:.1f} ms (goal < 100 ms)",
                f"{search['p95_ms'] / hello['p95_ms']:.1f}× /hello p95",
            ),
            (
                "Opportunities listing (no query, open, closing soonest): throughput",
                cmd,
                f"{listing['rps']:.0f} req/s, p95 {listing['p95_ms']:.1f} ms (the same URL each time)",
                f"{listing['rps'] / hello['rps']:.2f} of /hello",
            ),
            (
                "Search page, a different query each request (results cache never hit): throughput",
                cmd,
                f"{search_misses['rps']:.0f} req/s, p95 {search_misses['p95_ms']:.1f} ms, "
                f"{search_misses['errors']:.0f} errors",
                f"{search_misses['rps'] / hello['rps']:.2f} of /hello",
            ),
            (
                "Opportunities listing, different filters each request (results cache never hit): "
                "throughput",
                cmd,
                f"{listing_misses['rps']:.0f} req/s, p95 {listing_misses['p95_ms']:.1f} ms, "
                f"{listing_misses['errors']:.0f} errors",
                f"{listing_misses['rps'] / hello['rps']:.2f} of /hello",
            ),
            (
                "Publish to a lot of 5,000 admitted suppliers: commit time",
                cmd,
                f"{publish_seconds * 1000:.0f} ms for {invited:,} invitations (goal < 2 s)",
                f"{publish_seconds / 2:.2f} of the 2 s goal",
            ),
        ]
    )


if __name__ == "__main__":
    main()
