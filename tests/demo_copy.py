"""The demo's data (``app.demo.seed``, what `flask seed-demo` makes) for the tests that read it,
seeded once per test run and copied into each of those tests' databases.

Seeding takes 6-7 s (some 9,700 round trips to PostgreSQL), and a dozen tests only read what it
made: the crawls, the page widths, the demo's open data and API. The first of them in a run seeds
its own database as before, then keeps a copy of it (``CREATE DATABASE ... TEMPLATE``), of the
documents it stored and of what ``seed()`` returned; every later one, in any xdist worker of the
same run, replaces its database with a copy of that one (well under a second). The tests about
seeding itself (that it runs twice without adding anything, on SQLite too) still call ``seed()``.
What seeding put in Redis (the jobs it queued) is not copied: a test that needs those seeds itself.

The copy belongs to one run (``RUN``, set by the first pytest process and inherited by its xdist
workers): the demo's dates are relative to the clock, so a run with the clock a year ahead makes
its own. The process that started the run drops it at the end (``drop``), and a copy left by a run
that was killed is dropped by the next run to make one after six hours (by the real clock). The
folder of documents is named for the server too: a worker that started its own PostgreSQL (none
answered) seeds its own copy.
"""

import hashlib
import os
import pickle
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg

from app.demo import seed
from app.extensions import db
from lots.opportunities.models import Opportunity
from tests.clock import real_now

RUN_ENV = "VCSE_TEST_DEMO_RUN"
LOCK = 7_262_025  # a PostgreSQL advisory lock: one process seeds or copies at a time
STALE_SECONDS = 6 * 3600
_NAME = re.compile(r"^vcse_demo_(\d+)_[0-9a-f]+$")
_FOLDER = re.compile(r"^vcse-demo-(\d+)_[0-9a-f]+-")


def start_run():
    """The run's name, made by the first process (inherited by the xdist workers it starts)."""
    if RUN_ENV not in os.environ:
        os.environ[RUN_ENV] = f"{int(real_now().timestamp())}_{uuid.uuid4().hex[:8]}"
    return os.environ[RUN_ENV]


def _copy_name():
    return f"vcse_demo_{os.environ[RUN_ENV]}"


def _folder(admin_url):
    server = hashlib.sha256(admin_url.encode()).hexdigest()[:8]
    return Path(tempfile.gettempdir()) / f"vcse-demo-{os.environ[RUN_ENV]}-{os.getuid()}-{server}"


def seeded(app, admin_url, close_apps):
    """The demo in ``app``'s database and storage, as ``seed()`` makes it; returns what
    ``seed()`` returned, with ``to_score`` loaded in this session. ``close_apps`` ends every
    connection the test's apps hold (its database is replaced)."""
    database = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    storage = Path(app.config["STORAGE_LOCAL_PATH"])
    copy, folder = _copy_name(), _folder(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK,))
        try:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (copy,)).fetchone():
                close_apps()
                _end_connections(conn, database)
                conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{database}" TEMPLATE "{copy}"')
                # A database's own settings are not copied with it (see tests/conftest.py).
                conn.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
                result = pickle.loads((folder / "result.pickle").read_bytes())
                if (folder / "storage").exists():
                    shutil.copytree(folder / "storage", storage, dirs_exist_ok=True)
            else:
                _drop_stale(conn)
                made = seed()
                db.session.commit()
                result = {**made, "to_score": made["to_score"] and made["to_score"].id}
                close_apps()
                _end_connections(conn, database)
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(mode=0o700)
                if storage.exists():
                    shutil.copytree(storage, folder / "storage")
                (folder / "result.pickle").write_bytes(pickle.dumps(result))
                conn.execute(f'DROP DATABASE IF EXISTS "{copy}_building"')
                conn.execute(f'CREATE DATABASE "{copy}_building" TEMPLATE "{database}"')
                conn.execute(f'ALTER DATABASE "{copy}_building" RENAME TO "{copy}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK,))
    to_score = result["to_score"] and db.session.get(Opportunity, result["to_score"])
    return {**result, "to_score": to_score}


def _end_connections(conn, database):
    conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
    )


def _drop_stale(conn):
    """Copies and folders left by runs that were killed before they could drop theirs."""
    oldest = real_now().timestamp() - STALE_SECONDS
    for (name,) in conn.execute("SELECT datname FROM pg_database").fetchall():
        found = _NAME.match(name.removesuffix("_building"))
        if found and int(found.group(1)) < oldest:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for folder in Path(tempfile.gettempdir()).glob("vcse-demo-*"):
        found = _FOLDER.match(folder.name)
        if found and int(found.group(1)) < oldest:
            shutil.rmtree(folder, ignore_errors=True)


def drop(admin_url):
    """At the end of the run (by the process that started it): its copy, on the server the
    workers shared (``admin_url``, None when none answered), and its folders."""
    if RUN_ENV not in os.environ:
        return
    if admin_url:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in (_copy_name(), f"{_copy_name()}_building"):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for folder in Path(tempfile.gettempdir()).glob(f"vcse-demo-{os.environ[RUN_ENV]}-*"):
        shutil.rmtree(folder, ignore_errors=True)
