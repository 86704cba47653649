"""The OCDS API: 100 releases a page with a cursor in links.next, ?since= as a changes feed,
records, JSON errors with a 4xx status, and the bulk file."""

import base64
import gzip
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import psycopg
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.replica import ENGINE
from app.timeutil import as_utc
from publishing import api_views, bulk, standard
from publishing.models import Notice
from tests.conftest import FreshContextClient

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _release(n, ocid):
    return {
        "ocid": ocid,
        "id": f"{ocid}-UK4-{n}",
        "date": (START + timedelta(minutes=n)).isoformat(),
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {"id": f"T{n}", "title": f"Call-off {n}"},
    }


def _notices():
    """205 published notices, a minute apart, the last five at the same moment."""
    rows = []
    for n in range(1, 206):
        ocid = f"ocds-vcsedp-T{n:04d}"
        moment = START + timedelta(minutes=min(n, 200))
        rows.append(
            Notice(
                notice_type="UK4",
                event="call_off_published",
                regime="procurement_act_2023",
                ocid=ocid,
                version=1,
                release_id=f"{ocid}-UK4-1",
                release=_release(n, ocid),
                created_at=moment,
                published_at=moment,
                title=f"Call-off {n}",
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    return rows


@pytest.fixture
def many(app):
    return _notices()


def _pages(client, url):
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json"
        package = response.get_json()
        assert standard.errors(package, "release-package") == []
        seen.append(package)
        url = package.get("links", {}).get("next")
    return seen


def test_pages_of_100_follow_the_cursor_without_a_gap_or_a_repeat(client, many):
    pages = _pages(client, "/api/ocds/releases")
    assert [len(p["releases"]) for p in pages] == [100, 100, 5]
    ids = [r["tender"]["id"] for p in pages for r in p["releases"]]
    assert ids == [f"T{n}" for n in range(1, 206)]
    assert "links" not in pages[-1]


def test_since_is_a_changes_feed(client, many):
    since = (START + timedelta(minutes=150)).isoformat().replace("+00:00", "Z")
    pages = _pages(client, f"/api/ocds/releases?since={since}")
    ids = [r["tender"]["id"] for p in pages for r in p["releases"]]
    assert ids == [f"T{n}" for n in range(150, 206)]
    assert client.get("/api/ocds/releases?since=2099-01-01T00:00:00Z").get_json()["releases"] == []
    # A date is the start of that day in the market's timezone (London: UTC+0 in November).
    day = START.date().isoformat()
    by_date = _pages(client, f"/api/ocds/releases?since={day}")
    midnight = START.replace(hour=0, minute=0, second=0, microsecond=0)
    by_moment = _pages(client, f"/api/ocds/releases?since={midnight:%Y-%m-%dT%H:%M:%SZ}")
    ids = [[r["id"] for r in package["releases"]] for package in by_date]
    assert ids[0] and ids == [[r["id"] for r in package["releases"]] for package in by_moment]


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=yesterday", "since"),
        ("since=2026-11-02T09:00:00", "since"),
        ("since=2026-13-02", "since"),
        ("cursor=%%%", "cursor"),
    ],
)
def test_a_bad_parameter_is_a_json_error_naming_it(client, query, field):
    response = client.get(f"/api/ocds/releases?{query}")
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == field and error["message"]


def test_a_record_and_an_unknown_one(client, many):
    response = client.get("/api/ocds/records/ocds-vcsedp-T0007")
    package = response.get_json()
    assert standard.errors(package, "record-package") == []
    [record] = package["records"]
    assert record["compiledRelease"]["tender"]["title"] == "Call-off 7"
    assert record["compiledRelease"]["tag"] == ["compiled"]
    missing = client.get("/api/ocds/records/ocds-vcsedp-nothing")
    assert missing.status_code == 404 and missing.get_json()["errors"][0]["field"] == "ocid"


def test_the_bulk_file_has_every_release_as_a_line(client, many):
    missing = client.get("/api/ocds/releases.jsonl.gz")
    assert missing.status_code == 404 and missing.get_json()["errors"]
    assert bulk.write_bulk_file() == 205
    response = client.get("/api/ocds/releases.jsonl.gz")
    assert response.status_code == 200
    lines = gzip.decompress(response.get_data()).decode().splitlines()
    assert [json.loads(line)["tender"]["id"] for line in lines] == [f"T{n}" for n in range(1, 206)]


def test_each_release_is_spliced_as_stored_and_one_line_in_the_bulk_file(client, many):
    """Pages and the bulk file use the JSON text as stored, not parsed and written again; text
    stored with line breaks (written indented) is still one line of the bulk file."""
    stored = db.session.execute(
        db.select(bulk.sa.cast(Notice.release, bulk.sa.Text)).where(Notice.id == many[0].id)
    ).scalar_one()
    body = client.get("/api/ocds/releases").get_data(as_text=True)
    assert stored in body
    assert bulk.line('{\n  "id": "a\\nb",\n  "tag": ["tender"]\n}') == (
        '{"id":"a\\nb","tag":["tender"]}'
    )
    assert bulk.line({"id": "é"}) == '{"id":"é"}'


PUBLISHED = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


