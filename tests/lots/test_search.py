"""Finding opportunities: ranking, every filter, pagination, and odd input."""
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from app.extensions import db
from lots.models import LotCpvCode, Opportunity, OpportunityKind, OpportunityStatus
from lots.search import Filters, parse, search
from tests.lots.helpers import NOW, setup_world
from werkzeug.datastructures import MultiDict


def _publish(lot, buyer, title, summary="A service", description="Details", value=1_000_000,
             days=14, **extra):
    opportunity = Opportunity(
        dps_id=lot.dps_id, lot_id=lot.id, buyer_id=buyer.id, created_by_id=1,
        kind=extra.pop("kind", OpportunityKind.MINI_COMPETITION), title=title, summary=summary,
        description=description, estimated_value_pence=value,
        status=extra.pop("status", OpportunityStatus.PUBLISHED), published_at=NOW,
        submission_deadline=NOW + timedelta(days=days), buyer_name=buyer.name, **extra)
    db.session.add(opportunity)
    db.session.commit()
    return opportunity


@pytest.fixture
def world(app):
    admin, dps, lots, user, buyer = setup_world()
    db.session.add_all([LotCpvCode(lot_id=lots[0].id, cpv_code="85311000-2"),
                        LotCpvCode(lot_id=lots[1].id, cpv_code="55520000-1")])
    db.session.commit()
    return lots, buyer


def _titles(**kwargs):
    rows, total = search(Filters(**kwargs), now=NOW)
    return [o.title for o in rows], total


def test_title_matches_rank_first(world):
    lots, buyer = world
    _publish(lots[0], buyer, "Garden maintenance", description="Includes befriending visits")
    _publish(lots[0], buyer, "Befriending service for older people")
    _publish(lots[0], buyer, "Meals on wheels", summary="Hot meals and befriending")
    titles, total = _titles(q="befriending", sort="relevance")
    assert total == 3
    assert titles[0] == "Befriending service for older people"
    assert titles[1] == "Meals on wheels"  # summary (B) outranks description (C)


def test_buyer_name_is_searchable(world):
    lots, buyer = world
    _publish(lots[0], buyer, "Advice service")
    assert _titles(q="Leeds")[1] == 1


def test_every_filter_narrows(world):
    lots, buyer = world
    _publish(lots[0], buyer, "Care A", value=2_000_000, location_type="local_authority",
             location_code="LDS", region_code="TLE")
    _publish(lots[1], buyer, "Meals B", value=8_000_000, reserved_vcse=True,
             kind=OpportunityKind.QUICK_QUOTE, location_type="region", location_code="TLD",
             region_code="TLD")
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


@pytest.mark.parametrize("q", ["%' OR 1=1 --", "<script>alert(1)</script>", "a & | ! :* (",
                               "'\"\\", "béfriending", "   ", "x" * 500])
def test_odd_queries_are_harmless(world, client, q):
    lots, buyer = world
    _publish(lots[0], buyer, "Befriending")
    response = client.get("/opportunities", query_string={"q": q, "status": "all"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#result-count") is not None
    assert not soup.select("#results script")


def test_filters_come_from_the_url(world, client):
    lots, buyer = world
    _publish(lots[0], buyer, "Care A", value=2_000_000)
    _publish(lots[1], buyer, "Meals B", value=8_000_000)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/opportunities?min_value=50000&lot={lots[1].id}")
        soup = BeautifulSoup(page.data, "html.parser")
        assert [a.text for a in soup.select("#results h2 a")] == ["Meals B"]
        assert "1" in soup.select_one("#result-count").text
        bad = client.get("/opportunities?min_value=lots")
        soup = BeautifulSoup(bad.data, "html.parser")
        assert bad.status_code == 200
        assert "Enter an amount in pounds" in soup.select_one(".govuk-error-summary").text


def test_parse_ignores_malformed_values():
    f = parse(MultiDict({"lot": "abc", "cpv": "8531", "region": "x' or 1", "page": "-3",
                         "sort": "drop table", "status": "weird", "closing_within": "9999"}))
    assert (f.lot_id, f.cpv_division, f.region_code, f.page, f.sort, f.status,
            f.closing_within_days) == (None, None, None, 1, "closing", "open", None)
