"""The CSV of every search result, streamed.

    .venv/bin/python bench/csv_bench.py [--opportunities 100000]

Seeds a fresh PostgreSQL database as bench/search_bench.py does (100,000 published opportunities
by default), serves the app under gunicorn with one worker (so that worker's memory is the
download's), and downloads ``/opportunities.csv?status=all`` (every opportunity) over loopback:
the time to the first and the last byte, the rows and bytes, and how far the worker's resident
memory rose above what it used before (sampled every 20 ms). The baseline, in the same run:
PostgreSQL's own ``COPY (SELECT ...) TO STDOUT WITH CSV`` of the same opportunities' columns,
read by a client on the same machine. Writes its rows to bench/RESULTS.md.
"""

import argparse
import os
import threading
import time
import urllib.request
from pathlib import Path

import psycopg
from common import Gunicorn, fresh_database, production_env, record
from search_bench import migrate, seed

COMMAND = "`.venv/bin/python bench/csv_bench.py`"


def worker_pid(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def download(url, pid):
    """(seconds to the first byte, seconds to the last, bytes, rows, peak RSS in KiB)."""
    peak, done = [rss_kib(pid)], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size = rows = 0
    first = None
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.status == 200, response.status
        while chunk := response.read(65536):
            first = first or time.perf_counter() - started
            size += len(chunk)
            rows += chunk.count(b"\r\n")
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return first, elapsed, size, rows - 1, peak[0]


def copy_baseline(url):
    """(seconds, bytes): PostgreSQL writing the same rows as CSV, read by a local client."""
    query = (
        "COPY (SELECT reference, title, buyer_name, summary, lot_id, kind, status, "
        "estimated_value_pence, location_code, reserved_vcse, published_at, "
        "submission_deadline, id FROM opportunities "
        "WHERE status IN ('published', 'awarded', 'cancelled', 'no_suitable_bid') "
        "ORDER BY submission_deadline, id) TO STDOUT WITH CSV HEADER"
    )
    size = 0
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor().copy(query) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=100_000)
    args = parser.parse_args()
    url = fresh_database("vcse_bench_csv")
    migrate(url)
    print(f"Seeding {args.opportunities:,} opportunities ...", flush=True)
    seed(url, args.opportunities, n_suppliers=1000, n_lots=50, big_lot_size=100)
    server = Gunicorn(production_env(url, SEARCH_CACHE_SECONDS="0"), workers=1)
    try:
        pid = worker_pid(server.proc.pid)
        # Warm the worker (imports, the lot list, the first connection) on a small download.
        download(server.url + "/opportunities.csv?q=befriending+gardening+arts", pid)
        time.sleep(0.5)
        before = rss_kib(pid)
        load_before = os.getloadavg()[0]
        first, elapsed, size, rows, peak = download(
            server.url + "/opportunities.csv?status=all", pid
        )
        after = rss_kib(pid)
        load_after = os.getloadavg()[0]
        copy_seconds, copy_size = copy_baseline(url)
    finally:
        server.stop()
    assert rows == args.opportunities, rows
    mib = size / 2**20
    print(
        f"{rows:,} rows, {mib:.1f} MiB in {elapsed:.2f} s (first byte {first * 1000:.0f} ms); "
        f"worker RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB, "
        f"after {after / 1024:.0f} MiB; COPY {copy_seconds:.2f} s for {copy_size / 2**20:.1f} MiB"
    )
    what = f"CSV of every search result ({rows:,} opportunities)"
    record(
        [
            (
                f"{what}: PostgreSQL COPY of the same rows to CSV (baseline)",
                COMMAND,
                f"{copy_seconds:.2f} s, {copy_size / 2**20:.1f} MiB",
                "1.00",
            ),
            (
                f"{what}: download time",
                COMMAND,
                f"{elapsed:.2f} s to the last byte, {first * 1000:.0f} ms to the first "
                f"({mib:.1f} MiB, {rows / elapsed:,.0f} rows/s; 1 gunicorn worker; machine load "
                f"average {load_before:.1f} at the start, {load_after:.1f} at the end)",
                f"{elapsed / copy_seconds:.1f}× COPY",
            ),
            (
                f"{what}: worker memory while streaming",
                COMMAND,
                f"peak RSS {(peak - before) / 1024:.1f} MiB above the {before / 1024:.0f} MiB "
                f"it used before (sampled every 20 ms)",
                f"{(peak - before) / 1024 / mib:.2f} of the file's size",
            ),
        ]
    )


if __name__ == "__main__":
    main()
