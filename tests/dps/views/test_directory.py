"""The public supplier directory: who is listed, filters in the web address, stable pages, and
search text that cannot do harm."""

from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from app.extensions import db
from app.timeutil import utcnow
from dps import queries
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    LotDecision,
    LotMembership,
    MembershipStatus,
)
from dps.services import deciding
from dps.views.directory import CSV_HEADER
from tests.app.accounts.helpers import fresh_client
from tests.dps.helpers import make_admin, make_dps, submitted_application
from tests.dps.views.reading import field_value, heading, nav, page, soup, summary_list, text
from tests.factories import make_organisation
from tests.pages import csv_rows, streamed

LEEDS = {"local_authority_code": "LDS", "region_code": "TLE"}
MANCHESTER = {"local_authority_code": "MAN", "region_code": "TLD"}
BRISTOL = {"local_authority_code": "BST", "region_code": "TLK"}


@pytest.fixture
def client(app):
    return fresh_client(app)


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    return admin, dps, lots


def listed(name, lots, status=MembershipStatus.ADMITTED, vcse=False, **fields):
    """A supplier holding ``lots`` (rows made directly: the directory only reads them)."""
    organisation = make_organisation(name=name, **fields)
    for lot in lots:
        db.session.add(LotMembership(organisation_id=organisation.id, lot_id=lot.id, status=status))
    if vcse:
        owner = organisation.memberships[0].user
        application = Application(
            dps_id=lots[0].dps_id,
            organisation_id=organisation.id,
            questionnaire_id=lots[0].dps.questionnaire_id,
            status=ApplicationStatus.DECIDED,
            answers={"is_vcse": "yes"},
            created_by_id=owner.id,
            submitted_at=utcnow(),
            decided_at=utcnow(),
        )
        application.lots = [
            ApplicationLot(
                lot_id=lot.id,
                decision=LotDecision.ADMITTED,
                reason="Meets the criteria",
                decided_at=utcnow(),
            )
            for lot in lots
        ]
        db.session.add(application)
    db.session.commit()
    return organisation


def results(html):
    return [text(a) for a in html.select("#results h2 a")]


def count(html):
    return text(html.find(id="result-count"))


def test_the_directory_lists_admitted_and_suspended_suppliers_only(client, world):
    admin, dps, lots = world
    riverside = listed(
        "Riverside Community Care CIO",
        [lots[0], lots[2]],
        vcse=True,
        trading_name="Riverside Care",
        staff_band="10-49",
        **LEEDS,
    )
    listed(
        "Suspended Support CIC",
        [lots[0]],
        status=MembershipStatus.SUSPENDED,
        supplier_type="cic",
        charity_number=None,
        company_number="12345678",
        **MANCHESTER,
    )
    listed("Removed Trust", [lots[0]], status=MembershipStatus.REMOVED, **LEEDS)
    listed("Left Trust", [lots[1]], status=MembershipStatus.LEFT, **LEEDS)
    make_organisation(name="Not Admitted Yet CIO")
    make_organisation(kind="buyer", name="Leeds City Council")

    html = page(client, "/suppliers")  # signed out: the directory is public
    assert heading(html) == "Find suppliers"
    assert "Find suppliers" in nav(html)
    assert count(html) == "2 suppliers"
    assert results(html) == ["Riverside Community Care CIO", "Suspended Support CIC"]
    first = html.select_one("#results li")
    assert "Trading as Riverside Care" in text(first)
    assert text(first.select_one(".govuk-tag")) == "VCSE"
    details = {
        text(row.select_one(".govuk-summary-list__key")): text(
            row.select_one(".govuk-summary-list__value")
        )
        for row in first.select(".govuk-summary-list__row")
    }
    assert details == {
        "Type": "Charitable incorporated organisation (CIO)",
        "Area": "Leeds, Yorkshire and The Humber",
        "Paid staff": "10 to 49",
        "Lots": "Lot 1: Befriending Lot 3: Homecare: north patch",
    }
    assert "lunch clubs and befriending" in text(first)
    # Suspension is between the operator and the supplier: the public page does not say so.
    assert "Suspended" not in text(html.select("#results li")[1].select_one("dl"))

    profile = page(client, f"/suppliers/{riverside.id}")
    assert heading(profile) == "Riverside Community Care CIO"
    about = summary_list(profile, "about")
    assert about["Area"] == "Leeds, Yorkshire and The Humber"
    assert about["Charity number"] == "1234567"
    assert about["Paid staff"] == "10 to 49"
    assert text(profile.find(id="lots")) == (
        "Community Services DPS Lot 1: Befriending Lot 3: Homecare: north patch"
    )
    # Contact details are not published: the profile has no address, phone or email.
    assert "1 Canal Street" not in text(profile) and "LS1 4AB" not in text(profile)
    assert "@" not in text(profile.find("main"))