def _expected_page(app, path, since=None, after=None):
    """A page's body, byte for byte, as the API has always written it: the package's metadata
    (``links.next`` with a cursor of the last release's moment and id) written compactly, then
    the releases' stored JSON texts, oldest first, from ``since`` and after ``after``'s row."""
    rows = db.session.execute(
        db.select(Notice.id, Notice.published_at, db.cast(Notice.release, db.Text))
        .where(Notice.published_at.is_not(None))
        .order_by(Notice.published_at, Notice.id)
    ).all()
    rows = [r for r in rows if since is None or r.published_at >= since]
    if after is not None:
        rows = rows[[r.id for r in rows].index(after) + 1 :]
    package = {
        "uri": f"http://localhost{path}",
        "version": "1.1",
        "publishedDate": PUBLISHED.isoformat(),
        "publisher": {"name": app.config["OPERATOR_NAME"]},
        "license": standard.PUBLISHER_LICENCE,
        "extensions": list(standard.EXTENSIONS.values()),
    }
    page = rows[:100]
    if len(rows) > 100:
        last = page[-1]
        raw = f"{as_utc(last.published_at).isoformat()}|{last.id}".encode()
        args = {"cursor": base64.urlsafe_b64encode(raw).decode().rstrip("=")}
        if since is not None:
            args["since"] = since.isoformat().replace("+00:00", "Z")
        package["links"] = {
            "next": "http://localhost/api/ocds/releases?" + urlencode(args, safe="!$'()*,/:;?@")
        }
    head = json.dumps(package, ensure_ascii=False, separators=(",", ":"))
    return (head[:-1] + ',"releases":[' + ",".join(r[2] for r in page) + "]}").encode()


NON_ASCII = (
    '{"ocid": "ocds-vcsedp-T9999", "id": "ocds-vcsedp-T9999-UK4-1", '
    '"tender": {"title": "Café – Ωmega 🙂 “quoted”"}}'
)


def _add_release_as_text(text, moment):
    """A published notice whose release is stored as exactly ``text`` (not written by json.dumps:
    here with UTF-8 characters, not escapes)."""
    release = sa.literal(text, sa.Text)
    if db.engine.dialect.name == "postgresql":
        release = sa.cast(release, sa.JSON)
    db.session.execute(
        sa.insert(Notice.__table__).values(
            notice_type="UK4",
            event="call_off_published",
            regime="procurement_act_2023",
            ocid="ocds-vcsedp-T9999",
            version=1,
            release_id="ocds-vcsedp-T9999-UK4-1",
            release=release,
            created_at=moment,
            published_at=moment,
            title="Café",
        )
    )
    db.session.commit()


def _page_bodies_match(app, client, monkeypatch):
    """Every page of the cursor and of a changes feed (one release among them with UTF-8 text
    beyond ASCII), and an empty page, as _expected_page writes them."""
    monkeypatch.setattr(api_views, "utcnow", lambda: PUBLISHED)
    _add_release_as_text(NON_ASCII, START + timedelta(minutes=300))
    since = START + timedelta(minutes=50)
    since_text = since.isoformat().replace("+00:00", "Z")
    checked = 0
    for path, since_at in (
        ("/api/ocds/releases", None),
        (f"/api/ocds/releases?since={since_text}", since),
    ):
        after = None
        while path:
            body = client.get(path).get_data()
            assert body == _expected_page(app, path, since_at, after)
            package = json.loads(body)
            after = db.session.execute(
                db.select(Notice.id).where(Notice.ocid == package["releases"][-1]["ocid"])
            ).scalar_one()
            path = package.get("links", {}).get("next", "").replace("http://localhost", "")
            checked += 1
    assert checked == 3 + 2
    assert NON_ASCII.encode() in body  # the last page's
    later = START + timedelta(days=400)
    path = f"/api/ocds/releases?since={later.isoformat().replace('+00:00', 'Z')}"
    body = client.get(path).get_data()
    assert body == _expected_page(app, path, later) and json.loads(body)["releases"] == []


def test_each_page_is_the_same_bytes_as_ever(app, client, many, monkeypatch):
    """The page is read with one SELECT on a connection of its own (no transaction), its
    statement built once: what it writes is unchanged, to the byte, on every page of the
    cursor and of a changes feed."""
    _page_bodies_match(app, client, monkeypatch)


def test_each_page_is_the_same_bytes_on_sqlite(sqlite_app, monkeypatch):
    """``make run``'s SQLite too: its moments come back without a timezone, and the cursor's
    moment and ``since`` are compared as stored."""
    _notices()
    client = FreshContextClient(sqlite_app, sqlite_app.response_class)
    _page_bodies_match(sqlite_app, client, monkeypatch)


def test_a_page_is_one_statement_on_the_replica_when_there_is_one(app, make_app, many, monkeypatch):
    """On PostgreSQL the page's SELECT runs on the pooled connection's psycopg connection (no
    SQLAlchemy execute events): counted here at psycopg's cursor, by whose pool lent it."""
    replicated = make_app(DATABASE_REPLICA_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    replica_engine = replicated.extensions[ENGINE]
    lent, executed = {}, []
    real_execute = psycopg.Cursor.execute

    def execute(cursor, query, *args, **kwargs):
        executed.append((cursor.connection, str(query)))
        return real_execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    with replicated.app_context():
        for name, engine in (("replica", replica_engine), ("primary", db.engine)):
            sa.event.listen(
                engine, "checkout", lambda dbapi, *a, n=name: lent.__setitem__(id(dbapi), n)
            )
        try:
            replicated.test_client().get("/api/ocds/releases")  # connects (the dialect asks)
            executed.clear()
            package = replicated.test_client().get("/api/ocds/releases").get_json()
        finally:
            replica_engine.dispose()
    assert len(package["releases"]) == 100
    seen = {"replica": [], "primary": []}
    for connection, query in executed:
        if query.strip() != ";":  # a connection tested as it is lent (app.pinging)
            seen[lent[id(connection)]].append(query)
    [statement] = seen["replica"]
    assert "FROM notices" in statement and seen["primary"] == []
