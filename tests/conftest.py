"""Test fixtures on real services: PostgreSQL, Redis and an SMTP server, started when missing.

The test database is built by running the migrations, as production is. Each test starts from
empty tables (truncated after it), an empty Redis database and an empty SMTP sink.
"""
import os
import re
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.services import Postgres, Redis
from tests.smtp import SMTPServer

# Parallel test runs on one machine each take their own Redis database.
REDIS_TEST_DB = int(os.environ.get("TEST_REDIS_DB", "9"))


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


@pytest.fixture(scope="session")
def database_url(postgres):
    """A fresh database for this test session, made by running the migrations."""
    name = f"vcse_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres.admin_url.rsplit("/", 1)[0]
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://")
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
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


@pytest.fixture
def make_app(test_config):
    """Build an app on the test services, with extra settings for this test."""
    apps = []

    def _make(**overrides):
        app = create_app("test", {**test_config, **overrides})
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _truncate(app):
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.session.execute(sa.text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def app(make_app, redis_server):
    app = make_app()
    import redis as redis_lib
    redis_lib.Redis.from_url(redis_server.url(REDIS_TEST_DB)).flushdb()
    with app.app_context():
        yield app
        db.session.rollback()
    _truncate(app)
    redis_lib.Redis.from_url(redis_server.url(REDIS_TEST_DB)).flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_jobs(app):
    """Run every queued RQ job with a real worker in burst mode, in this process."""
    from rq import SimpleWorker
    from app.queue import redis_connection, rq_queue

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
    from tests.factories import PASSWORD

    class Auth:
        def sign_in(self, email, password=PASSWORD):
            return forms.post("/sign-in", {"email": email, "password": password})

        def sign_out(self):
            return forms.post("/sign-out")

    return Auth()
