"""The search's Atom feed and CSV download: the same filters as the page (through the search
service), only what the public may see, refusals as 400s, formula injection neutralised, and a
download that streams."""

from datetime import timedelta

import feedparser
import pytest
import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup
from lxml import etree

from app.extensions import db
from app.replica import read_engine
from lots.opportunities.models import (
    OpportunityAmendment,
    OpportunityKind,
    OpportunityStatus,
)
from lots.search import exports
from lots.search import queries as search_module
from lots.search.queries import every_match, parse, search
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes
from tests.lots.search.helpers import publish as publish_opportunity
from tests.pages import csv_rows, streamed

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(lot, buyer, title, published_days_ago=1, **extra):
    """Published a day ago, summed up as "About <title>" unless said otherwise."""
    extra.setdefault("summary", f"About {title}")
    return publish_opportunity(lot, buyer, title, published_days_ago=published_days_ago, **extra)


@pytest.fixture
def market(app):
    """Opportunities of every kind the filters tell apart, and a draft nobody may see."""
    lots, buyer = lots_with_cpv_codes()
    made = {
        "care": publish(
            lots[0],
            buyer,
            "Care at home in Leeds",
            value=2_000_000,
            location_type="local_authority",
            location_code="LDS",
            region_code="TLE",
            published_days_ago=3,
        ),
        "meals": publish(
            lots[1],
            buyer,
            "Meals for older people",
            value=8_000_000,
            reserved_vcse=True,
            kind=OpportunityKind.QUICK_QUOTE,
            location_type="region",
            location_code="TLD",
            region_code="TLD",
            published_days_ago=2,
        ),
        "closed": publish(lots[0], buyer, "Closed care contract", days=-1, published_days_ago=20),
        "soon": publish(lots[0], buyer, "Befriending soon", days=2, published_days_ago=5),
        "cancelled": publish(
            lots[1],
            buyer,
            "Cancelled gardening",
            status=OpportunityStatus.CANCELLED,
            cancelled_at=NOW - timedelta(hours=1),
            cancel_reason="No budget",
        ),
        "draft": publish(lots[0], buyer, "Secret draft care", status=OpportunityStatus.DRAFT),
    }
    return lots, buyer, made


def every_page(args):
    """Titles of every result the search page shows for these parameters, page after page."""
    f = parse(args)
    titles, page = [], 1
    while True:
        f.page = page
        results = search(f, now=NOW)
        titles += [o.title for o in results.rows]
        if not results.has_next:
            return titles
        page += 1


def get(client, url, **kwargs):
    """The response, read whole within the request's own context (a streamed body is read as it
    is sent, in the context that made it, as a WSGI server does)."""
    with time_machine.travel(NOW, tick=False):
        return client.get(url, buffered=True, **kwargs)


def read_csv(response):
    return csv_rows(response)


def filter_sets(lots):
    return [
        {},
        {"status": "all"},
        {"status": "closed"},
        {"lot": str(lots[1].id)},
        {"cpv": "85", "status": "all"},
        {"region": "TLE"},
        {"local_authority": "LDS"},
        {"min_value": "50,000"},
        {"max_value": "20000", "sort": "value_high"},
        {"vcse": "1"},
        {"kind": "quick_quote"},
        {"closing_within": "3"},
        {"q": "care", "status": "all"},
        {"q": "care", "sort": "relevance", "status": "all"},
        {"q": "nothing-matches-this"},
        {"lot": "abc", "sort": "value_low"},  # malformed, ignored as the page ignores it
    ]


# --- The feed ------------------------------------------------------------------------------------


def test_the_feed_follows_every_filter_of_the_search(market, client):
    lots, _, _ = market
    for args in filter_sets(lots):
        response = get(client, "/opportunities.atom", query_string=args)
        assert response.status_code == 200, args
        assert response.mimetype == "application/atom+xml"
        parsed = feedparser.parse(response.data)
        assert not parsed.bozo, (args, parsed.get("bozo_exception"))
        assert sorted(e.title for e in parsed.entries) == sorted(every_page(args)), args