def test_a_supplier_admitted_through_the_services_appears(client, world):
    admin, dps, lots = world
    with time_machine.travel("2026-12-07 10:00:00+00:00", tick=False):
        application = submitted_application(dps, [lots[0].id, lots[1].id])
        html = page(client, "/suppliers")
        assert count(html) == "0 suppliers"
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        deciding.decide_lot(admin, application, lots[1].id, "admitted", "Good")
        html = page(client, "/suppliers?vcse=1")
    assert results(html) == ["Riverside Community Care"]
    assert text(html.select_one("#results .govuk-tag")) == "VCSE"


@pytest.mark.parametrize("status", [None, MembershipStatus.REMOVED, MembershipStatus.LEFT])
def test_a_profile_is_only_for_a_supplier_that_holds_a_lot(client, world, status):
    admin, dps, lots = world
    if status is None:
        organisation = make_organisation(name="Never Admitted CIO")
    else:
        organisation = listed("Gone Trust", [lots[0]], status=status)
    assert client.get(f"/suppliers/{organisation.id}").status_code == 404
    buyer = make_organisation(kind="buyer", name="Leeds City Council")
    assert client.get(f"/suppliers/{buyer.id}").status_code == 404
    assert client.get("/suppliers/987654").status_code == 404


@pytest.fixture
def many(world):
    admin, dps, lots = world
    listed(
        "Riverside Community Care CIO", [lots[0]], vcse=True, trading_name="Riverside Care", **LEEDS
    )
    listed(
        "Northern Lights CIC",
        [lots[1]],
        vcse=True,
        supplier_type="cic",
        charity_number=None,
        company_number="11223344",
        description="Training young people leaving care in grounds maintenance.",
        **MANCHESTER,
    )
    listed(
        "Greenfield Food Co-operative",
        [lots[1], lots[3]],
        supplier_type="cooperative",
        charity_number=None,
        description="Fresh local food for schools.",
        **BRISTOL,
    )
    listed(
        "Café Club Community Benefit Society",
        [lots[2]],
        supplier_type="community_benefit_society",
        charity_number=None,
        description="A 100% volunteer-run café_and lunch club.",
        **LEEDS,
    )
    return lots


FILTER_CASES = [
    (
        "",
        [
            "Café Club Community Benefit Society",
            "Greenfield Food Co-operative",
            "Northern Lights CIC",
            "Riverside Community Care CIO",
        ],
    ),
    ("q=riverside", ["Riverside Community Care CIO"]),
    ("q=RIVERSIDE+care", ["Riverside Community Care CIO"]),
    ("q=riverside+care", ["Riverside Community Care CIO"]),
    ("q=grounds+maintenance", ["Northern Lights CIC"]),  # the description
    ("q=Riverside+Care", ["Riverside Community Care CIO"]),  # the trading name
    ("q=caf%C3%A9", ["Café Club Community Benefit Society"]),
    ("q=food&type=cooperative", ["Greenfield Food Co-operative"]),
    ("region=TLE", ["Café Club Community Benefit Society", "Riverside Community Care CIO"]),
    ("local_authority=MAN", ["Northern Lights CIC"]),
    ("type=cic", ["Northern Lights CIC"]),
    ("vcse=1", ["Northern Lights CIC", "Riverside Community Care CIO"]),
    ("vcse=1&region=TLE", ["Riverside Community Care CIO"]),
    ("q=nothing+like+this", []),
    # Unknown filter values are ignored, not errors.
    (
        "region=XX&type=wizard&lot=abc&local_authority=%27",
        [
            "Café Club Community Benefit Society",
            "Greenfield Food Co-operative",
            "Northern Lights CIC",
            "Riverside Community Care CIO",
        ],
    ),
]


