"""The slowest realistic searches, in process: each URL's ``lots.search.queries.search`` timed
on its second run (the first warms the connection, the built statements and the pages it reads),
with the median, mean, p90, p95 and p99, and the slowest 40 URLs.

    .venv/bin/python bench/search_slowest.py [--database vcse_bench_search] [--urls 600]

Uses the database ``bench/search_bench.py`` seeded (``--seed-only``) and its realistic URLs.
Prints, does not write bench/RESULTS.md: say in the row what it was run against.
"""

import argparse
import statistics
import time
from urllib.parse import parse_qsl, urlsplit

from common import admin_url
from search_bench import realistic_urls
from werkzeug.datastructures import MultiDict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="vcse_bench_search")
    parser.add_argument("--urls", type=int, default=600)
    parser.add_argument("--lots", type=int, default=50)
    args = parser.parse_args()
    url = admin_url().rsplit("/", 1)[0] + "/" + args.database

    from app import create_app
    from lots.search import queries

    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    searches = [
        (u, queries.parse(MultiDict(parse_qsl(urlsplit(u).query))))
        for u in realistic_urls(url, args.urls, args.lots)
    ]
    with app.app_context():
        for _url, f in searches:
            queries.search(f)
        timed = []
        for path, f in searches:
            started = time.perf_counter()
            queries.search(f)
            timed.append(((time.perf_counter() - started) * 1000, path))
    ms = sorted(t for t, _ in timed)

    def at(share):
        return ms[min(len(ms) - 1, int(share * len(ms)))]

    print(
        f"{len(ms)} searches: median {statistics.median(ms):.1f} ms, mean {statistics.mean(ms):.1f}"
        f", p90 {at(0.9):.1f}, p95 {at(0.95):.1f}, p99 {at(0.99):.1f}, slowest {ms[-1]:.1f} ms"
    )
    for took, path in sorted(timed, reverse=True)[:40]:
        print(f"{took:7.1f}  {path}")


if __name__ == "__main__":
    main()
