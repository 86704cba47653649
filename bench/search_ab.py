"""The search query alone (no page), this checkout's against another version's, on the same data.

    git show integration:lots/search/queries.py > /tmp/queries_base.py
    .venv/bin/python bench/search_ab.py /tmp/queries_base.py [--database vcse_bench_search]
        [--urls 300] [--rounds 2]

Uses the database ``bench/search_bench.py`` seeded and its realistic URLs. Each URL's search runs
with both versions in a random order, ``--rounds`` times, so that the shared machine's load falls
on both alike; prints the median, p95 and mean of each URL's fastest time, for all URLs and for
those with words and a region on the open set, and this checkout's slowest ten.
"""

import argparse
import importlib.util
import random
import statistics
import time
from urllib.parse import parse_qsl

from common import admin_url
from search_bench import realistic_urls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other", help="another version of lots/search/queries.py")
    parser.add_argument("--database", default="vcse_bench_search")
    parser.add_argument("--urls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lots", type=int, default=50)
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{args.database}"
    urls = realistic_urls(url, 20_000, args.lots)[: args.urls]

    from werkzeug.datastructures import MultiDict

    from app import create_app
    from app.extensions import db
    from lots.search import queries

    spec = importlib.util.spec_from_file_location("lots.search.queries_other", args.other)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    versions = {"this": queries, "other": other}
    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    spent = {}
    exact = {}
    with app.app_context():
        searches = [(u, queries.parse(MultiDict(parse_qsl(u.split("?")[1])))) for u in urls]
        for _, f in searches[:5]:
            queries.search(f)
        for _ in range(args.rounds):
            for u, f in searches:
                for name in random.sample(list(versions), 2):
                    started = time.perf_counter()
                    results = versions[name].search(f)
                    exact[u] = results.exact
                    spent.setdefault((u, name), []).append(time.perf_counter() - started)
                    db.session.rollback()
        db.engine.dispose()
    groups = {
        "all": searches,
        "words + region, open": [
            (u, f) for u, f in searches if f.q and f.region_code and f.status == "open"
        ],
        "words, relevance, more than 1,000 match": [
            (u, f) for u, f in searches if f.q and f.sort == "relevance" and not exact[u]
        ],
        "words, relevance, 1,000 or fewer match": [
            (u, f) for u, f in searches if f.q and f.sort == "relevance" and exact[u]
        ],
        "words, other orders, more than 1,000 match": [
            (u, f) for u, f in searches if f.q and f.sort != "relevance" and not exact[u]
        ],
    }
    for label, chosen in groups.items():
        for name in versions:
            best = [min(spent[(u, name)]) for u, _ in chosen]
            print(
                f"{label} ({len(best)}), {name}: median {statistics.median(best) * 1000:.2f} ms,"
                f" p95 {statistics.quantiles(best, n=20)[-1] * 1000:.2f} ms,"
                f" mean {statistics.mean(best) * 1000:.2f} ms"
            )
    for seconds, u in sorted(((min(spent[(u, "this")]), u) for u, _ in searches), reverse=True)[
        :10
    ]:
        print(f"{seconds * 1000:7.1f} ms {u}")


if __name__ == "__main__":
    main()
