"""How long PostgreSQL takes to plan a new search against how long it takes to run it, and how
much of the planning the indexes the searches never use cost.

    cd bench && ../.venv/bin/python search_planning.py [--database vcse_bench_search] [--urls 150]

Uses the database ``bench/search_bench.py`` seeded and its realistic URLs (every one different):
each search is run in process to catch the SQL it sends, and each statement is then explained
(``EXPLAIN (ANALYZE, SUMMARY)``) on a connection set as the app's are. Then, in a transaction
that is rolled back, the indexes of ``opportunities`` that none of those statements' plans uses
are dropped (not those a constraint needs) and the same statements planned again. Prints; does
not write bench/RESULTS.md.
"""

import re
import statistics

import psycopg
from search_bench import in_process_searches
from sqlalchemy import event

SETTINGS = ("SET plan_cache_mode = force_custom_plan", "SET random_page_cost = 1.1")  # the app's
INDEX = re.compile(r"\b((?:ix|pk|uq)_\w+)")


def caught_statements(app, searches):
    from app.extensions import db
    from app.timeutil import utcnow
    from lots.search import queries

    sent = []
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def keep(conn, cursor, statement, parameters, context, executemany):
            sent.append((statement, parameters))

        for _path, filters in searches:
            queries.search(filters, utcnow())
    return sent


def explained(conn, statements, analyze):
    """(planning ms, execution ms or None, the plan's text) of each statement."""
    options = "ANALYZE, SUMMARY, TIMING OFF" if analyze else "SUMMARY"
    found = []
    for statement, parameters in statements:
        rows = conn.execute(f"EXPLAIN ({options}) {statement}", parameters, prepare=False)
        text = "\n".join(row[0] for row in rows)
        planning = float(re.search(r"Planning Time: ([\d.]+)", text).group(1))
        execution = re.search(r"Execution Time: ([\d.]+)", text)
        found.append((planning, float(execution.group(1)) if execution else None, text))
    return found


def summary(values):
    return f"mean {statistics.mean(values):.3f} ms, median {statistics.median(values):.3f} ms"


def main():
    app, url, searches = in_process_searches(__doc__)
    statements = caught_statements(app, searches[:150])
    with psycopg.connect(url) as conn:
        for setting in SETTINGS:
            conn.execute(setting)
        plans = explained(conn, statements, analyze=True)
        print(f"{len(statements)} statements of {min(150, len(searches))} searches")
        print("planning  ", summary([p for p, _e, _t in plans]))
        print("execution ", summary([e for _p, e, _t in plans]))
        used = {name for _p, _e, text in plans for name in INDEX.findall(text)}
        every = [
            row[0]
            for row in conn.execute(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = 'opportunities'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)"
            )
        ]
        unused = [name for name in every if name not in used]
        print(
            f"indexes of opportunities (no constraint's): {len(every)}; unused by these plans: {unused}"
        )
        with_all = explained(conn, statements, analyze=False)
        for name in unused:
            conn.execute(f'DROP INDEX "{name}"')
        without = explained(conn, statements, analyze=False)
        conn.rollback()
        print("planning with every index   ", summary([p for p, _e, _t in with_all]))
        print("planning without the unused ", summary([p for p, _e, _t in without]))


if __name__ == "__main__":
    main()
