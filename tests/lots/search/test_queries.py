"""Finding opportunities: ranking, every filter, pagination, and odd input."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.queue import redis_connection
from lots.opportunities.models import LotCpvCode, OpportunityKind, OpportunityStatus
from lots.search import queries as search_module
from lots.search.queries import Filters, parse, search
from tests.factories import make_user
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes
from tests.lots.search.helpers import publish as _publish


@pytest.fixture
def world(app):
    return lots_with_cpv_codes()


def _titles(**kwargs):
    results = search(Filters(**kwargs), now=NOW)
    return [o.title for o in results.rows], results.total


@pytest.mark.parametrize("q", ["befriending", "befriending -zebra", "befriending or zebra -lunch"])
def test_title_matches_rank_first(world, q):
    # (A word left out ranks nothing: every match lacks it. The one closing soonest is the one
    # that matches least, so an order by deadline would put it first.)
    lots, buyer = world
    _publish(
        lots[0], buyer, "Garden maintenance", description="Includes befriending visits", days=5
    )
    _publish(lots[0], buyer, "Befriending service for older people", days=30)
    _publish(lots[0], buyer, "Meals on wheels", summary="Hot meals and befriending", days=20)
    titles, total = _titles(q=q, sort="relevance")
    assert total == 3
    assert titles[0] == "Befriending service for older people"
    assert titles[1] == "Meals on wheels"  # summary (B) outranks description (C)


def test_buyer_name_is_searchable(world):
    lots, buyer = world
    _publish(lots[0], buyer, "Advice service")
    assert _titles(q="Leeds")[1] == 1


def test_every_filter_narrows(world):
    lots, buyer = world
    _publish(
        lots[0],
        buyer,
        "Care A",
        value=2_000_000,
        location_type="local_authority",
        location_code="LDS",
        region_code="TLE",
    )
    _publish(
        lots[1],
        buyer,
        "Meals B",
        value=8_000_000,
        reserved_vcse=True,
        kind=OpportunityKind.QUICK_QUOTE,
        location_type="region",
        location_code="TLD",
        region_code="TLD",
    )
    _publish(lots[0], buyer, "Closed C", days=-1)
    _publish(lots[0], buyer, "Soon D", days=2)
    assert _titles()[1] == 3  # open by default
    assert _titles(status="all")[1] == 4
    assert _titles(status="closed")[0] == ["Closed C"]
    assert _titles(lot_id=lots[1].id)[0] == ["Meals B"]
    assert _titles(cpv_division="55")[0] == ["Meals B"]
    assert sorted(_titles(region_code="TLE")[0]) == ["Care A", "Soon D"]  # national counts too
    assert _titles(local_authority_code="LDS")[0] == ["Care A"]
    assert _titles(min_value_pence=5_000_000)[0] == ["Meals B"]
    assert sorted(_titles(max_value_pence=2_000_000)[0]) == ["Care A", "Soon D"]
    assert _titles(vcse_only=True)[0] == ["Meals B"]
    assert _titles(kind="quick_quote")[0] == ["Meals B"]
    assert _titles(closing_within_days=3)[0] == ["Soon D"]
    assert _titles(closing_within_days=3, status="all")[0] == ["Soon D"]
    # Closed ones close within no days: nothing, not the open ones closing soon.
    assert _titles(closing_within_days=3, status="closed") == ([], 0)
    assert _titles(closing_within_days=3, status="closed", q="soon") == ([], 0)
    assert _titles(sort="value_high")[0][0] == "Meals B"


def test_drafts_are_never_found(world):
    lots, buyer = world
    _publish(lots[0], buyer, "Secret draft", status=OpportunityStatus.DRAFT)
    assert _titles(status="all", q="secret")[1] == 0


def test_pagination_is_stable(world):
    lots, buyer = world
    for i in range(45):
        _publish(lots[0], buyer, f"Same deadline {i:02d}", days=14)
    seen = []
    for page in (1, 2, 3):
        titles, total = _titles(page=page)
        seen += titles
    assert total == 45
    assert len(seen) == 45 and len(set(seen)) == 45


@pytest.mark.parametrize(
    "q",
    [
        "%' OR 1=1 --",
        "<script>alert(1)</script>",
        "a & | ! :* (",
        "'\"\\",
        "béfriending",
        "   ",
        "x" * 500,
    ],
)
def test_odd_queries_are_harmless(world, client, q):
    lots, buyer = world
    _publish(lots[0], buyer, "Befriending")
    response = client.get("/opportunities", query_string={"q": q, "status": "all"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "lxml")
    assert soup.select_one("#result-count") is not None
    assert not soup.select("#results script")
    # The filters column shows the words as the search read them (kept columns put them in).
    assert soup.select_one("input#q").get("value", "") == q.strip()[:200]
    assert soup.select_one("#sort option[selected]")["value"] == (
        "relevance" if q.strip() else "closing"
    )


def _forget_kept_controls(app):
    from lots.search import views

    for kept in (
        views._select,
        views._unselected,
        views._words_input,
        views._number_input,
        views._vcse_checkbox,
        views._radios,
        views._rendered_component,
    ):
        kept.cache_clear()
    app.extensions.pop("lots_search_filter_frames", None)


def test_the_kept_filters_column_is_the_one_rendered_afresh(app, world, client):
    """The filters column's controls are kept per process, each for its own value, the words
    put in the kept search box: each search gets its own words in it, and the same column as
    one rendered for it alone."""

    def form(words, **filters):
        page = client.get("/opportunities", query_string={"q": words, **filters})
        return str(BeautifulSoup(page.data, "lxml").select_one("form#filters, form[method=get]"))

    asked = [
        ("care", {"region": "TLC"}),
        ("meals & <b>", {"region": "TLC", "min_value": "5,000", "kind": "quick_quote"}),
        ("x\x00words\x00y", {"local_authority": "LDS", "sort": "newest"}),
        ("care", {"status": "closed", "vcse": "1", "max_value": "lots"}),
        ("", {"cpv": "85", "closing_within": "7"}),
    ]
    form("care", region="TLC")
    kept = [form(words, **filters) for words, filters in asked]
    for (words, filters), column in zip(asked, kept, strict=True):
        redis_connection().flushdb()
        _forget_kept_controls(app)
        assert column == form(words, **filters)
    assert 'value="meals &amp; &lt;b&gt;"' in kept[1] and 'value="5,000"' in kept[1]
    assert '<option selected="" value="TLC">' in kept[0]
    assert '<option selected="" value="LDS">' in kept[2]
    assert '<option selected="" value="newest">' in kept[2]
    assert "Enter an amount in pounds" in kept[3]


def test_a_kept_select_marks_the_choice_as_the_component_does(app):
    """A select is rendered once for its options and the choice marked in a copy: the same as
    GOV.UK's component rendered with that option selected."""
    from flask import render_template_string

    from lots.search import views

    pairs = views._la_pairs()
    for chosen in ("LDS", "GLG", None):
        params = {
            "id": "local_authority",
            "name": "local_authority",
            "label": {"text": "Local authority", "classes": "govuk-label--s"},
            "classes": "govuk-!-width-full",
            "items": [{"value": "", "text": "Any local authority"}]
            + [{"value": v, "text": t, "selected": v == chosen} for v, t in pairs],
        }
        with app.test_request_context("/opportunities"):
            whole = render_template_string(views._SELECT, params=params)
            kept = views._select(
                "local_authority", "Local authority", pairs, chosen, "Any local authority"
            )
        assert str(kept) == whole
        assert str(kept).count(" selected") == (chosen is not None)


