"""The OCDS API: release packages (100 a page, a cursor in ``links.next``, ``?since=`` for a
changes feed), a record package per contracting process, and the bulk file of every release.
Everything here is published notices' frozen releases: nothing sealed, private or unpublished.
Errors are JSON, ``{"errors": [{"field": ..., "message": ...}]}``, with a 4xx status."""

import base64
import binascii
import json
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, redirect, request, url_for

from app.extensions import csrf
from app.replica import read_engine
from app.storage import ObjectMissing, StorageUnavailable, get_storage
from app.timeutil import as_utc, local_tz, utcnow
from publishing import bulk, standard
from publishing.models import Notice
from publishing.page_reads import read_page
from publishing.records import record_for

bp = Blueprint("publishing_api", __name__, url_prefix="/api/ocds")
csrf.exempt(bp)

PAGE_SIZE = 100


class BadRequest(Exception):
    def __init__(self, field, message, status=400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


@bp.errorhandler(BadRequest)
def _bad_request(exc):
    return json_response({"errors": [{"field": exc.field, "message": exc.message}]}, exc.status)


def json_response(data, status=200):
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def package_meta(uri):
    config = current_app.config
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": utcnow().isoformat(),
        "publisher": {"name": config["OPERATOR_NAME"]},
        "license": standard.PUBLISHER_LICENCE,
        "extensions": list(standard.EXTENSIONS.values()),
    }


def _cursor(published_at, notice_id):
    raw = f"{published_at.isoformat()}|{notice_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse_cursor(value):
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, notice_id = raw.split("|")
        return as_utc(datetime.fromisoformat(moment)), int(notice_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor", "The cursor is not one this API gave: start again without it")


def _parse_since(value):
    """A moment with its timezone, or a date: the start of that day where the market is."""
    if len(value) == 10:
        try:
            return as_utc(datetime.combine(date.fromisoformat(value), time(), local_tz()))
        except ValueError:
            pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            "since", "Give since as a date and time, like 2026-12-01T09:00:00Z, or a date"
        )
    if moment.tzinfo is None:
        raise BadRequest("since", "Give since with its timezone, like 2026-12-01T09:00:00Z")
    return as_utc(moment)


def release_text():
    """A release as the text it was stored as (``json`` keeps it as written): a page splices
    these into its package rather than parsing and writing each one again."""
    return sa.cast(Notice.release, sa.Text)


def package_with_releases(package, texts):
    """The package as JSON (UTF-8 bytes) with ``texts`` (each a release's JSON, UTF-8 bytes)
    as its ``releases``."""
    head = json.dumps(package, ensure_ascii=False, separators=(",", ":")).encode()
    return b"".join((head[:-1], b',"releases":[', b",".join(texts), b"]}"))


def _page_query(since, cursor):
    """The SELECT of a page of releases (and one more, to know whether there is a next page),
    from ``since`` and after the ``cursor``'s release when given: built once for each of the
    four combinations, its values bound at each request. ``published_at`` is read as it comes
    (only the last row's is turned to UTC, for the cursor)."""
    key = (since, cursor)
    query = _PAGE_QUERIES.get(key)
    if query is None:
        moment_type = Notice.published_at.type
        query = (
            sa.select(
                Notice.id,
                sa.type_coerce(Notice.published_at, sa.DateTime(timezone=True)).label("moment"),
                release_text().label("release"),
            )
            .where(Notice.published_at.is_not(None))
            .order_by(Notice.published_at, Notice.id)
            .limit(PAGE_SIZE + 1)
        )
        if since:
            query = query.where(Notice.published_at >= sa.bindparam("since", type_=moment_type))
        if cursor:
            query = query.where(
                sa.tuple_(Notice.published_at, Notice.id)
                > sa.tuple_(
                    sa.bindparam("moment", type_=moment_type),
                    sa.bindparam("notice_id", type_=sa.Integer()),
                )
            )
        query = _PAGE_QUERIES[key] = query
    return query


_PAGE_QUERIES = {}


@bp.route("/releases")
def releases():
    """Every published release, oldest first; ``since`` starts from a moment (a changes feed)."""
    params = {}
    since = request.args.get("since")
    if since:
        params["since"] = _parse_since(since)
    cursor = request.args.get("cursor")
    if cursor:
        params["moment"], params["notice_id"] = _parse_cursor(cursor)
    page, more = read_page(read_engine(), _page_query(bool(since), bool(cursor)), params, PAGE_SIZE)
    package = package_meta(request.url)
    if more:
        args = {"cursor": _cursor(page.last_moment, page.last_id)}
        if since:
            args["since"] = since
        package["links"] = {"next": url_for(".releases", _external=True, **args)}
    body = package_with_releases(package, page.texts)
    return Response(body, mimetype="application/json")


@bp.route("/records/<path:ocid>")
def record(ocid):
    found = record_for(ocid)
    if found is None:
        raise BadRequest("ocid", "There is no contracting process with this ocid", 404)
    package = package_meta(request.url)
    package["records"] = [found]
    return json_response(package)


@bp.route("/releases.jsonl.gz")
def bulk_file():
    """The bulk file the scheduled job last wrote (JSON Lines, gzipped)."""
    storage = get_storage()
    try:
        if not getattr(storage, "streams", True):
            if not storage.exists(bulk.KEY):
                raise ObjectMissing(bulk.KEY)
            return redirect(storage.presigned_url(bulk.KEY, bulk.FILENAME, "application/gzip"))
        handle = storage.open(bulk.KEY)
    except ObjectMissing:
        raise BadRequest("file", "The bulk file has not been written yet: try again tomorrow", 404)
    except StorageUnavailable:
        raise BadRequest("file", "The bulk file cannot be read just now: try again later", 503)

    def chunks():
        with handle:
            while chunk := handle.read(64 * 1024):
                yield chunk

    return Response(
        chunks(),
        mimetype="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{bulk.FILENAME}"'},
    )
