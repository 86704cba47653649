"""Social value returns, their whole life: a schedule from the contract's commitments, due,
reminded, submitted (values checked by each measure's type, evidence required, postcodes kept
as sectors only), queried with a reason, amended, accepted (then counted as delivered by each
measure's own rule), and overdue returns flagged to both sides once."""

import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from lots.awards import figures as award_figures
from lots.awards import queries as award_queries
from lots.awards import returns
from lots.awards.models import ReturnStatus, SocialValueDelivery, SocialValueFigures
from lots.awards.schedule import make_schedule, periods
from tests.lots.awards.helpers import contract_for
from tests.lots.bidding import bidding_world, colleague
from tests.reading import audit_events, emails

START = date(2027, 1, 4)
MEASURES = ["SV-EMP-01", "SV-COM-01", "SV-FW-01"]


def on(day, hour=9):
    """Travel to ``day`` at ``hour`` UTC (the schedule is in London days)."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc), tick=False
    )


@pytest.fixture
def world(app):
    return bidding_world(social_value_measures=MEASURES)


@pytest.fixture
def contract(world):
    c = contract_for(world, {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100"}, start=START)
    c.end_date = date(2028, 1, 3)  # twelve months, as contracts are entered
    make_schedule(c, "quarterly")
    db.session.commit()
    return c


def supplier(world):
    return world.suppliers[0][0]


def values(contract, emp="2", com="30", fw="95"):
    by = {c.measure_id: c.id for c in contract.commitments}
    return {by["SV-EMP-01"]: emp, by["SV-COM-01"]: com, by["SV-FW-01"]: fw}


def postcodes(contract, text):
    return {next(c.id for c in contract.commitments if c.measure_id == "SV-EMP-01"): text}


def test_quarterly_and_monthly_schedules_cover_the_contract():
    end = date(2028, 1, 3)
    quarters = periods(START, end, "quarterly")
    assert quarters[0] == (date(2027, 1, 4), date(2027, 4, 3))
    assert quarters[-1] == (date(2027, 10, 4), date(2028, 1, 3))
    assert len(quarters) == 4
    months = periods(START, end, "monthly")
    assert len(months) == 12
    assert all(b[0] == a[1] + timedelta(days=1) for a, b in itertools.pairwise(months))


def test_a_contract_gets_a_return_per_period_due_30_days_after(contract):
    assert contract.reporting_frequency.value == "quarterly"
    assert [r.period_start for r in contract.returns] == [
        date(2027, 1, 4),
        date(2027, 4, 4),
        date(2027, 7, 4),
        date(2027, 10, 4),
    ]
    first = contract.returns[0]
    assert first.due_on == date(2027, 5, 3)
    assert first.status == ReturnStatus.AWAITING


def test_a_returns_whole_life(world, contract, smtp):
    ret = contract.returns[0]
    person = supplier(world)
    with on(date(2027, 3, 1)):
        assert returns.standing(ret).key == "upcoming"
        with pytest.raises(ServiceError, match="You can submit this return from"):
            returns.submit_return(person, ret, values(contract), note="Payroll")
        assert returns.remind_returns() == (0, 0)

    with on(date(2027, 4, 5)):
        assert returns.standing(ret).key == "due"
        assert returns.remind_returns() == (1, 0)
        assert returns.remind_returns() == (0, 0)  # once only
        assert [e.recipient for e in emails("social_value_return_due")] == [person.email]
        # Evidence is required: a document or a note.
        with pytest.raises(ServiceError, match="Give evidence") as refused:
            returns.submit_return(person, ret, values(contract))
        assert refused.value.field == "note"
        # The buyer cannot submit the supplier's return.
        with pytest.raises(NotAllowed):
            returns.submit_return(world.buyer_user, ret, values(contract), note="x")
        returns.submit_return(
            person,
            ret,
            values(contract),
            note="From the payroll at the end of the quarter",
            postcodes=postcodes(contract, "ls6 2ab\nLS7 3EX, LS6 2"),
        )
        assert ret.status == ReturnStatus.SUBMITTED
        assert returns.standing(ret).buyer_to_act
        line = next(x for x in ret.lines if x.commitment.measure_id == "SV-EMP-01")
        # Sectors only: nothing of the rest of a postcode is kept.
        assert line.postcode_sectors == ["LS6 2", "LS6 2", "LS7 3"]
        assert "2AB" not in str(audit_events("submit_social_value_return")[-1].detail)
        assert [e.recipient for e in emails("social_value_return_submitted")] == [
            world.buyer_user.email
        ]
        # The supplier cannot accept it; the buyer must give a reason to query it.
        with pytest.raises(NotAllowed):
            returns.accept_return(person, ret)
        with pytest.raises(ServiceError, match="Enter what the supplier needs") as refused:
            returns.query_return(world.buyer_user, ret, "  ")
        assert refused.value.field == "reason"
        returns.query_return(world.buyer_user, ret, "The volunteering hours need the rota")
        assert ret.status == ReturnStatus.QUERIED
        assert returns.standing(ret).key == "queried"
        assert emails("social_value_return_queried")[0].personalisation["reason"] == (
            "The volunteering hours need the rota"
        )
        # Nothing counts as delivered until the buyer accepts.
        assert db.session.execute(sa.select(SocialValueDelivery)).first() is None

    with on(date(2027, 5, 10)):
        assert returns.standing(ret).key == "queried_overdue"
        assert returns.remind_returns() == (0, 1)
        flagged = {e.recipient for e in emails("social_value_return_overdue")}
        assert flagged == {person.email, world.buyer_user.email}
        assert returns.remind_returns() == (0, 0)
        returns.submit_return(person, ret, values(contract, com="28"), note="Rota attached")
        assert ret.submissions == 2
        returns.accept_return(world.buyer_user, ret)
        assert ret.status == ReturnStatus.ACCEPTED
        with pytest.raises(ServiceError, match="accepted and cannot change"):
            returns.submit_return(person, ret, values(contract), note="again")
        delivered = {c.measure_id: d for c, d in award_queries.promised_and_delivered(contract)}
        assert delivered == {
            "SV-EMP-01": Decimal("2"),
            "SV-COM-01": Decimal("28"),
            "SV-FW-01": Decimal("95"),
        }
    kinds = [e.event_type for e in audit_events() if "return" in e.event_type]
    assert kinds == [
        "remind_social_value_return",
        "submit_social_value_return",
        "query_social_value_return",
        "flag_overdue_social_value_return",
        "submit_social_value_return",
        "accept_social_value_return",
    ]


def test_an_awaiting_return_is_flagged_overdue_to_both_sides(world, contract):
    with on(date(2027, 5, 4)):
        assert returns.standing(contract.returns[0]).key == "overdue"
        reminded, flagged = returns.remind_returns()
    assert flagged == 1
    assert reminded == 0  # past its due date: the overdue notice says it all
    assert {e.recipient for e in emails("social_value_return_overdue")} == {
        supplier(world).email,
        world.buyer_user.email,
    }


@pytest.mark.parametrize(
    ("field_measure", "typed", "message"),
    [
        ("SV-FW-01", "101", "Enter a percentage from 0 to 100"),
        ("SV-COM-01", "-3", "Enter a number of hours of 0 or more"),
        ("SV-COM-01", "", "Enter what was delivered for"),
        ("SV-EMP-01", "lots", "as a number"),
    ],
)
def test_values_of_the_wrong_type_are_refused(world, contract, field_measure, typed, message):
    ret = contract.returns[0]
    typed_values = values(contract)
    commitment = next(c for c in contract.commitments if c.measure_id == field_measure)
    typed_values[commitment.id] = typed
    with on(date(2027, 4, 5)), pytest.raises(ServiceError, match=message) as refused:
        returns.submit_return(supplier(world), ret, typed_values, note="n")
    assert refused.value.field == f"value-{commitment.id}"
    assert ret.status == ReturnStatus.AWAITING


def test_a_full_address_or_a_bad_postcode_is_refused(world, contract):
    with on(date(2027, 4, 5)), pytest.raises(ServiceError, match="is not a postcode") as refused:
        returns.submit_return(
            supplier(world),
            contract.returns[0],
            values(contract),
            note="n",
            postcodes=postcodes(contract, "12 High Street, Leeds"),
        )
    assert refused.value.field.startswith("postcodes-")


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_order_of_accepting_returns_gives_the_same_totals(world, contract, order):
    """Sums add up, the latest period is the latest by date (not by acceptance), never summed."""
    person = supplier(world)
    figures = [("1", "10", "90"), ("2", "20", "80"), ("3", "30", "85")]
    with on(date(2027, 10, 5)):
        for i in range(3):
            emp, com, fw = figures[i]
            returns.submit_return(
                person, contract.returns[i], values(contract, emp, com, fw), note="n"
            )
        for i in order:
            returns.accept_return(world.buyer_user, contract.returns[i])
    db.session.expire_all()
    delivered = {c.measure_id: d for c, d in award_queries.promised_and_delivered(contract)}
    assert delivered == {
        "SV-EMP-01": Decimal("3"),  # FTE in post: the latest quarter, not 6
        "SV-COM-01": Decimal("60"),  # hours add up
        "SV-FW-01": Decimal("85"),  # a percentage: the latest, never 255
    }
    # The figures reports read are kept with the records, whatever the order.
    assert award_figures.differences() == []
    from insight import reports

    totals = {m.measure.id: m.total.delivered for m in reports.report().measures}
    assert totals == delivered


def test_the_figures_reports_read_follow_every_record_and_are_worked_out_when_missing(
    world, contract
):
    from insight import reports

    person = supplier(world)
    with on(date(2027, 10, 5)):
        returns.submit_return(
            person,
            contract.returns[0],
            values(contract, "2", "30", "95"),
            note="n",
            postcodes=postcodes(contract, "LS9 8AA, BD3 0AA"),
        )
        returns.accept_return(world.buyer_user, contract.returns[0])
    stored = db.session.execute(sa.select(SocialValueFigures)).scalars().all()
    assert len(stored) == 3 and award_figures.differences() == []
    emp = next(c for c in contract.commitments if c.measure_id == "SV-EMP-01")
    row = db.session.get(SocialValueFigures, emp.id)
    assert (row.delivered, row.periods, row.quarters) == ("2.00", 1, [[2027, 1, "2.00"]])
    before = reports.report()
    # Records held before the figures were kept (or a row lost): worked out when read.
    db.session.execute(sa.delete(SocialValueFigures))
    db.session.commit()
    assert award_figures.differences() == sorted(c.id for c in contract.commitments)
    after = reports.report()
    assert [(m.measure.id, m.total, m.landing, m.by_quarter) for m in after.measures] == [
        (m.measure.id, m.total, m.landing, m.by_quarter) for m in before.measures
    ]
    award_figures.rebuild_all()
    assert award_figures.differences() == []


def test_the_buyer_sets_the_frequency_until_a_return_is_submitted(world, contract):
    made = returns.set_reporting_frequency(world.buyer_user, contract, "monthly")
    assert len(made) == 12
    with pytest.raises(NotAllowed):
        returns.set_reporting_frequency(supplier(world), contract, "quarterly")
    db.session.expire_all()
    with on(date(2027, 2, 4)):
        returns.submit_return(supplier(world), contract.returns[0], values(contract), note="n")
    with pytest.raises(ServiceError, match="already submitted"):
        returns.set_reporting_frequency(world.buyer_user, contract, "quarterly")


def test_returns_are_listed_only_to_those_who_may_open_them(world, contract):
    """The supplier's people and the buyer's buyers see the returns; a buyer's evaluator, and a
    member of another supplier, see none."""
    supplier_user, supplier_org = world.suppliers[0]
    other_user, _ = world.suppliers[1]
    evaluator = colleague(world.buyer, "eve@buyer.example")
    due = len(contract.returns)
    assert due > 0
    assert len(award_queries.returns_readable_by(supplier_user, supplier_org.id)) == due
    assert len(award_queries.returns_readable_by(world.buyer_user, world.buyer.id)) == due
    assert award_queries.returns_readable_by(evaluator, world.buyer.id) == []
    assert award_queries.returns_readable_by(other_user, supplier_org.id) == []