def test_filters_come_from_the_url(world, client):
    lots, buyer = world
    _publish(lots[0], buyer, "Care A", value=2_000_000)
    _publish(lots[1], buyer, "Meals B", value=8_000_000)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/opportunities?min_value=50000&lot={lots[1].id}")
        soup = BeautifulSoup(page.data, "lxml")
        assert [a.text for a in soup.select("#results h2 a")] == ["Meals B"]
        assert "1" in soup.select_one("#result-count").text
        bad = client.get("/opportunities?min_value=lots")
        soup = BeautifulSoup(bad.data, "lxml")
        assert bad.status_code == 200
        assert "Enter an amount in pounds" in soup.select_one(".govuk-error-summary").text
        closed = client.get("/opportunities?status=closed&closing_within=7")
        soup = BeautifulSoup(closed.data, "lxml")
        assert closed.status_code == 200
        summary = soup.select_one(".govuk-error-summary")
        assert "finds only open opportunities" in summary.text
        assert summary.select_one("a")["href"] == "#closing_within"
        assert "finds only open" in soup.select_one("#closing_within-error").text  # by the field
        assert soup.select_one("#result-count").text.startswith("0 opportunities")
        assert soup.select_one("#no-results").text == (
            "No opportunities match. Fix the problem above to see some."
        )  # not "try fewer filters": the summary says which one to change
        nothing = BeautifulSoup(client.get("/opportunities?q=zzyzx").data, "lxml")
        assert "Try fewer filters or other words" in nothing.select_one("#no-results").text
        # Nothing that would refuse the filters (the download and the feed answer 400) or act on
        # another search than the page shows (an alert) is offered until the problem is fixed;
        # a good search offers all three.
        for page in (soup, BeautifulSoup(bad.data, "lxml")):
            assert not page.select("#download-csv, #results-feed, #follow-search")
            assert not page.select('link[type="application/atom+xml"]')
        assert len(nothing.select("#download-csv, #results-feed, #follow-search")) == 3
        assert nothing.select('link[type="application/atom+xml"]')
        assert client.get("/opportunities.csv?status=closed&closing_within=7").status_code == 400


