"""Classification (VCSE, SME, local, deprivation from the shipped postcode data), the reports'
figures (shares that add up and never pass 100%, totals equal to the lines behind them), and the
spend a contract awarded through the DPS adds."""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.reference import deprivation, geography
from lots.awards import hooks as award_hooks
from lots.awards.models import Contract
from spend import classify, reports, services
from spend.models import MatchMethod, SpendLine, SpendSource
from tests.spend.helpers import import_file, make_world


@pytest.fixture
def world(app):
    return make_world()


# --- The reference data -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode, lad, decile, method",
    [
        ("LS3 1HS", "E08000035", 1, "postcode"),  # Leeds, in the full-postcode sample
        ("ls98aa", "E08000035", 5, "postcode"),
        ("M4 5AB", "E08000003", 4, "sector"),  # Manchester: by sector, the median decile
        ("CF10 1AA", "W06000015", 6, "sector"),  # Cardiff: the sector's main LSOA in WIMD
        ("EH1 1AA", "S12000036", None, "sector"),  # Edinburgh: no shipped decile
        ("LS9", "E08000035", None, "district"),
        ("ZZ1 1ZZ", None, None, "unknown"),
        ("not a postcode", None, None, "unknown"),
    ],
)
def test_a_postcode_is_placed_as_precisely_as_the_shipped_data_allow(postcode, lad, decile, method):
    place = deprivation.lookup(postcode)
    assert (place.lad_code, place.decile, place.method) == (lad, decile, method)


def test_a_county_councils_area_is_its_districts():
    assert geography.district_gss_codes("LDS") == {"E08000035"}
    kent = geography.district_gss_codes("KEN")
    assert len(kent) == 13 and "E07000110" in kent  # Maidstone


def test_suppliers_are_classified_as_the_product_already_decides(world):
    facts = classify.facts_of([world.vcse.id, world.large.id, world.sme.id])
    area = classify.area_districts(world.buyer)
    vcse, large, sme = (
        classify.kind_for(facts[o.id], area) for o in (world.vcse, world.large, world.sme)
    )
    assert (vcse.vcse, vcse.sme, vcse.local, vcse.decile, vcse.place_method) == (
        True,
        True,
        True,
        1,
        "postcode",
    )
    assert (large.vcse, large.sme, large.local, large.place_method) == (
        False,
        False,
        False,
        "sector",
    )
    # An SME that is a CIC but was never admitted is not counted as a VCSE: the directory's rule.
    assert (sme.vcse, sme.sme, sme.local) == (False, True, False)
    assert classify.kind_for(None, area) == classify.UNCLASSIFIED
    # With no area the buyer has not said what local means.
    assert classify.kind_for(facts[world.vcse.id], frozenset()).local is None


# --- The counting -------------------------------------------------------------------------------

