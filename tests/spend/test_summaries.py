"""The sums reports read (``spend.summaries``) stay consistent with the spend lines through every
change: a file imported, a contract's months added, a likely match accepted, another buyer's
file; and a report read from them totals the lines behind it."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from spend import reports, services, summaries
from spend.models import SpendLine, SpendSummary, SupplierMatch
from tests.spend.helpers import import_file, make_world
from tests.spend.test_reports import _contract


@pytest.fixture
def world(app):
    return make_world()


FILE = (
    b"Payment Date,Supplier Name,Amount,Expense Type,Directorate\n"
    b'10/04/2024,Riverside Community Care CIO,"6,000",Befriending,Adults\n'
    b"11/04/2024,Riverside Community Care CIO,-1000,Befriending,Adults\n"
    b"15/07/2024,Yorkshire Water Services Ltd,3000,Water,Resources\n"
    b"21/01/2025,REDACTED PERSONAL DATA,500,Care,Adults\n"
    b"22/02/2025,Riverside Comunity Care,700,,Adults\n"
    b"05/05/2025,Yorkshire Water Services Ltd,900,Water,\n"
)


def _line_totals(buyer_id):
    return db.session.execute(
        sa.select(sa.func.sum(SpendLine.amount_pence), sa.func.count()).where(
            SpendLine.buyer_id == buyer_id
        )
    ).one()


def test_the_sums_follow_every_change_to_the_lines(world):
    buyer = world.buyer.id
    import_file(world.buyer_user, world.buyer, FILE)
    assert summaries.differences(buyer) == []
    months = db.session.execute(
        sa.select(sa.func.sum(SpendSummary.amount_pence), sa.func.sum(SpendSummary.lines)).where(
            SpendSummary.buyer_id == buyer, SpendSummary.dimension == "month"
        )
    ).one()
    assert tuple(int(v) for v in months) == tuple(_line_totals(buyer))

    _contract(world, 1_200_000, date(2024, 4, 1), date(2025, 3, 31))
    db.session.commit()
    services.sync_contract_spend()
    assert summaries.differences(buyer) == []

    match = db.session.execute(
        sa.select(SupplierMatch).where(SupplierMatch.status == "pending")
    ).scalar_one()
    services.accept_match(world.buyer_user, match)
    assert summaries.differences(buyer) == []
    report = reports.report([buyer], year=2024)
    total, count = _line_totals(buyer)
    assert report.total_spend == total and report.total_lines == count
    for table in (report.quarters, report.categories, report.departments, report.lots):
        assert sum(r.spend for r in table.values()) == report.years[2024].spend
    # The accepted name now counts as Riverside's: a VCSE.
    assert report.years[2024].share("vcse", "unknown") < 10

    # A line changed behind the services' back is caught, and a rebuild puts it right.
    db.session.execute(
        sa.update(SpendLine).where(SpendLine.buyer_id == buyer).values(amount_pence=1)
    )
    assert summaries.differences(buyer) != []
    summaries.rebuild_all()
    assert summaries.differences(buyer) == []


def test_each_buyers_sums_are_its_own(world):
    from tests.lots.helpers import make_buyer

    import_file(world.buyer_user, world.buyer, FILE)
    other_user, other = make_buyer(world.admin, world.dps, email="b@w.example", name="Wakefield")
    import_file(other_user, other, FILE.replace(b"Riverside", b"Calder"))
    for buyer in (world.buyer.id, other.id):
        assert summaries.differences(buyer) == []
    both = reports.report(None, year=2024)
    assert both.total_spend == sum(_line_totals(b)[0] for b in (world.buyer.id, other.id))


def test_the_operator_can_rebuild_the_sums(app, world):
    import_file(world.buyer_user, world.buyer, FILE)
    db.session.execute(sa.delete(SpendSummary))
    db.session.commit()
    assert summaries.differences(world.buyer.id) != []
    result = app.test_cli_runner().invoke(args=["spend", "rebuild-sums"])
    assert result.exit_code == 0 and "agree with the lines" in result.output
    assert summaries.differences(world.buyer.id) == []