def test_parse_ignores_malformed_values():
    f = parse(
        MultiDict(
            {
                "lot": "abc",
                "cpv": "8531",
                "region": "x' or 1",
                "page": "-3",
                "sort": "drop table",
                "status": "weird",
                "closing_within": "9999",
            }
        )
    )
    assert (
        f.lot_id,
        f.cpv_division,
        f.region_code,
        f.page,
        f.sort,
        f.status,
        f.closing_within_days,
    ) == (None, None, None, 1, "closing", "open", None)


# --- Counting, and the results cache -------------------------------------------------------------


def _page(client, url="/opportunities"):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.data, "lxml")


def _shown(soup):
    return [a.text for a in soup.select("#results h2 a")]


def test_counts_without_words_stop_at_the_limit(world, client, monkeypatch):
    lots, buyer = world
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 3)
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)
    for i in range(5):
        _publish(lots[0], buyer, f"Same words {i}", days=10 + i)
    first = search(Filters(), now=NOW)
    assert (first.total, first.exact, first.has_next) == (3, False, True)
    last = search(Filters(page=3), now=NOW)  # far enough in to count them all
    assert ([o.title for o in last.rows], last.total, last.exact, last.has_next) == (
        ["Same words 4"],
        5,
        True,
        False,
    )
    monkeypatch.setattr(search_module, "RANK_LIMIT", 3)
    matched = search(Filters(q="same words", sort="relevance"), now=NOW)  # the newest 3 ranked
    assert (matched.total, matched.exact, matched.ranked_only, matched.has_next) == (
        3,
        False,
        3,
        True,
    )
    assert [o.title for o in matched.rows] == ["Same words 2", "Same words 3"]
    second = search(Filters(q="same words", sort="relevance", page=2), now=NOW)
    assert ([o.title for o in second.rows], second.has_next) == (["Same words 4"], False)
    by_value = search(Filters(q="same words", sort="closing", page=3), now=NOW)  # every match
    assert ([o.title for o in by_value.rows], by_value.ranked_only) == (["Same words 4"], None)
    in_lot = search(Filters(lot_id=lots[0].id), now=NOW)  # a narrowing filter: the same
    assert ([o.title for o in in_lot.rows], in_lot.total, in_lot.exact) == (
        ["Same words 0", "Same words 1"],
        3,
        False,
    )
    _publish(lots[1], buyer, "Elsewhere")
    few = search(Filters(lot_id=lots[1].id), now=NOW)
    assert ([o.title for o in few.rows], few.total, few.exact) == (["Elsewhere"], 1, True)
    assert search(Filters(lot_id=lots[1].id, page=4), now=NOW).total == 1  # past the end
    with time_machine.travel(NOW, tick=False):
        soup = _page(client, "/opportunities?utm_source=mail&sort=closing")
        assert soup.select_one("#result-count").text.startswith("More than 3 opportunities")
        next_link = soup.select_one(".govuk-pagination__next a")["href"]
        assert "page=2" in next_link and "sort=closing" in next_link
        assert "utm_source" not in next_link  # links carry only what the page reads
        ranked = _page(client, "/opportunities?q=same+words")
        assert ranked.select_one("#result-count").text.startswith("More than 3 opportunities")
        assert (
            "The newest 3 of them are sorted by relevance" in ranked.select_one("#ranked-only").text
        )


