"""The slowest realistic searches, in process: each URL's ``lots.search.queries.search`` timed
on its second run (the first warms the connection, the built statements and the pages it reads),
with the median, mean, p90, p95 and p99, and the slowest 40 URLs.

    .venv/bin/python bench/search_slowest.py [--database vcse_bench_search] [--urls 600]

Uses the database ``bench/search_bench.py`` seeded (``--seed-only``) and its realistic URLs.
Prints, does not write bench/RESULTS.md: say in the row what it was run against.
"""

import statistics
import time

from search_bench import in_process_searches


def main():
    from lots.search import queries

    app, _url, searches = in_process_searches(__doc__)
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
