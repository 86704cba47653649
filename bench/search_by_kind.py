"""Where the search query's time goes, by kind of search, in process (no page, no cache).

    .venv/bin/python bench/search_by_kind.py [--database vcse_bench_search] [--urls 1500]

Uses the database ``bench/search_bench.py`` seeded and its realistic URLs. Runs each URL's
search twice (the second timed): its time, and the Python CPU this process spent in it (the
rest is PostgreSQL and the round trips), grouped by status, whether a filter narrows it, and
whether more than 1,000 match (``Results.exact``); each group's share of all the time. Then
PostgreSQL's planning and execution time of each statement of the first 400 searches (EXPLAIN
ANALYZE with SUMMARY, timing of nodes off).
"""

import statistics
import time

from search_bench import in_process_searches
from sqlalchemy import event

from app.replica import reads
from lots.search import queries


def main():
    app, _url, searches = in_process_searches(__doc__)
    groups = {}
    with app.test_request_context():
        for _path, f in searches[:20]:  # warm up
            queries.search(f)
        for _path, f in searches:
            queries.search(f)
            cpu, started = time.thread_time(), time.perf_counter()
            results = queries.search(f)
            spent = (time.perf_counter() - started, time.thread_time() - cpu)
            narrowed = "narrowed" if queries._narrowed(f) else "words only"
            for key in (
                "all",
                "more than 1,000 match" if not results.exact else "1,000 or fewer match",
                f"{f.status}, {narrowed}",
            ):
                groups.setdefault(key, []).append(spent)
        whole = sum(wall for wall, _ in groups["all"])
        for key, spent in sorted(groups.items(), key=lambda kv: -sum(w for w, _ in kv[1])):
            walls = [wall * 1000 for wall, _ in spent]
            print(
                f"{key:26} {len(spent):5} searches: median {statistics.median(walls):5.2f} ms, "
                f"mean {statistics.mean(walls):5.2f} ms (Python CPU "
                f"{statistics.mean(cpu for _, cpu in spent) * 1000:.2f} ms), "
                f"share of all the time {sum(w for w, _ in spent) / whole:.0%}"
            )
        statements = []
        connection = reads()
        event.listen(
            connection.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, parameters, context, many: statements.append(
                (statement, parameters)
            ),
        )
        planning, execution = [], []
        for _path, f in searches[:400]:
            statements.clear()
            queries.search(f)
            for statement, parameters in list(statements):
                if "opportunities" not in statement or statement.startswith("EXPLAIN"):
                    continue
                plan = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY, FORMAT JSON) " + statement, parameters
                ).scalar()[0]
                planning.append(plan["Planning Time"])
                execution.append(plan["Execution Time"])
        print(
            f"{len(planning)} statements of {min(400, len(searches))} searches: planning mean "
            f"{statistics.mean(planning):.3f} ms (median {statistics.median(planning):.3f}), "
            f"execution mean {statistics.mean(execution):.3f} ms (median "
            f"{statistics.median(execution):.3f}); planning "
            f"{sum(planning) / (sum(planning) + sum(execution)):.0%} of PostgreSQL's time"
        )


if __name__ == "__main__":
    main()