def test_a_sort_by_deadline_with_words_finds_rare_words(world):
    lots, buyer = world
    for i in range(30):
        _publish(lots[0], buyer, f"Common service {i}", days=2 + i)
    _publish(lots[0], buyer, "Gardening", days=40)
    assert _titles(q="gardening", sort="closing") == (["Gardening"], 1)
    titles, total = _titles(q="common", sort="value_high", page=2)
    assert (len(titles), total) == (10, 30)


def test_the_cache_keeps_a_page_until_something_changes(world, client):
    lots, buyer = world

    with time_machine.travel(NOW, tick=False):
        first = _publish(lots[0], buyer, "Befriending", days=10)
        assert _shown(_page(client)) == ["Befriending"]
        # Asked once, a page leaves only a mark; asked again, it is stored.
        assert not redis_connection().keys("search:v1:page:*")
        assert redis_connection().keys("search:v1:seen:*")
        assert _shown(_page(client)) == ["Befriending"]
        assert redis_connection().keys("search:v1:page:*")
        # Changed behind the ORM's back: nothing tells the cache, which keeps the page.
        db.session.execute(sa.text("UPDATE opportunities SET title = 'Renamed'"))
        db.session.commit()
        assert _shown(_page(client)) == ["Befriending"]
        # Changed through the ORM: the next page shows it at once.
        db.session.refresh(first)
        first.summary = "Now with a summary"
        db.session.commit()
        assert _shown(_page(client)) == ["Renamed"]
        _publish(lots[0], buyer, "Meals", days=11)
        assert _shown(_page(client)) == ["Renamed", "Meals"]
        # So does a bulk statement on something the page filters on.
        assert _shown(_page(client, "/opportunities?cpv=85")) == ["Renamed", "Meals"]
        db.session.execute(sa.delete(LotCpvCode).where(LotCpvCode.lot_id == lots[0].id))
        db.session.commit()
        assert _shown(_page(client, "/opportunities?cpv=85")) == []


def test_a_change_reaches_every_process_at_once(world, client, make_app):
    lots, buyer = world
    other = make_app().test_client()  # another web process: its own copies of pages
    with time_machine.travel(NOW, tick=False):
        _publish(lots[0], buyer, "Befriending", days=10)
        for _ in range(2):
            assert _shown(_page(other)) == ["Befriending"]
        _publish(lots[0], buyer, "Meals", days=11)  # committed here, in this process
        assert _shown(_page(other)) == ["Befriending", "Meals"]