def test_a_feed_entry_carries_what_a_reader_needs(market, client):
    lots, buyer, made = market
    meals = made["meals"]
    db.session.add(
        OpportunityAmendment(
            opportunity_id=meals.id,
            made_by_id=1,
            made_at=NOW - timedelta(hours=5),
            summary="Deadline moved",
        )
    )
    db.session.commit()
    response = get(client, "/opportunities.atom")
    root = etree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    # Newest first, whatever order the page sorts by.
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Meals for older people",
        "Care at home in Leeds",
        "Befriending soon",
    ]
    entry = entries[0]
    link = entry.find(f"{ATOM}link").get("href")
    assert link.endswith(f"/opportunities/{meals.id}")
    assert entry.findtext(f"{ATOM}id") == link
    assert entry.findtext(f"{ATOM}published").startswith(
        (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    # Updated when it was amended, and the feed when its newest entry was.
    assert entry.findtext(f"{ATOM}updated").startswith(
        (NOW - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    )
    assert root.findtext(f"{ATOM}updated") == entry.findtext(f"{ATOM}updated")
    assert entry.findtext(f"{ATOM}summary") == "About Meals for older people"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == buyer.name
    content = BeautifulSoup(entry.findtext(f"{ATOM}content"), "lxml").get_text(" ")
    assert "Closing date: 10am on 17 December 2026" in content
    assert "Estimated value: £80,000 excluding VAT" in content
    assert f"Buyer: {buyer.name}" in content


def test_a_feed_never_lists_a_draft(market, client):
    parsed = feedparser.parse(get(client, "/opportunities.atom?status=all&q=secret").data)
    assert parsed.entries == []
    assert not parsed.bozo
    everything = feedparser.parse(get(client, "/opportunities.atom?status=all").data)
    assert "Secret draft care" not in [e.title for e in everything.entries]
    assert "Cancelled gardening" in [e.title for e in everything.entries]


def test_a_feed_lists_at_most_its_size_newest_first(market, client, monkeypatch):
    monkeypatch.setattr(exports, "FEED_SIZE", 2)
    parsed = feedparser.parse(get(client, "/opportunities.atom?status=all").data)
    assert [e.title for e in parsed.entries] == ["Cancelled gardening", "Meals for older people"]


def test_odd_text_in_a_feed_is_escaped(market, client):
    lots, buyer, _ = market
    publish(lots[0], buyer, "Care <script>alert(1)</script> & ]]> more", summary="<b>x</b>")
    response = get(client, "/opportunities.atom")
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo
    root = etree.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert "Care <script>alert(1)</script> & ]]> more" in titles
    assert root.find(f".//{ATOM}script") is None


@pytest.mark.parametrize("url", ["/opportunities.atom", "/opportunities.csv"])
def test_bad_parameters_are_refused_in_plain_words(market, client, url):
    response = get(client, url + "?min_value=lots&max_value=-3")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "min_value: Enter an amount in pounds, like 25000" in text
    assert "max_value: Enter an amount in pounds, like 25000" in text
    # What the page only ignores, a feed and a download ignore too.
    for odd in ("?lot=abc&page=-1&sort=drop", "?q=%27%22%5C%3C", "?closing_within=99999"):
        assert get(client, url + odd).status_code == 200, odd


def test_the_search_page_links_to_its_feed_and_download_with_its_filters(market, client):
    lots, _, _ = market
    response = get(client, f"/opportunities?lot={lots[0].id}&vcse=1&page=2&utm_source=x")
    soup = BeautifulSoup(response.data, "lxml")
    alternate = soup.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == f"/opportunities.atom?lot={lots[0].id}&vcse=1"
    download = soup.select_one("#download-csv")
    assert download.text.strip() == "Download these results (CSV)"
    assert download["href"] == f"/opportunities.csv?lot={lots[0].id}&vcse=1"
    assert soup.select_one("#results-feed")["href"] == alternate["href"]


def test_a_lot_page_links_to_a_feed_of_that_lot(market, client):
    lots, _, _ = market
    response = get(client, f"/lots/{lots[1].id}")
    soup = BeautifulSoup(response.data, "lxml")
    alternate = soup.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == f"/opportunities.atom?lot={lots[1].id}"
    assert soup.select_one("#lot-feed")["href"] == alternate["href"]
    parsed = feedparser.parse(get(client, alternate["href"]).data)
    assert [e.title for e in parsed.entries] == ["Meals for older people"]


# --- The download --------------------------------------------------------------------------------


def test_the_download_has_every_result_of_the_search_in_its_order(market, client, monkeypatch):
    lots, buyer, _ = market
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)  # several pages; the file has them all
    for i in range(5):
        publish(lots[2], buyer, f"Same words {i}", days=30 + i)
    for args in filter_sets(lots):
        rows = read_csv(get(client, "/opportunities.csv", query_string=args))
        assert rows[0] == list(exports.CSV_HEADER)
        assert [row[1] for row in rows[1:]] == every_page(args), args


def test_a_row_of_the_download(market, client):
    lots, buyer, made = market
    made["meals"].reference = "VCSE-0042"
    db.session.commit()
    response = get(client, "/opportunities.csv?kind=quick_quote")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="opportunities-2026-12-03.csv"'
    )
    header, row = read_csv(response)
    assert dict(zip(header, row, strict=True)) == {
        "Reference": "VCSE-0042",
        "Title": "Meals for older people",
        "Buyer": buyer.name,
        "Summary": "About Meals for older people",
        "Lot": lots[1].label,
        "Type": "Quick quote",
        "Status": "Open",
        "Estimated value (£, excluding VAT)": "80000.00",
        "Location": "North West",
        "Reserved for VCSEs": "Yes",
        "Published (UK time)": "2026-12-01 10:00",
        "Last amended (UK time)": "",
        "Closing date (UK time)": "2026-12-17 10:00",
        "Link": f"http://localhost/opportunities/{made['meals'].id}",
    }


def test_formulas_in_what_people_typed_are_neutralised(market, client):
    lots, buyer, _ = market
    typed = {
        '=HYPERLINK("http://x","y")': "+1+cmd|' /C calc'!A0",
        "@SUM(A1:A2)": "-2+3",
        "\tTabbed": "\rReturned",
    }
    for title, summary in typed.items():
        publish(lots[3], buyer, title, summary=summary, buyer_name="=evil()")
    rows = read_csv(get(client, f"/opportunities.csv?lot={lots[3].id}"))
    cells = {(row[1], row[2], row[3]) for row in rows[1:]}
    assert cells == {("'" + title, "'=evil()", "'" + summary) for title, summary in typed.items()}
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_the_download_streams(market, client, monkeypatch):
    lots, buyer, _ = market
    monkeypatch.setattr(search_module, "EXPORT_BATCH", 3)
    monkeypatch.setattr("app.downloads.ROWS_PER_CHUNK", 2)
    for i in range(7):
        publish(lots[2], buyer, f"Streamed {i}", days=30 + i)
    url = f"/opportunities.csv?lot={lots[2].id}"
    with time_machine.travel(NOW, tick=False):
        response, chunks = streamed(client, url)
    assert response.is_streamed
    assert len(chunks) == 4  # the header and 7 rows: 2 rows a chunk, then the last one
    assert chunks[0].startswith("\ufeffReference,".encode())
    assert b"".join(chunks).count(b"\r\n") == 8


def test_every_match_reads_through_a_server_side_cursor(market):
    """The rows come from an open cursor on the database server, a batch at a time, and the
    cursor is closed when the reading stops. (It reads on a connection of its own: another
    backend than the session's, fetching in a transaction, then idle.)"""
    fetching = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state = 'idle in transaction' AND query LIKE 'FETCH%'"
    )
    rows = every_match(parse({"status": "all"}), NOW, batch=2)
    first = next(rows)
    assert first.title == "Closed care contract"  # the earliest deadline
    assert db.session.execute(fetching).scalar_one() == 1
    db.session.rollback()  # (pg_stat_activity is read once a transaction)
    assert len(list(rows)) == 4
    assert db.session.execute(fetching).scalar_one() == 0


