"""The varied search mix under wrk, this checkout against another, served in turn on the same data.

    for side in base:main new:HEAD; do git worktree add /tmp/${side%%:*} ${side#*:}
        cp -r app/static/build /tmp/${side%%:*}/app/static/; ln -s $PWD/.venv /tmp/${side%%:*}/; done
    cd /tmp/new && /work/main/.venv/bin/python bench/search_wrk_ab.py /tmp/base
        [--database vcse_bench_search] [--rounds 3] [--seconds 10] [--connections 16]

Serve both sides from worktrees made alike: this checkout in /work/main against a fresh
worktree in /tmp once gave /hello 20 % faster on the /work/main side in every round
(``bench/RESULTS.md``, session 22). Uses the database ``bench/search_bench.py`` seeded and its
realistic URLs (a different query every request). Each round serves each checkout in a random
order under gunicorn (4 workers, each checkout's ``.venv``: link the same one), empties the
results cache first (so that no round answers from an earlier one's entries), measures /hello,
warms the workers on other URLs, then drives the mix at -c16 (``--connections``). Beside each
figure: the CPU each kind of process spent per request (the gunicorn workers, the PostgreSQL
backends, Redis), read from /proc before and after. The shared machine is noisy from one run
to the next: read the figures of one round side by side, and the median of the rounds.
"""

import argparse
import os
import random
import statistics
from pathlib import Path

import redis
from common import ROOT, Gunicorn, admin_url, production_env, wrk
from search_bench import from_list, realistic_urls

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_kind():
    """CPU seconds so far of each process now running, by kind (ended ones are not counted)."""
    seconds = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if name.startswith("postgres") or "postgres" in command:
            kind = "postgres"
        elif "gunicorn" in command:
            kind = "gunicorn"
        elif "redis" in name:
            kind = "redis"
        else:
            continue
        seconds[(pid, kind)] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def per_request(before, after, requests):
    spent = {}
    for (pid, kind), seconds in after.items():
        spent[kind] = spent.get(kind, 0) + seconds - before.get((pid, kind), 0)
    return {kind: seconds * 1000 / requests for kind, seconds in spent.items()}


def run(root, url, urls, seconds, redis_url, connections=16):
    redis.Redis.from_url(redis_url).flushdb()
    server = Gunicorn(production_env(url, REDIS_URL=redis_url), workers=4, root=root)
    try:
        hello = wrk(server.url + "/hello", seconds, connections)
        wrk(server.url, 5, connections, lua=from_list(urls[len(urls) // 2 :], 2))
        before = cpu_by_kind()
        varied = wrk(server.url, seconds, connections, lua=from_list(urls[: len(urls) // 2], 2))
        cpu = per_request(before, cpu_by_kind(), max(varied["requests"], 1))
    finally:
        server.stop()
    return {"hello": hello, "varied": varied, "cpu": cpu}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other", help="another checkout's root (its own app/, lots/ ...)")
    parser.add_argument("--database", default="vcse_bench_search")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    url = f"{admin_url().rsplit('/', 1)[0]}/{args.database}"
    urls = realistic_urls(url, 20_000, args.lots)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    roots = {"this": ROOT, "other": Path(args.other).resolve()}
    results = {name: [] for name in roots}
    for round_number in range(1, args.rounds + 1):
        for name in random.sample(list(roots), len(roots)):
            figures = run(roots[name], url, urls, args.seconds, redis_url, args.connections)
            results[name].append(figures)
            varied, hello, cpu = figures["varied"], figures["hello"], figures["cpu"]
            print(
                f"round {round_number} {name:5}: {varied['rps']:6.1f} req/s "
                f"(p50 {varied['p50_ms']:.1f}, p95 {varied['p95_ms']:.1f} ms, "
                f"{varied['errors']:.0f} errors), /hello "
                f"{hello['rps']:.0f} req/s, ratio {varied['rps'] / hello['rps']:.3f}; CPU a request: "
                + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in sorted(cpu.items())),
                flush=True,
            )
    for name, runs in results.items():
        ratios = [r["varied"]["rps"] / r["hello"]["rps"] for r in runs]
        cpu = {
            kind: statistics.median(r["cpu"].get(kind, 0) for r in runs)
            for kind in ("gunicorn", "postgres", "redis")
        }
        print(
            f"{name} ({roots[name]}): ratio to /hello median {statistics.median(ratios):.3f} "
            f"(range {min(ratios):.3f}-{max(ratios):.3f}), varied median "
            f"{statistics.median(r['varied']['rps'] for r in runs):.1f} req/s, p95 "
            f"{statistics.median(r['varied']['p95_ms'] for r in runs):.1f} ms; median CPU a "
            "request: " + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in cpu.items())
        )


if __name__ == "__main__":
    main()