def test_cached_results_follow_the_clock(world, client):
    lots, buyer = world
    _publish(lots[0], buyer, "Closes tomorrow morning", days=1)  # 10:00 on 4 December
    with time_machine.travel(NOW, tick=False):
        assert "Closes tomorrow" in _page(client).select_one("#results").text
    with time_machine.travel(NOW + timedelta(hours=22), tick=False):  # 08:00 on 4 December
        assert "Closes today" in _page(client).select_one("#results").text
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert _shown(_page(client)) == []
        assert _shown(_page(client, "/opportunities?status=closed")) == ["Closes tomorrow morning"]
    with time_machine.travel(NOW, tick=False):  # a page made later is not used earlier
        assert _shown(_page(client)) == ["Closes tomorrow morning"]


def test_each_response_from_the_cache_has_its_own_nonce(world, client):
    lots, buyer = world
    _publish(lots[0], buyer, "Befriending")
    nonces = []
    for _ in range(3):
        response = client.get("/opportunities?status=all")
        header = response.headers["Content-Security-Policy"]
        scripts = BeautifulSoup(response.data, "lxml").select("script[nonce]")
        assert scripts and all(f"'nonce-{s['nonce']}'" in header for s in scripts)
        nonces.append(scripts[0]["nonce"])
    assert len(set(nonces)) == 3


def test_signed_in_people_and_flashes_are_never_served_a_shared_page(world, app, client, auth):
    lots, buyer = world
    make_user(email="sam@example.org")
    _publish(lots[0], buyer, "Befriending")
    anonymous = app.test_client()

    def navigation(soup):
        return [a.text.strip() for a in soup.select(".app-header__account-link")]

    with time_machine.travel(NOW, tick=False):
        assert "Sign in" in navigation(_page(anonymous))
        auth.sign_in("sam@example.org")
        signed_in = _page(client)
        assert "Sign out" in navigation(signed_in) and _shown(signed_in) == ["Befriending"]
        assert "Sign in" in navigation(_page(anonymous))
        with anonymous.session_transaction() as session:
            session["_flashes"] = [("success", "Your alert is set up")]
        flashed = _page(anonymous)
        assert "Your alert is set up" in flashed.select_one(".govuk-notification-banner").text
        assert flashed.select_one(".govuk-notification-banner") is not None
        assert _page(anonymous).select_one(".govuk-notification-banner") is None


def test_a_signed_in_persons_search_stores_the_results_everyone_shares(world, app, client, auth):
    lots, buyer = world
    make_user(email="sam@example.org")
    _publish(lots[0], buyer, "Befriending")
    with time_machine.travel(NOW, tick=False):
        auth.sign_in("sam@example.org")
        assert "Sign out" in _page(client).select_one(".app-header").text
        assert not redis_connection().keys("search:v1:results:*")  # asked once: only a mark
        _page(client)
        assert redis_connection().keys("search:v1:results:*")
        assert not redis_connection().keys("search:v1:page:*")  # never a signed-in page
        # Changed behind the ORM's back: a person not signed in is given the stored results.
        db.session.execute(sa.text("UPDATE opportunities SET title = 'Renamed'"))
        db.session.commit()
        assert _shown(_page(app.test_client())) == ["Befriending"]


def test_the_page_works_without_the_cache_and_without_redis(world, app, make_app):
    lots, buyer = world

    _publish(lots[0], buyer, "Befriending")
    app.config["SEARCH_CACHE_SECONDS"] = 0
    with time_machine.travel(NOW, tick=False):
        assert _shown(_page(app.test_client())) == ["Befriending"]
        assert not redis_connection().keys("search:v1:*")
        down = make_app(REDIS_URL="redis://127.0.0.1:1/0")
        for _ in range(2):
            assert _shown(_page(down.test_client())) == ["Befriending"]