def test_every_match_gives_its_connection_back(market):
    """Read to the end, or left after a batch (a download the reader stopped): either way its
    connection is back in the pool."""
    pool = read_engine().pool
    before = pool.checkedout()
    rows = every_match(parse({"status": "all"}), NOW, batch=2)
    next(rows)
    assert pool.checkedout() == before + 1
    rows.close()
    assert pool.checkedout() == before
    assert len(list(every_match(parse({"status": "all"}), NOW, batch=2))) == 5
    assert pool.checkedout() == before


def test_every_match_fetches_a_batch_at_a_time(market, monkeypatch):
    """``EXPORT_BATCH`` rows a fetch, as the download asks (read when the rows are, not when
    the module was)."""
    monkeypatch.setattr(search_module, "EXPORT_BATCH", 3)
    fetching = sa.text(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND query LIKE 'FETCH%'"
    )
    rows = every_match(parse({"status": "all"}), NOW)
    next(rows), next(rows)  # SQLAlchemy fetches one row first, then a batch
    try:
        assert [q.split(" FROM")[0] for q in db.session.execute(fetching).scalars()] == [
            "FETCH FORWARD 3"
        ]
    finally:
        rows.close()


def test_the_download_never_lists_a_draft(market, client):
    rows = read_csv(get(client, "/opportunities.csv?status=all"))
    titles = [row[1] for row in rows[1:]]
    assert "Secret draft care" not in titles
    assert "Cancelled gardening" in titles
