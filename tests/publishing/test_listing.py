"""The public list of published notices (publishing.listing and /notices): newest first, a page
at a time by cursor, of one kind if asked; an unknown kind or a made-up cursor is a plain message."""

from datetime import datetime, timedelta, timezone

import pytest

from app.errors import ServiceError
from app.extensions import db
from publishing import listing
from publishing.models import Notice
from tests.pages import error_links, heading, soup, table_rows, text

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def add(title, minutes, kind="UK4", published=True):
    notice = Notice(
        notice_type=kind,
        event="call_off_published",
        regime="pa2023",
        ocid=f"ocds-test-{title}",
        title=title,
        release_id=f"ocds-test-{title}-1" if published else None,
        release={"buyer": {"name": "Leeds City Council"}} if published else None,
        published_at=START + timedelta(minutes=minutes) if published else None,
        due_on=None if published else START.date(),
    )
    db.session.add(notice)
    db.session.flush()
    return notice


@pytest.fixture
def published(app):
    """Nine published notices, three of them at the same moment, and one not yet published."""
    made = [
        add("a", 0),
        add("b", 5, "UK6"),
        add("c", 5),
        add("d", 5),
        add("e", 9, "UK6"),
        add("f", 12),
        add("g", 12, "UK7"),
        add("h", 30),
        add("i", 31, "UK6"),
    ]
    add("draft", 60, published=False)
    db.session.commit()
    return made


def newest_first(notices):
    return [n.title for n in sorted(notices, key=lambda n: (n.published_at, n.id), reverse=True)]


def walk(kind=None, per_page=2):
    titles, cursor, pages = [], None, 0
    while True:
        page = listing.published(kind, cursor, per_page=per_page)
        titles += [n.title for n in page.notices]
        pages += 1
        if page.next_cursor is None:
            return titles, pages
        cursor = page.next_cursor


def test_pages_hold_every_published_notice_once_newest_first_ties_by_id(published):
    titles, pages = walk()
    assert titles == newest_first(published)
    assert pages == 5
    assert "draft" not in titles
    for per_page in (1, 3, 9, 10):
        assert walk(per_page=per_page)[0] == newest_first(published)


def test_one_kind_only(published):
    titles, _ = walk("UK6")
    assert titles == newest_first([n for n in published if n.notice_type == "UK6"])
    assert walk("UK12") == ([], 1)


def test_a_notice_published_while_reading_does_not_push_one_seen_onto_the_next_page(published):
    first = listing.published(per_page=3)
    add("late", 90)
    db.session.commit()
    rest = listing.published(cursor=first.next_cursor, per_page=20)
    assert [n.title for n in first.notices + rest.notices] == newest_first(published)
    assert listing.published(per_page=1).notices[0].title == "late"


@pytest.mark.parametrize(
    "cursor", ["nonsense", "12-", "-3", "1-2-3", "99999999999999999999999-1", "5-0", "x-1"]
)
def test_a_cursor_the_product_did_not_make_is_refused(published, cursor):
    with pytest.raises(ServiceError) as refused:
        listing.published(cursor=cursor)
    assert refused.value.field == "cursor"


def test_an_unknown_kind_is_refused(published):
    with pytest.raises(ServiceError) as refused:
        listing.published("UK99")
    assert refused.value.field == "kind"


def test_the_page_lists_notices_and_links_each(published, client):
    response = client.get("/notices")
    assert response.status_code == 200
    assert heading(response) == "Notices"
    rows = table_rows(response, "notices")
    assert [row[1] for row in rows] == newest_first(published)
    assert rows[0][2].startswith("Contract award notice") and rows[0][3] == "Leeds City Council"
    link = soup(response).find("a", string="i")
    assert link["href"] == "/notices/ocds-test-i-1"
    page = client.get(link["href"])
    assert page.status_code == 200
    back = soup(page).select_one(".govuk-back-link")
    assert back["href"] == "/notices"


def test_the_page_filters_by_kind_and_pages_on(published, client, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    response = client.get("/notices?kind=UK4")
    assert [row[1] for row in table_rows(response, "notices")] == ["h", "f"]
    selected = soup(response).select_one("#kind option[selected]")
    assert selected["value"] == "UK4"
    older = soup(response).select_one(".govuk-pagination__next a")
    response = client.get(older["href"])
    assert [row[1] for row in table_rows(response, "notices")] == ["d", "c"]
    assert soup(response).select_one(".govuk-pagination__prev a")["href"] == "/notices?kind=UK4"


@pytest.mark.parametrize(
    "query, field",
    [("kind=UK99", "#kind"), ("cursor=made-up", "#notices"), ("cursor=9-0", "#notices")],
)
def test_a_bad_kind_or_page_is_a_plain_message_above_the_newest_notices(
    published, client, query, field
):
    response = client.get(f"/notices?{query}")
    assert response.status_code == 400
    assert error_links(response) == [field]
    assert text(soup(response).select_one("title")).startswith("Error:")
    assert [row[1] for row in table_rows(response, "notices")] == newest_first(published)
