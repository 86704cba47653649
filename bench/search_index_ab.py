"""Searches with and without some indexes, on the same data and code, in turn.

    .venv/bin/python bench/search_index_ab.py --create new.sql --drop old.sql
        [--database vcse_bench_search] [--urls 600] [--rounds 3] [--served]

``--create`` and ``--drop`` are files of SQL statements (one per line) that put the indexes in
place and take them away; each round runs both ways, without first, with ANALYZE after each
change. In process (the default): each realistic URL's ``lots.search.queries.search`` timed on
its second run, the mean, median and p95 of each round, then the URLs that gained and lost most
(the median of their rounds). ``--served``: one gunicorn (4 workers) for every round, the results
cache emptied before each way, /hello and the varied mix at -c16 and -c4 (as
``bench/search_bench.py`` runs them). Uses the database ``bench/search_bench.py`` seeded. Prints,
does not write bench/RESULTS.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg
from common import Gunicorn, admin_url, production_env, wrk
from search_bench import from_list, in_process_searches, realistic_urls


def statements(path):
    return [line for line in Path(path).read_text().splitlines() if line.strip()]


def change(url, sql):
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in sql:
            conn.execute(statement)
        conn.execute("ANALYZE opportunities")


def in_process(ways, rounds):
    from lots.search import queries

    app, url, searches = in_process_searches(__doc__)
    times = {name: [] for name in ways}
    for round_ in range(rounds):
        for name, sql in ways.items():
            change(url, sql)
            with app.test_request_context():
                for _path, f in searches:
                    queries.search(f)
                took = []
                for _path, f in searches:
                    started = time.perf_counter()
                    queries.search(f)
                    took.append((time.perf_counter() - started) * 1000)
            times[name].append(took)
            print(
                f"round {round_} {name:8} mean {statistics.mean(took):.2f} ms, median "
                f"{statistics.median(took):.2f}, p95 {sorted(took)[int(0.95 * len(took))]:.2f}",
                flush=True,
            )
    before, after = ([statistics.median(t) for t in zip(*times[n])] for n in ways)
    paths = [path for path, _f in searches]
    moved = sorted(zip((b - a for a, b in zip(before, after)), before, after, paths))
    for title, rows in (("gained most", moved[:10]), ("lost most", moved[-10:][::-1])):
        print(title)
        for _change, a, b, path in rows:
            print(f"  {a:6.1f} -> {b:6.1f} ms  {path}")


def served(url, ways, urls, rounds):
    import redis

    half = urls[: len(urls) // 2]
    cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"))
    server = Gunicorn(production_env(url), workers=4)
    figures = {name: [] for name in ways}
    try:
        wrk(server.url + "/hello", seconds=3, connections=16)
        wrk(server.url, 5, 16, lua=from_list(urls[len(urls) // 2 :], 2))  # warm the workers
        for round_ in range(rounds):
            for name, sql in ways.items():
                change(url, sql)
                cache.flushdb()
                hello = wrk(server.url + "/hello", 8, 16)
                varied = wrk(server.url, 10, 16, lua=from_list(half, 2))
                varied4 = wrk(server.url, 8, 4, lua=from_list(half[::-1], 2))
                ratio = varied["rps"] / hello["rps"]
                figures[name].append((ratio, varied4["p95_ms"]))
                print(
                    f"round {round_} {name:8} /hello {hello['rps']:.0f} req/s, varied -c16 "
                    f"{varied['rps']:.0f} req/s ({ratio:.3f} of /hello), -c4 p95 "
                    f"{varied4['p95_ms']} ms",
                    flush=True,
                )
    finally:
        server.stop()
    for name, rows in figures.items():
        print(
            f"{name:8} medians: {statistics.median(r for r, _ in rows):.3f} of /hello, -c4 p95 "
            f"{statistics.median(p for _, p in rows)} ms"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--create", required=True)
    parser.add_argument("--drop", required=True)
    parser.add_argument("--database", default="vcse_bench_search")
    parser.add_argument("--urls", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--served", action="store_true")
    parser.add_argument("--lots", type=int, default=50)
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{args.database}"
    ways = {"without": statements(args.drop), "with": statements(args.create)}
    if args.served:
        served(url, ways, realistic_urls(url, 20_000, args.lots), args.rounds)
    else:
        in_process(ways, args.rounds)  # (its database, URLs and lots: ``in_process_searches``)
    change(url, ways["with"])  # left as the migrations make it


if __name__ == "__main__":
    sys.exit(main())