kinds = st.builds(
    classify.Kind,
    vcse=st.sampled_from([True, False, None]),
    sme=st.sampled_from([True, False, None]),
    local=st.sampled_from([True, False, None]),
    decile=st.sampled_from([None, *range(1, 11)]),
)
items = st.lists(
    st.tuples(
        st.sampled_from(["2023", "2024", "2025"]),
        st.integers(0, 8),
        st.integers(-(10**9), 10**9),
        st.integers(1, 5),
    ),
    max_size=60,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(items, st.lists(kinds, min_size=9, max_size=9))
def test_shares_always_add_up_and_never_pass_100_percent(rows, supplier_kinds):
    summary = reports.summarise(rows, lambda s: supplier_kinds[s])
    assert sum(r.spend for r in summary.values()) == sum(a for _k, _s, a, _c in rows)
    assert sum(r.lines for r in summary.values()) == sum(c for *_rest, c in rows)
    for row in summary.values():
        assert row.counted >= 0 and row.counted >= row.spend
        for name, _label in reports.MEASURES:
            m = row.measures[name]
            assert m.yes + m.no + m.unknown == row.counted
            assert m.suppliers_yes + m.suppliers_no + m.suppliers_unknown == row.suppliers
            shares = [row.share(name, part) for part in ("yes", "no", "unknown")]
            assert all(0 <= s <= 100 for s in shares)
            assert sum(shares) == pytest.approx(100 if row.counted else 0)
            assert 0 <= row.supplier_share(name) <= 100
        # The most deprived 10% is inside the most deprived 20%.
        assert row.measures["deprived_10"].yes <= row.measures["deprived_20"].yes


def test_a_suppliers_credits_are_set_against_its_payments():
    kind = classify.Kind(vcse=True, sme=True, local=True, decile=1)
    rows = [("y", "a", 1000, 1), ("y", "a", -300, 1), ("y", "b", 500, 1), ("y", "c", -200, 1)]
    (row,) = reports.summarise(rows, lambda s: kind).values()
    assert row.spend == 1000 and row.counted == 1200 and row.net_credits == 200
    assert row.suppliers == 2 and row.share("vcse") == 100


def test_financial_years_and_quarters():
    assert reports.financial_year(date(2024, 3, 31)) == 2023
    assert reports.financial_year(date(2024, 4, 1)) == 2024
    assert [reports.quarter_of(date(2024, m, 1)) for m in (4, 6, 7, 10, 12, 1, 3)] == [
        1,
        1,
        2,
        3,
        3,
        4,
        4,
    ]
    assert reports.year_label(2024) == "2024-25" and reports.year_label(2099) == "2099-00"


# --- Reports on real lines -----------------------------------------------------------------------


def _csv(*rows):
    return (
        "Payment Date,Supplier Name,Amount,Expense Type,Directorate\n" + "\n".join(rows) + "\n"
    ).encode()


def test_a_buyers_report_totals_equal_the_lines_behind_them(world):
    import_file(
        world.buyer_user,
        world.buyer,
        _csv(
            '10/04/2024,Riverside Community Care CIO,"£6,000.00",Befriending,Adults',
            "11/04/2024,Riverside Community Care CIO,-1000,Befriending,Adults",
            "15/07/2024,Yorkshire Water Services Ltd,3000,Water,Resources",
            "20/01/2025,Northern Lights Social Enterprise CIC,1000,Grounds,Resources",
            "21/01/2025,REDACTED PERSONAL DATA,500,Care,Adults",
            "22/02/2025,Someone Not Known Ltd,500,Grounds,Resources",
            "05/05/2025,Yorkshire Water Services Ltd,900,Water,Resources",  # the next year
        ),
    )
    report = reports.report([world.buyer.id], year=2024)
    lines = db.session.execute(sa.select(SpendLine)).scalars().all()
    assert report.total_spend == sum(l.amount_pence for l in lines) == 1_090_000
    assert sum(r.spend for r in report.years.values()) == report.total_spend
    year = report.years[2024]
    assert year.spend == 1_000_000 and year.lines == 6
    for table in (report.quarters, report.categories, report.departments):
        assert sum(r.spend for r in table.values()) == year.spend
    assert [r.label for r in report.quarters.values()] == ["Q1 2024-25", "Q2 2024-25", "Q4 2024-25"]
    # Riverside (VCSE, SME, local, decile 1): £5,000 of £10,000.
    assert year.share("vcse") == 50 and year.share("local") == 50
    assert year.share("deprived_10") == 50
    # Yorkshire Water (£3,000) is in Bradford, placed by its sector's median decile.
    bradford = deprivation.lookup(world.large.postcode).decile
    assert year.share("deprived_20") == 50 + (30 if bradford <= 2 else 0)
    # SMEs: Riverside and Northern Lights, £6,000.
    assert year.share("sme") == 60
    # Redacted and not matched: £1,000 unclassified.
    assert year.share("vcse", "unknown") == 10
    assert year.suppliers == 5 and year.measures["vcse"].suppliers_yes == 1
    assert [r.label for r in report.suppliers][:2] == [
        "Riverside Community Care CIO",
        "Yorkshire Water Services Limited",
    ]
    assert reports.kind_label(report.suppliers[0].kind) == "VCSE, SME, local"


def test_the_operator_sees_every_buyer_each_judged_local_by_its_own_area(world):
    from tests.lots.helpers import make_buyer

    import_file(
        world.buyer_user, world.buyer, _csv("10/04/2024,Riverside Community Care CIO,600,A,B")
    )
    other_user, other = make_buyer(
        world.admin, world.dps, email="b@man.example", name="Manchester City Council"
    )
    other.local_authority_code = "MAN"
    db.session.commit()
    import_file(other_user, other, _csv("10/04/2024,Riverside Community Care CIO,400,A,B"))
    report = reports.report(None, year=2024)
    year = report.years[2024]
    assert year.spend == 100_000 and year.suppliers == 2  # one supplier, counted per buyer
    assert year.share("local") == 60 and year.share("vcse") == 100


# --- Contracts awarded through the DPS ------------------------------------------------------------


def _contract(world, value, start, end):
    from tests.lots.helpers import ready_draft

    opportunity = ready_draft(world.buyer_user, world.buyer, world.lots[0])
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=world.buyer.id,
        supplier_id=world.vcse.id,
        lot_id=world.lots[0].id,
        value_pence=value,
        start_date=start,
        end_date=end,
        supplier_is_vcse=True,
        supplier_is_sme=True,
    )
    db.session.add(contract)
    db.session.flush()
    return contract


