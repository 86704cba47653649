"""The spend report pages timed in process, on a database ``spend_bench.py`` seeded: each whole
request (view, queries, template) through the app's test client, signed in as the operator.

    .venv/bin/python bench/spend_profile.py [--database vcse_bench_spend] [-n 9]
        medians of each page after one untimed
    .venv/bin/python bench/spend_profile.py --profile buyer      cProfile of five requests
    .venv/bin/python bench/spend_profile.py --queries buyer      each query's time (ALLQ=1: all)
"""

import argparse
import cProfile
import os
import pstats
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import production_env

_db = sys.argv[sys.argv.index("--database") + 1] if "--database" in sys.argv else "vcse_bench_spend"
DB = f"postgresql+psycopg://postgres@127.0.0.1:5432/{_db}"
env = production_env(
    DB,
    SIGNIN_LIMIT_PER_ADDRESS="100000 per minute",
    SESSION_COOKIE_SECURE="false",
    BASE_URL="http://localhost",
    DATABASE_STATEMENT_TIMEOUT="0",
)
os.environ.update(env)
import psycopg  # noqa: E402

from app import create_app  # noqa: E402

app = create_app()
with psycopg.connect(DB.replace("+psycopg", "")) as c:
    buyer = c.execute("SELECT id FROM organisations WHERE name='Bench Council'").fetchone()[0]
client = app.test_client()
page = client.get("/sign-in", base_url="http://localhost")
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
r = client.post(
    "/sign-in",
    data={"csrf_token": token, "email": "bench@council.example", "password": "bench password 2026"},
    base_url="http://localhost",
)
assert r.status_code == 302, r.status_code
pages = {
    "buyer": f"/buyer/{buyer}/spend?year=2024",
    "dps": "/admin/spend?year=2024",
    "place": "/admin/spend/places/west-yorkshire?year=2024",
    "integrity": "/admin/integrity",
    "suppliers.csv": f"/buyer/{buyer}/spend/suppliers.csv?year=2024",
    "categories.xlsx": f"/buyer/{buyer}/spend/categories.xlsx?year=2024",
    "gaps.csv": f"/buyer/{buyer}/spend/gaps.csv?year=2024",
    "place.csv": "/admin/spend/places/west-yorkshire.csv?year=2024",
    "buyer:upload": f"/buyer/{buyer}/spend?year=2024&source=upload",
    "buyer:dps": f"/buyer/{buyer}/spend?year=2024&source=dps_contract",
    "dps:upload": "/admin/spend?year=2024&source=upload",
    "place:upload": "/admin/spend/places/west-yorkshire?year=2024&source=upload",
    "suppliers.csv:upload": f"/buyer/{buyer}/spend/suppliers.csv?year=2024&source=upload",
}
ap = argparse.ArgumentParser()
ap.add_argument("--profile")
ap.add_argument("--queries")
ap.add_argument("-n", type=int, default=7)
ap.add_argument("--database", default="vcse_bench_spend")
a = ap.parse_args()


def get(path):
    r = client.get(path, base_url="http://localhost")
    assert r.status_code == 200, (path, r.status_code)
    return r


if a.queries:
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    log = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _b(conn, cursor, statement, params, context, many):
        conn.info["t"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _a(conn, cursor, statement, params, context, many):
        log.append(((time.perf_counter() - conn.info["t"]) * 1000, statement))

    path = pages[a.queries]
    get(path)
    for _ in range(3):
        log.clear()
        s0 = time.perf_counter()
        get(path)
        total = (time.perf_counter() - s0) * 1000
    print(f"total {total:.1f} ms, {len(log)} queries, {sum(t for t, _ in log):.1f} ms in them")
    for t, st in sorted(log, reverse=True)[:12] if not os.environ.get("ALLQ") else log:
        print(f"{t:7.1f}  {' '.join(st.split())[:300]}")
elif a.profile:
    path = pages[a.profile]
    get(path)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(5):
        get(path)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)
else:
    for name, path in pages.items():
        get(path)
        t = []
        for _ in range(a.n):
            s = time.perf_counter()
            get(path)
            t.append((time.perf_counter() - s) * 1000)
        t.sort()
        print(
            f"{name:16} median {t[len(t) // 2]:7.1f} ms  min {t[0]:7.1f}  max {t[-1]:7.1f}",
            flush=True,
        )
    print("load", open("/proc/loadavg").read().strip())
