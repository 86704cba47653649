"""Test fixtures on real services: PostgreSQL, Redis and an SMTP server, started when missing.

The test database is built by running the migrations, as production is (once per set of
migrations: each test process then copies the result). Each test starts from empty tables
(truncated after it), an empty Redis database and an empty SMTP sink.
"""

import contextvars
import hashlib
import os
import re
import uuid
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient
from flask_migrate import upgrade
from rq import SimpleWorker

from app import create_app
from app.extensions import db, limiter
from app.queue import redis_connection, rq_queue
from tests import clock, demo_copy, speed
from tests.factories import PASSWORD
from tests.pages import fieldsets_without_legend
from tests.services import Postgres, Redis
from tests.smtp import SMTPServer

# Parallel test runs on one machine each take their own Redis database.
# Under pytest-xdist each worker (gw0, gw1 ...) takes the next one.
REDIS_TEST_DB = int(os.environ.get("TEST_REDIS_DB", "9")) + int(
    os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0
)

_session_clock = None


def pytest_configure(config):
    """TEST_CLOCK_AHEAD_DAYS=N: the whole session runs N days ahead (see tests/clock.py). Started
    before collection, so module-level dates are ahead too."""
    global _session_clock
    _session_clock = clock.start_session_clock()
    speed.install()
    demo_copy.start_run()


# The longest tests, longest first (seconds each on this two-core machine, measured alone). They
# run first, so while one xdist worker is on the longest the other works through the rest, and the
# run does not end with one worker on a two-minute crawl and the other idle.
LONG_FIRST = (
    "tests/app/test_hostile_input.py",  # ~120 s: seeds the demo and crawls it as every account
    "tests/e2e/test_page_widths.py",  # ~90 s
    "tests/app/test_page_integrity.py",  # ~45 s
    "tests/e2e/test_award_journey.py",  # ~27 s
    "tests/e2e/test_opportunity_journey.py",
    "tests/e2e/test_pipeline_journey.py",
    "tests/e2e/test_admission_journey.py",
    # Each of these seeds the demo (6-7 s) or, after the first, copies it (tests/demo_copy.py).
    "tests/app/test_demo_tour.py",
    "tests/app/test_sqlite_journey.py",
    "tests/notifications/test_alerts_sqlite.py",
    "tests/app/organisations/test_demo.py",
    "tests/insight/test_demo.py",
    "tests/insight/test_wish_demo.py",
    "tests/publishing/api/test_demo.py",
    "tests/publishing/test_demo_open_data.py",
)


def _long_rank(item):
    path = item.nodeid.split("::", 1)[0]
    return LONG_FIRST.index(path) if path in LONG_FIRST else len(LONG_FIRST)


def pytest_runtest_setup(item):
    """Each test, whatever its fixtures, takes kept connections reset (tests/speed.py)."""
    speed.next_test()


def pytest_collection_modifyitems(session, config, items):
    """The known-long tests first (a stable sort: the rest keep their order). Every xdist worker
    sorts alike, so their collections still agree."""
    items.sort(key=_long_rank)


def pytest_sessionfinish(session):
    """The process that started the run (not an xdist worker) drops the run's copy of the demo,
    on the server the workers shared (a server a worker started is gone with it)."""
    if not hasattr(session.config, "workerinput"):
        demo_copy.drop(Postgres.running())


def pytest_unconfigure(config):
    if _session_clock is not None:
        _session_clock.stop()


def pytest_report_header(config):
    if clock.ahead_days():
        return f"clock: {clock.ahead_days():g} days ahead of the real one ({clock.AHEAD_ENV})"