def test_a_contract_entered_becomes_its_months_of_spend(world):
    assert services.add_contract_spend in award_hooks._on_contract_entered
    contract = _contract(world, 1_000_001, date(2027, 1, 15), date(2027, 7, 14))
    award_hooks.run_on_contract_entered(contract)
    db.session.commit()
    lines = db.session.execute(sa.select(SpendLine).order_by(SpendLine.paid_on)).scalars().all()
    assert [l.paid_on for l in lines] == [date(2027, m, 15) for m in range(1, 7)]
    assert sum(l.amount_pence for l in lines) == 1_000_001
    assert {l.amount_pence for l in lines} == {166_666, 166_667}
    assert {(l.source, l.organisation_id, l.match_method) for l in lines} == {
        (SpendSource.DPS_CONTRACT, world.vcse.id, MatchMethod.CONTRACT)
    }
    assert lines[0].category == "Befriending"
    # Never twice: the hook again, or the command that catches up contracts without spend.
    assert services.add_contract_spend(contract) == 0
    assert services.sync_contract_spend() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(SpendLine)).scalar() == 6


def test_contracts_entered_before_spend_analysis_are_caught_up(world):
    _contract(world, 120_000, date(2027, 4, 1), date(2028, 3, 31))
    db.session.commit()
    assert services.sync_contract_spend() == 1
    report = reports.report([world.buyer.id], year=2027, source="dps_contract")
    assert report.years[2027].spend == 120_000
    assert [r.spend for r in report.quarters.values()] == [30_000] * 4


# --- A place's buyers side by side -----------------------------------------------------------------


