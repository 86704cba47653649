"""How much of a new search is PostgreSQL's, and how much the app's: each realistic URL's search
run in process (``lots.search.queries.search``), then the SQL it sent replayed through psycopg
alone, on a connection set as the app's are (``plan_cache_mode=force_custom_plan``).

    .venv/bin/python bench/search_split.py [--database vcse_bench_search] [--urls 600]

Uses the database ``bench/search_bench.py`` seeded and its realistic URLs (every one different).
Prints the median, mean and p95 of each; the difference is the app building, sending and reading
the statements. Prints, does not write bench/RESULTS.md: say in the row what it was run against.
"""

import statistics
import time

import psycopg
from search_bench import in_process_searches
from sqlalchemy import event


def summary(seconds):
    ms = [s * 1000 for s in seconds]
    return (
        f"median {statistics.median(ms):.2f} ms, mean {statistics.mean(ms):.2f} ms, "
        f"p95 {statistics.quantiles(ms, n=20)[-1]:.2f} ms"
    )


def main():
    from app.extensions import db
    from lots.search import queries

    app, url, searches = in_process_searches(__doc__)
    filters = [f for _path, f in searches]
    with app.app_context():
        sent = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def keep(conn, cursor, statement, parameters, context, executemany):
            sent.append((statement, parameters))

        for f in filters[:20]:  # warm up: connections, prepared statements, built statements
            queries.search(f)
        whole, statements = [], []
        for f in filters:
            sent.clear()
            started = time.perf_counter()
            queries.search(f)
            whole.append(time.perf_counter() - started)
            statements.append(list(sent))
        db.engine.dispose()
    alone = []
    with psycopg.connect(url, options="-c plan_cache_mode=force_custom_plan") as conn:
        for sql in statements[:20]:
            for statement, parameters in sql:
                conn.execute(statement, parameters).fetchall()
        for sql in statements:
            started = time.perf_counter()
            for statement, parameters in sql:
                conn.execute(statement, parameters).fetchall()
            alone.append(time.perf_counter() - started)
    print(f"{len(filters)} realistic searches")
    print(f"  search() in process: {summary(whole)}")
    print(f"  the same SQL through psycopg alone: {summary(alone)}")


if __name__ == "__main__":
    main()