def test_filters_narrow_the_results(client, many):
    for query, expected in FILTER_CASES:
        html = page(client, f"/suppliers?{query}")
        assert results(html) == expected, query
        n = len(expected)
        assert count(html).startswith(f"{n} supplier{'' if n == 1 else 's'}"), query


def test_the_lot_filter_and_the_chosen_filters_stay_on_the_page(client, many):
    lots = many
    html = page(client, f"/suppliers?lot={lots[1].id}&region=TLD&q=young")
    assert results(html) == ["Northern Lights CIC"]
    assert field_value(html, "lot") == str(lots[1].id)
    assert field_value(html, "region") == "TLD"
    assert field_value(html, "q") == "young"
    assert results(page(client, f"/suppliers?lot={lots[3].id}")) == ["Greenfield Food Co-operative"]
    assert "Clear filters" in text(html)


ODD_SEARCHES = [
    "%' OR 1=1 --",
    "' OR ''='",
    "\\",
    "Robert'); DROP TABLE organisations;--",
    "<script>alert(1)</script>",
    "x" * 5000,
    "nul\x00byte",
    "🙂",
    "*",
    "[a-z]",
]


def test_odd_characters_in_the_search_are_harmless(client, many):
    for q in ODD_SEARCHES:
        response = client.get("/suppliers", query_string={"q": q})
        assert response.status_code == 200, q
        searched = soup(response)
        assert results(searched) == [], q
        assert count(searched) == "0 suppliers found", q
        assert searched.find("script", string="alert(1)") is None
        assert field_value(searched, "q") == " ".join(q.replace("\x00", "").split())[:100]
    assert count(page(client, "/suppliers")) == "4 suppliers"  # everything is still there
    # A search of nothing but control characters is no search at all.
    assert count(page(client, "/suppliers?q=%00%01")) == "4 suppliers"


def test_a_literal_percent_or_underscore_matches_only_itself(client, many):
    assert results(page(client, "/suppliers?q=100%25")) == ["Café Club Community Benefit Society"]
    assert results(page(client, "/suppliers?q=caf%C3%A9_and")) == [
        "Café Club Community Benefit Society"
    ]
    assert results(page(client, "/suppliers?q=food_")) == []


def test_pages_are_stable_and_keep_the_filters(client, world):
    admin, dps, lots = world
    names = [f"Supplier {n:02d} Trust" for n in range(45)]
    for name in reversed(names):
        listed(name, [lots[0]], **LEEDS)
    # Two organisations with the same name keep their order from page to page.
    twins = [listed("Supplier 20 Trust", [lots[0]], **LEEDS).id]

    seen = []
    url = "/suppliers?region=TLE"
    pages = 0
    while url:
        html = page(client, url)
        pages += 1
        assert count(html) == "46 suppliers found"
        seen += [(text(a), a["href"]) for a in html.select("#results h2 a")]
        current = html.select_one(".govuk-pagination__item--current")
        assert text(current) == str(pages)
        link = html.select_one(".govuk-pagination__next a")
        url = link["href"] if link else None
        if url:
            assert parse_qs(urlsplit(url).query)["region"] == ["TLE"]
    assert pages == 3
    assert len(seen) == 46 and len(set(seen)) == 46
    assert [name for name, _href in seen] == sorted(names + ["Supplier 20 Trust"])
    assert f"/suppliers/{twins[0]}" in [href for _name, href in seen]
    # The same page twice reads the same.
    assert results(page(client, "/suppliers?region=TLE&page=2")) == results(
        page(client, "/suppliers?region=TLE&page=2")
    )
    last = page(client, "/suppliers?region=TLE&page=3")
    assert len(results(last)) == 6
    assert last.select_one(".govuk-pagination__next") is None
    previous = parse_qs(urlsplit(last.select_one(".govuk-pagination__prev a")["href"]).query)
    assert previous == {"page": ["2"], "region": ["TLE"]}
    # A page past the end shows the last one; nonsense shows the first.
    assert results(page(client, "/suppliers?region=TLE&page=99")) == results(last)
    assert results(page(client, "/suppliers?region=TLE&page=abc"))[0] == "Supplier 00 Trust"