def _west_yorkshire(world):
    """Leeds (the world's buyer) and Wakefield in West Yorkshire, Manchester outside it, each with
    a year of spend; returns (place, wakefield, manchester)."""
    from app.places import services as places
    from tests.lots.helpers import make_buyer

    wakefield_user, wakefield = make_buyer(
        world.admin, world.dps, email="w@wakefield.example", name="Wakefield Council"
    )
    wakefield.local_authority_code = "WKF"
    manchester_user, manchester = make_buyer(
        world.admin, world.dps, email="m@manchester.example", name="Manchester City Council"
    )
    manchester.local_authority_code = "MAN"
    db.session.commit()
    import_file(
        world.buyer_user,
        world.buyer,
        _csv(
            "10/04/2024,Riverside Community Care CIO,6000,Befriending,Adults",
            "15/07/2024,Yorkshire Water Services Ltd,4000,Water,Resources",
            "05/05/2025,Yorkshire Water Services Ltd,900,Water,Resources",  # the next year
        ),
    )
    import_file(
        wakefield_user,
        wakefield,
        _csv(
            "12/04/2024,Riverside Community Care CIO,3000,Befriending,Adults",
            "13/06/2024,Northern Lights Social Enterprise CIC,2000,Grounds,Resources",
            "14/06/2024,Northern Lights Social Enterprise CIC,-500,Grounds,Resources",
            "21/01/2025,REDACTED PERSONAL DATA,500,Care,Adults",
            "22/02/2025,Yorkshire Water Services Ltd,-700,Water,Resources",  # net credit
        ),
    )
    import_file(
        manchester_user, manchester, _csv("10/04/2024,Riverside Community Care CIO,999,A,B")
    )
    place = places.create_place(world.admin, "West Yorkshire", "West Yorkshire")
    return place, wakefield, manchester


def test_a_places_buyers_side_by_side_equal_their_own_reports_and_lines(world):
    from app.places import services as places

    place, wakefield, manchester = _west_yorkshire(world)
    ids = places.buyer_ids_in(place)
    assert set(ids) == {world.buyer.id, wakefield.id}
    side = reports.by_buyer(ids, year=2024)
    assert side.years == [2024, 2025] and side.year == 2024
    assert [r.label for r in side.buyers] == ["Leeds City Council", "Wakefield Council"]
    in_year = sa.and_(SpendLine.paid_on >= date(2024, 4, 1), SpendLine.paid_on < date(2025, 4, 1))
    for row in side.buyers:
        lines = db.session.execute(
            sa.select(sa.func.sum(SpendLine.amount_pence), sa.func.count()).where(
                SpendLine.buyer_id == row.key, in_year
            )
        ).one()
        assert (row.spend, row.lines) == (lines[0], lines[1])
        # The same figures as the buyer's own report of the year (local by its own area).
        own = reports.report([row.key], year=2024).years[2024]
        assert (row.counted, row.suppliers) == (own.counted, own.suppliers)
        for name, _label in reports.MEASURES:
            assert row.measures[name] == own.measures[name]
    leeds, wake = side.buyers
    assert leeds.spend == 1_000_000 and leeds.share("vcse") == 60 and leeds.share("local") == 60
    # Wakefield: Riverside £3,000 (a VCSE in Leeds, so not local to Wakefield), Northern Lights
    # £1,500 net, redacted £500, Yorkshire Water's £700 credit not counted.
    assert wake.spend == 430_000 and wake.counted == 500_000 and wake.net_credits == 70_000
    assert wake.share("vcse") == 60 and wake.share("local") == 0
    assert wake.share("vcse", "unknown") == 10
    # The place's total is the buyers' added up; Manchester's payment is not in it.
    total = side.total
    assert total.label == reports.PLACE_TOTAL
    assert total.spend == leeds.spend + wake.spend == 1_430_000
    assert total.counted == leeds.counted + wake.counted
    assert total.suppliers == leeds.suppliers + wake.suppliers
    for name, _label in reports.MEASURES:
        for part in ("yes", "no", "unknown"):
            assert getattr(total.measures[name], part) == sum(
                getattr(r.measures[name], part) for r in side.buyers
            )
        assert 0 <= total.share(name) <= 100
    assert side.rows()[-1] is total


def test_a_place_with_no_spend_lists_its_buyers_with_nothing(world):
    side = reports.by_buyer([world.buyer.id])
    assert side.years == [] and side.year is None
    assert [(r.label, r.spend) for r in side.buyers] == [("Leeds City Council", 0)]
    assert side.total.spend == 0 and side.total.share("vcse") == 0
