"""The OCDS release pages, this checkout's against another checkout's, served side by side on the
same data, with the bare ``/hello`` route as the baseline in the same rounds.

    git worktree add --detach /tmp/ocds_base main && ln -s "$PWD/.venv" /tmp/ocds_base/.venv
    .venv/bin/python bench/ocds_ab.py /tmp/ocds_base [--rounds 4] [--seconds 5]
        [--other-database NAME]

``--other-database``: serve the other checkout on another database (a copy of the same data
stored differently, say before a migration), to compare the data rather than the code.

Uses the database ``bench/ocds_bench.py`` seeded (run it once first; it keeps the database with
``--reuse``). Both checkouts are served under gunicorn at once, each with its own workers; each
round drives, in a random order, ``/hello`` and the page of 100 releases (a different moment on
each request, as ocds_bench.py does) on this checkout and the page on the other, at -c16 and at
-c4, so that the shared machine's load falls on all of them alike. Prints each one's median over
the rounds and the ratios to /hello; writes nothing to RESULTS.md (copy the figures by hand).
"""

import argparse
import os
import random
import statistics
import sys

from common import Gunicorn, admin_url, production_env, wrk
from ocds_bench import DATABASE, seeded_notices, since_lua


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other", help="another checkout of the project (with its .venv)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--other-database", help="the other checkout's database (same data)")
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{DATABASE}"
    count = seeded_notices(url, 100_000) or seeded_notices(url, 10_000)
    if not count:
        sys.exit(f"No releases in {DATABASE}: run bench/ocds_bench.py first")
    env = production_env(url, SEARCH_CACHE_SECONDS="0")
    servers = {}
    try:
        servers["this"] = Gunicorn(env, workers=args.workers)
        other_env = env
        if args.other_database:
            other_url = f"{admin_url().rsplit('/', 1)[0]}/{args.other_database}"
            other_env = production_env(other_url, SEARCH_CACHE_SECONDS="0")
        servers["other"] = Gunicorn(other_env, workers=args.workers, root=args.other)
        lua = since_lua(count, 2)
        runs = {
            "hello": (servers["this"].url + "/hello", ""),
            "this": (servers["this"].url, lua),
            "other": (servers["other"].url, lua),
        }
        for path, script in runs.values():
            wrk(path, 3, 16, lua=script)  # warm up every worker
        figures = {}
        load = [os.getloadavg()[0]]
        for connections in (16, 4):
            for _ in range(args.rounds):
                for name in random.sample(list(runs), len(runs)):
                    path, script = runs[name]
                    result = wrk(path, args.seconds, connections, lua=script)
                    figures.setdefault((connections, name), []).append(result)
            load.append(os.getloadavg()[0])
    finally:
        for server in servers.values():
            server.stop()
    for connections in (16, 4):
        hello = statistics.median(r["rps"] for r in figures[(connections, "hello")])
        for name in runs:
            results = figures[(connections, name)]
            rps = statistics.median(r["rps"] for r in results)
            p95 = statistics.median(r["p95_ms"] for r in results)
            ratios = " ".join(
                f"{r['rps'] / h['rps']:.2f}"
                for r, h in zip(results, figures[(connections, "hello")], strict=True)
            )
            print(
                f"-c{connections} {name:5}: {rps:6.0f} req/s, p95 {p95:7.1f} ms (medians of "
                f"{len(results)}); {rps / hello:.2f} of /hello (each round: {ratios})"
            )
    print("load average " + "-".join(f"{x:.1f}" for x in load))


if __name__ == "__main__":
    sys.exit(main())