@pytest.fixture
def real_clock():
    """The app's clock is the real one for this test, even in a session run ahead: for tests that
    race the database's clock (clock_timestamp(), which time-machine cannot move)."""
    with time_machine.travel(clock.real_now(), tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def redis_server():
    r = Redis()
    yield r
    r.stop()


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TEMPLATE_LOCK = 7_262_024  # a PostgreSQL advisory lock: one process builds the template at a time


def _migrated_template(postgres):
    """The name of a database the migrations have been run on, built by the first test process
    to need it and copied by every other (CREATE DATABASE ... TEMPLATE). Its name carries a digest
    of the migrations, so a changed migration builds a new one. Running the migrations took each
    test process about 12 s; a copy takes well under one."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    name = f"vcse_template_{digest.hexdigest()[:16]}"
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (TEMPLATE_LOCK,))
        try:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return name
            building = f"{name}_building"
            conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{building}"')
            app = create_app("test", {"SQLALCHEMY_DATABASE_URI": _url(postgres, building)})
            with app.app_context():
                upgrade()
                db.engine.dispose()
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            return name
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (TEMPLATE_LOCK,))


def _url(postgres, name):
    base = postgres.admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture(scope="session")
def database_url(postgres):
    """A fresh database for this test session: a copy of the migrated template."""
    template = _migrated_template(postgres)
    name = f"vcse_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (TEMPLATE_LOCK,))
        try:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (TEMPLATE_LOCK,))
        # A throwaway database: a commit need not wait for the disk (durability is PostgreSQL's,
        # not something these tests check), which makes the suite's thousands of commits cheap.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    yield _url(postgres, name)
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    smtp_server.sink.clear()
    yield smtp_server.sink
    smtp_server.sink.clear()


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-compatible server over HTTP, as the app's boto3 client sees a real S3."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    server.endpoint = f"http://{host}:{port}"
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server):
    """A fresh private bucket for one test; returns (boto3 client, bucket name, app settings)."""
    import boto3

    client = boto3.client(
        "s3",
        region_name="eu-west-2",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings = {
        "STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_REGION": "eu-west-2",
        "S3_ENDPOINT_URL": s3_server.endpoint,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }
    yield client, bucket, settings


@pytest.fixture
def test_config(database_url, redis_server, smtp_server, tmp_path):
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_server.url(REDIS_TEST_DB),
        "RATELIMIT_STORAGE_URI": redis_server.url(REDIS_TEST_DB),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "STORAGE_LOCAL_PATH": str(tmp_path / "storage"),
        "BASE_URL": "http://localhost",
    }


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production. The ``app`` fixture keeps one app
    context pushed for the whole test, and Flask would reuse it for requests, so ``g`` (Flask-WTF's
    CSRF token, Flask-Login's user) and the database session would leak from one request to the
    next. Running each request in an empty context makes Flask push a fresh one."""

    def open(self, *args, **kwargs):
        # A streamed body (a CSV download) is read here too, in the request's own context, as a
        # WSGI server reads it: read later, it would end the request's context in another one,
        # and its database connection would never go back to the pool. (tests.pages.streamed
        # reads one chunk by chunk.)
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if response.mimetype == "text/html" and not response.is_streamed:
            # Every page any test loads: each fieldset has a legend with text.
            missing = fieldsets_without_legend(response.get_data(as_text=True))
            assert not missing, f"a fieldset without a legend on {response.request.path}: {missing}"
        return response


@pytest.fixture
def make_app(test_config):
    """Build an app on the test services, with extra settings for this test."""
    apps = []

    def _make(**overrides):
        app = create_app("test", {**test_config, **overrides})
        app.test_client_class = FreshContextClient
        apps.append(app)
        return app

    _make.apps = apps
    yield _make
    _close_all(apps)


def _close_all(apps):
    for app in apps:
        with app.app_context():
            db.session.remove()
            speed.release(db.engine)


_cleaners = {}


def _open_list():
    from datetime import datetime, timezone

    from app.measures.open_list import open_list_rows

    now = datetime.now(timezone.utc)
    return [{**r, "created_at": now} for r in open_list_rows()]


def _truncate(url):
    """Empty every table and restart every sequence, as TRUNCATE ... RESTART IDENTITY would, but
    about ten times faster: only the tables that hold rows are emptied, by DELETE with triggers
    (the foreign keys' and the audit log's guards) switched off for this transaction. Connections a
    test left in a transaction or a statement (a thread, a worker) would hold locks, so they are
    ended first; idle ones hold none (the app takes only transaction-level advisory locks), and the
    tests' kept engines (tests/speed.py) keep theirs. This cleaner keeps its own connection."""
    if url not in _cleaners:
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        probe = " UNION ALL ".join(
            f"SELECT '{t}' FROM (SELECT 1 FROM \"{t}\" LIMIT 1) AS rows_{i}"
            for i, t in enumerate(tables)
        )
        _cleaners[url] = (
            sa.create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True),
            sa.text(probe),
        )
    engine, probe = _cleaners[url]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state <> 'idle'"
            )
        )
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        emptied = [table for (table,) in conn.execute(probe).all()]
        for table in emptied:
            conn.execute(sa.text(f'DELETE FROM "{table}"'))
        if "social_value_measures" in emptied:
            # Reference rows the migration seeds: every test starts with the open list.
            conn.execute(db.metadata.tables["social_value_measures"].insert(), _open_list())
        conn.execute(
            sa.text(
                "SELECT setval(c.oid, s.seqstart, false) FROM pg_class c "
                "JOIN pg_sequence s ON s.seqrelid = c.oid WHERE c.relkind = 'S'"
            )
        )


