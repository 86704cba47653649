"""PostgreSQL's planning and execution of a new search's statements, by kind of statement.

    cd bench && ../.venv/bin/python search_by_statement.py [--database vcse_bench_search]
        [--urls 400]

Uses the database ``bench/search_bench.py`` seeded and its realistic URLs (every one different):
each search runs in process to catch the SQL it sends, and each statement is then explained
(``EXPLAIN (ANALYZE, SUMMARY, TIMING OFF)``, the best of three) on a connection set as the app's
are. Groups them by the statement ``lots.search.queries._built`` made (``found``, the first look
above a ``floor``, the ``walk``, the closed or all ``parts``, and those without words) and prints
each group's mean planning and execution, its share of the whole, and its slowest. Prints; does not write
bench/RESULTS.md: say in the row what it was run against (for an A/B, run it in each checkout).
"""

import argparse
import re
import statistics
from collections import defaultdict

import psycopg
from search_bench import in_process_searches
from search_planning import SETTINGS, caught_statements

TIMES = re.compile(r"(Planning|Execution) Time: ([\d.]+)")


def kind(statement):
    for parameter, name in (
        ("walk_bound", "walk"),
        ("floor", "first look"),
        ("past_ids", "parts"),
        ("reach", "parts, in order"),
    ):
        if f"%({parameter})" in statement:
            return name
    return "found" if "@@" in statement else "no words"


def best_of(conn, statement, parameters, runs=3):
    """(planning ms, execution ms) of the fastest of ``runs`` explained runs."""
    best = None
    for _ in range(runs):
        rows = conn.execute(
            f"EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) {statement}", parameters, prepare=False
        )
        times = dict(TIMES.findall("\n".join(row[0] for row in rows)))
        planning, execution = float(times["Planning"]), float(times["Execution"])
        if best is None or planning + execution < sum(best):
            best = (planning, execution)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=400)
    args, _ = parser.parse_known_args()
    app, url, searches = in_process_searches(__doc__)
    statements = caught_statements(app, searches[: args.urls])
    by_kind = defaultdict(list)
    with psycopg.connect(url) as conn:
        for setting in SETTINGS:
            conn.execute(setting)
        for statement, parameters in statements:
            by_kind[kind(statement)].append(best_of(conn, statement, parameters))
    planning = sum(p for times in by_kind.values() for p, _e in times)
    execution = sum(e for times in by_kind.values() for _p, e in times)
    print(
        f"{len(statements)} statements of {min(args.urls, len(searches))} searches: planning "
        f"{planning:.0f} ms, execution {execution:.0f} ms in all"
    )
    for name, times in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        plans, runs = [p for p, _e in times], [e for _p, e in times]
        print(
            f"  {name:16} {len(times):4}: planning mean {statistics.mean(plans):.3f} ms "
            f"({sum(plans) / planning:.0%} of all), execution mean {statistics.mean(runs):.3f} ms "
            f"({sum(runs) / execution:.0%}); the slowest planned {max(plans):.3f} ms, "
            f"ran {max(runs):.3f} ms"
        )


if __name__ == "__main__":
    main()