# --- The download --------------------------------------------------------------------------------


def download(client, query=""):
    rows = csv_rows(client.get(f"/suppliers.csv?{query}", buffered=True))
    assert rows[0] == list(CSV_HEADER)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_download_follows_the_filters_of_the_page(client, many):
    for query, expected in FILTER_CASES:
        assert [row["Name"] for row in download(client, query)] == expected, query
    html = page(client, "/suppliers?vcse=1&region=TLE&page=1")
    assert html.select_one("#download-csv")["href"] == "/suppliers.csv?vcse=1&region=TLE"
    assert text(html.select_one("#download-csv")) == "Download these results (CSV)"


def test_the_download_has_every_supplier_not_one_page(client, world, monkeypatch):
    admin, dps, lots = world
    monkeypatch.setattr(queries, "DIRECTORY_BATCH", 7)  # several batches from the cursor
    names = [f"Supplier {n:02d} Trust" for n in range(45)]
    for name in reversed(names):
        listed(name, [lots[0]], **LEEDS)
    rows = download(client, "region=TLE")
    assert [row["Name"] for row in rows] == names
    assert all(row["Lots"] == f"{lots[0].label} ({dps.name})" for row in rows)
    response, chunks = streamed(client, "/suppliers.csv")
    assert response.is_streamed and len(chunks) == 1  # 45 rows: under one chunk's 200
    assert b"".join(chunks).count(b"\r\n") == 46


def test_the_download_shows_only_what_each_supplier_chose_to_show(client, world):
    admin, dps, lots = world
    shy = listed(
        "Quiet Trust",
        [lots[0]],
        address="1 Hidden Street, Leeds",
        postcode="LS1 1AA",
        website="https://quiet.example",
        directory_show_website=False,
        directory_email=None,
        directory_phone=None,
        **LEEDS,
    )
    listed(
        "Open Trust",
        [lots[0], lots[1]],
        vcse=True,
        address="2 Hidden Road, Leeds",
        postcode="LS2 2BB",
        website="https://open.example",
        directory_show_website=True,
        directory_email="hello@open.example",
        directory_phone="0113 496 0000",
        **LEEDS,
    )
    listed("Removed Trust", [lots[0]], status=MembershipStatus.REMOVED, **LEEDS)
    response = client.get("/suppliers.csv", buffered=True)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="suppliers-')
    body = response.get_data(as_text=True)
    for hidden in ("Hidden", "LS1 1AA", "LS2 2BB", "https://quiet.example", "Removed Trust"):
        assert hidden not in body
    rows = {row["Name"]: row for row in download(client)}
    assert rows.keys() == {"Open Trust", "Quiet Trust"}
    assert (rows["Quiet Trust"]["Email"], rows["Quiet Trust"]["Phone"]) == ("", "")
    assert rows["Quiet Trust"]["Website"] == ""
    assert rows["Quiet Trust"]["VCSE"] == "No"
    assert rows["Quiet Trust"]["Profile"].endswith(f"/suppliers/{shy.id}")
    assert rows["Open Trust"]["Email"] == "hello@open.example"
    assert rows["Open Trust"]["Phone"] == "0113 496 0000"
    assert rows["Open Trust"]["Website"] == "https://open.example"
    assert rows["Open Trust"]["VCSE"] == "Yes"
    assert rows["Open Trust"]["Area"] == "Leeds, Yorkshire and The Humber"
    assert rows["Open Trust"]["Lots"] == "; ".join(f"{lot.label} ({dps.name})" for lot in lots[:2])


def test_formulas_a_supplier_typed_are_neutralised_in_the_download(client, world):
    admin, dps, lots = world
    listed(
        '=HYPERLINK("http://evil.example")',
        [lots[0]],
        trading_name="+44 shop",
        description="@SUM(1+1)",
        directory_phone="-1",
        **LEEDS,
    )
    (row,) = download(client)
    assert row["Name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["Trading name"] == "'+44 shop"
    assert row["About"] == "'@SUM(1+1)"
    assert row["Phone"] == "'-1"