@pytest.fixture
def app(make_app, redis_server):
    app = make_app()
    redis_lib.Redis.from_url(redis_server.url(REDIS_TEST_DB)).flushdb()
    with app.app_context():
        yield app
        db.session.rollback()
    _close_all(make_app.apps)
    _truncate(app.config["SQLALCHEMY_DATABASE_URI"])
    redis_lib.Redis.from_url(redis_server.url(REDIS_TEST_DB)).flushdb()
    # The limiter is one object for every app in the process: a test that stopped its Redis must
    # not leave the next test counting on the in-memory fallback.
    limiter._storage_dead = False


@pytest.fixture
def seeded_demo(app, make_app, postgres):
    """The demo's data (what `flask seed-demo` makes) in this test's database and storage, seeded
    once per run and copied (tests/demo_copy.py); returns what ``app.demo.seed()`` returns. For
    tests that read the demo; those about seeding call ``seed()`` themselves."""

    def close_apps():
        db.session.remove()
        _close_all(make_app.apps)

    return demo_copy.seeded(app, postgres.admin_url, close_apps)


@pytest.fixture
def sqlite_app(tmp_path):
    """The app as `make run` builds it: development settings, SQLite, every job inline."""
    app = create_app(
        "development",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            "STORAGE_LOCAL_PATH": str(tmp_path / "storage"),
            "BASE_URL": "http://localhost",
        },
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Run every queued RQ job with a real worker in burst mode, in this process."""

    def _run():
        worker = SimpleWorker([rq_queue()], connection=redis_connection())
        worker.work(burst=True)

    return _run


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browserless:
    """Submit forms the way a browser does: GET the page, take its CSRF token, POST."""

    def __init__(self, client):
        self.client = client

    def csrf(self, url):
        page = self.client.get(url)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1)

    def post(self, url, data=None, follow_redirects=False, form_url=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(form_url or url))
        return self.client.post(url, data=data, follow_redirects=follow_redirects, **kwargs)


@pytest.fixture
def forms(client):
    return Browserless(client)


@pytest.fixture
def auth(client, forms):
    class Auth:
        def sign_in(self, email, password=PASSWORD):
            return forms.post("/sign-in", {"email": email, "password": password})

        def sign_out(self):
            return forms.post("/sign-out")

    return Auth()


# --- The email outbox: an app that sends through the real aiosmtpd server, and a throwaway Redis
# that a test may stop and start again. ------------------------------------------------------


@pytest.fixture
def smtp_app(app, make_app, smtp):
    """An app whose emails go to the test SMTP server (its host and port are in test_config).
    Depends on ``app`` so that the tables and Redis are emptied after the test."""
    smtp_app = make_app(MAIL_BACKEND="smtp")
    with smtp_app.app_context():
        yield smtp_app
        db.session.rollback()


class ThrowawayRedis(Redis):
    """A redis-server of this test's own, on a free port, that can be stopped and restarted."""

    def __init__(self):
        self.proc = None
        self.start()


@pytest.fixture
def throwaway_redis():
    server = ThrowawayRedis()
    yield server
    server.stop()
