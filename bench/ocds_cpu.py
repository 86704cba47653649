"""CPU time a request costs, the OCDS release pages of this checkout and another against the bare
``/hello`` route: a figure the shared machine's load barely moves (throughput ratios do: when
other work holds the cores, ``/hello`` slows more than the pages and the ratio rises).

    .venv/bin/python bench/ocds_cpu.py /tmp/ocds_base [--rounds 3] [--seconds 8]

Uses the database ``bench/ocds_bench.py`` seeded. Each checkout is served under gunicorn on its
own (4 workers, as the other OCDS benches), one at a time, and driven by wrk -c4 for
``--seconds``; the CPU time (user + system) of its gunicorn workers and of the PostgreSQL
backends connected to the bench's database is read from /proc before and after, and divided
by the requests served. On 2 cores the throughput a route can reach is about 2 / its CPU a
request (less wrk's own share), so ``/hello``'s CPU a request over a page's is the throughput
ratio a quiet machine would show. Prints medians over the rounds; writes nothing to RESULTS.md.
"""

import argparse
import os
import random
import statistics
import sys

import psycopg
from common import Gunicorn, admin_url, production_env, wrk
from ocds_bench import DATABASE, seeded_notices, since_lua

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(p) for p in f.read().split()]
    return out


def backends(url):
    with psycopg.connect(url, autocommit=True) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (DATABASE,),
            )
        ]


def measure(server, url, path, lua, seconds):
    wrk(server.url + path, 2, 4, lua=lua)  # warm up: every worker has its connection
    pids = children(server.proc.pid) + backends(url)
    before = {p: cpu_seconds(p) for p in pids}
    result = wrk(server.url + path, seconds, 4, lua=lua)
    after = {p: cpu_seconds(p) for p in pids}
    requests = result["rps"] * seconds
    workers = sum(after[p] - before[p] for p in children(server.proc.pid) if p in before)
    database = sum(after[p] - before[p] for p in pids) - workers
    return {
        "rps": result["rps"],
        "p95": result["p95_ms"],
        "python_ms": 1000 * workers / requests,
        "pg_ms": 1000 * database / requests,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other", help="another checkout of the project (with its .venv)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{DATABASE}"
    count = seeded_notices(url, 100_000)
    if not count:
        sys.exit(f"No releases in {DATABASE}: run bench/ocds_bench.py first")
    env = production_env(url, SEARCH_CACHE_SECONDS="0")
    lua = since_lua(count, 2)
    runs = {"hello": (None, "/hello", ""), "this": (None, "", lua), "other": (args.other, "", lua)}
    figures = {}
    load = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name in random.sample(list(runs), len(runs)):
            root, path, script = runs[name]
            server = Gunicorn(env, workers=4, **({"root": root} if root else {}))
            try:
                figures.setdefault(name, []).append(
                    measure(server, url, path, script, args.seconds)
                )
            finally:
                server.stop()
    load.append(os.getloadavg()[0])
    cost = {}
    for name, results in figures.items():
        python = statistics.median(r["python_ms"] for r in results)
        pg = statistics.median(r["pg_ms"] for r in results)
        cost[name] = python + pg
        print(
            f"{name:5}: CPU {python + pg:.3f} ms a request (gunicorn {python:.3f}, PostgreSQL "
            f"{pg:.3f}); {statistics.median(r['rps'] for r in results):.0f} req/s, p95 "
            f"{statistics.median(r['p95'] for r in results):.1f} ms at -c4 (medians of "
            f"{len(results)})"
        )
    for name in ("this", "other"):
        print(f"{name}: /hello's CPU a request / its own = {cost['hello'] / cost[name]:.3f}")
    print("load average " + "-".join(f"{x:.1f}" for x in load))


if __name__ == "__main__":
    sys.exit(main())
