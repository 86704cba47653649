"""Notices on PostgreSQL: which notice each event writes, corrections as new versions, a tender
notice frozen after its deadline, the seal in open data, the order rule (no contract award
notice while an assessment summary is unsent), the contract details notice due, reminded and
overdue across bank holidays, and the trigger that keeps a published notice as it was."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from app.errors import Conflict, DeadlinePassed
from app.extensions import db
from dps.services import setup
from lots.opportunities import amendments
from publishing import releases, services, standard
from publishing.models import Notice
from publishing.rules import Event
from tests.dps.helpers import make_admin, make_dps
from tests.lots.awards.helpers import contract_for
from tests.lots.bidding import bidding_world, past_deadline, world_with_bids
from tests.lots.helpers import admit, supplier
from tests.pages import section, soup, table_rows, text
from tests.publishing.helpers import confirm_award, notices
from tests.reading import emails


def assert_valid(release):
    assert standard.errors(release) == []


def test_a_dps_has_its_establishment_notice_corrected_until_someone_joins_then_modified(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    ocid = releases.dps_ocid(dps)
    uk14 = notices(ocid, "UK14")
    # Each lot added before anyone joined corrects the establishment notice.
    assert [n.version for n in uk14] == list(range(1, len(uk14) + 1)) and len(uk14) > 1
    assert [n.replaces_id for n in uk14] == [None] + [n.id for n in uk14[:-1]]
    first, last = uk14[0].release, uk14[-1].release
    assert "lots" not in first["tender"]
    assert [lot["id"] for lot in last["tender"]["lots"]] == [str(lot.number) for lot in lots]
    assert last["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True
    assert last["tender"]["documents"][0]["noticeType"] == "UK14"
    for n in uk14:
        assert_valid(n.release)
    # Once a supplier is admitted, a change is a modification notice.
    _, org = supplier("Joined CIC", "joined@joined.example")
    admit(org, lots[0])
    setup.add_lot(
        admin, dps, number=9, title="Gardening", description="Gardens", max_value_pence=900_000
    )
    [uk15] = notices(ocid, "UK15")
    assert uk15.version == 1 and uk15.release["tag"] == ["tenderAmendment"]
    assert_valid(uk15.release)
    # When it ends, one cessation notice, however often the job runs.
    with time_machine.travel(
        datetime.combine(dps.ends_on + timedelta(days=1), datetime.min.time(), timezone.utc)
        + timedelta(hours=9),
        tick=False,
    ):
        assert services.end_finished_dps() == 1
        assert services.end_finished_dps() == 0
    [uk16] = notices(ocid, "UK16")
    assert uk16.release["tender"]["techniques"]["dynamicPurchasingSystem"]["status"] == "terminated"
    assert_valid(uk16.release)


def test_a_pcr_2015_dps_publishes_a_contract_notice_with_the_dps_flag(app):
    admin = make_admin()
    dps, _ = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    found = notices(releases.dps_ocid(dps))
    assert {n.notice_type for n in found} == {"PCR-CN-DPS"}
    assert found[-1].release["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True


def test_an_amendment_is_a_new_version_and_a_tender_notice_cannot_change_after_its_deadline(app):
    w = bidding_world()
    ocid = releases.call_off_ocid(w.opportunity)
    [uk4] = notices(ocid, "UK4")
    before = json.dumps(uk4.release, sort_keys=True)
    assert uk4.release["relatedProcesses"][0]["identifier"] == releases.dps_ocid(w.dps)
    amendments.amend(
        w.buyer_user, w.opportunity, "A clearer description", description="Befriending in Leeds"
    )
    first, second = notices(ocid, "UK4")
    assert (second.version, second.replaces_id, second.summary) == (
        2,
        first.id,
        "A clearer description",
    )
    assert second.release["tender"]["description"] == "Befriending in Leeds"
    assert second.release["tag"] == ["tenderAmendment"]
    assert json.dumps(first.release, sort_keys=True) == before  # the first as it was published
    assert_valid(second.release)
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        with pytest.raises(DeadlinePassed, match="cannot change after its deadline"):
            services.publish_for(Event.CALL_OFF_AMENDED, opportunity=w.opportunity)
        with pytest.raises(DeadlinePassed):
            services.correct(second, "Too late")
    db.session.rollback()
    assert len(notices(ocid, "UK4")) == 2


def test_the_seal_holds_in_open_data_before_the_deadline(app, client):
    w = world_with_bids()
    amendments.amend(w.buyer_user, w.opportunity, "More detail", summary="More detail on the work")
    names = [org.name for _, org in w.suppliers]
    assert releases.bid_statistics(w.opportunity, datetime.now(timezone.utc)) is None
    for notice in notices(releases.call_off_ocid(w.opportunity)):
        text = json.dumps(notice.release)
        assert "bids" not in notice.release and "awards" not in notice.release
        assert not any(name in text for name in names)
    body = client.get("/api/ocds/releases").get_data(as_text=True)
    record = client.get(f"/api/ocds/records/{releases.call_off_ocid(w.opportunity)}")
    for text in (body, record.get_data(as_text=True)):
        assert '"statistics"' not in text and not any(name in text for name in names)
    # After the deadline the counts may be told (the bids are in, both from SMEs).
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        stats = releases.bid_statistics(w.opportunity, datetime.now(timezone.utc))
        counts = {s["measure"]: s["value"] for s in stats["statistics"]}
        assert counts["bids"] == 2 and counts["smeFinalStageBids"] == 2


def test_no_contract_award_notice_while_a_letter_is_unsent_and_no_details_notice_before_it(
    app, run_jobs
):
    w = world_with_bids()
    ocid = releases.call_off_ocid(w.opportunity)
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        confirm_award(w)  # no standstill: the contract is entered at once, its UK7 due
        [uk7] = notices(ocid, "UK7")
        assert not uk7.is_published and uk7.due_on is not None
        with pytest.raises(Conflict, match="2 of 2 assessment summaries have not been sent"):
            services.publish_award_notice(w.opportunity)
        with pytest.raises(Conflict, match="Publish the contract award notice first"):
            services.publish_due(w.buyer_user, uk7)
        db.session.rollback()
        assert notices(ocid, "UK6") == []
        run_jobs()  # the letters: the last one writes the contract award notice
        [uk6] = notices(ocid, "UK6")
        award = uk6.release["awards"][0]
        assert award["assessmentSummariesDateSent"] and award["suppliers"][0]["name"]
        counts = {s["measure"]: s["value"] for s in uk6.release["bids"]["statistics"]}
        assert counts["bids"] == 2
        assert_valid(uk6.release)
        # Running the letters again writes no second notice.
        run_jobs()
        assert len(notices(ocid, "UK6")) == 1
        uk7 = db.session.get(Notice, uk7.id)
        services.publish_due(w.buyer_user, uk7)
        uk7 = db.session.get(Notice, uk7.id)
        assert uk7.is_published and uk7.release["contracts"][0]["agreedMetrics"]
        assert_valid(uk7.release)
        with pytest.raises(Conflict, match="already been published"):
            services.publish_due(w.buyer_user, uk7)


def test_the_contract_details_notice_is_due_in_30_days_reminded_5_working_days_before(app):
    w = bidding_world()
    contract = contract_for(w, {"SV-EMP-01": "2"})
    # Entered on 1 December 2026: due by 30 December (the day of entry counts as the first).
    contract.entered_at = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    notice = services.publish_for(Event.CONTRACT_ENTERED, contract=contract)
    db.session.commit()
    assert notice.due_on == date(2026, 12, 30)
    calendar = w.dps.calendar
    # Christmas Day and the Boxing Day holiday (Monday 28th) are not working days, so 5 working
    # days before the 30th is Monday 21st, not Wednesday 23rd.
    assert not services.reminder_due(notice, calendar, date(2026, 12, 18))
    assert services.reminder_due(notice, calendar, date(2026, 12, 21))
    assert not services.is_overdue(notice, date(2026, 12, 30))
    assert services.is_overdue(notice, date(2026, 12, 31))
    with time_machine.travel(datetime(2026, 12, 18, 8, 0, tzinfo=timezone.utc), tick=False):
        assert services.remind_due_notices() == 0
    with time_machine.travel(datetime(2026, 12, 21, 8, 0, tzinfo=timezone.utc), tick=False):
        assert services.remind_due_notices() == 1
        assert services.remind_due_notices() == 0
    sent = emails("notice_due")
    assert sent and {e.recipient for e in sent} == {w.buyer_user.email}


def test_a_published_notice_never_changes_in_the_database(app):
    w = bidding_world()
    [uk4] = notices(releases.call_off_ocid(w.opportunity), "UK4")
    db.session.commit()
    for statement in (
        "UPDATE notices SET title = 'Changed' WHERE id = :id",
        "UPDATE notices SET release = '{}' WHERE id = :id",
        "DELETE FROM notices WHERE id = :id",
    ):
        with pytest.raises(sa.exc.IntegrityError, match="never changes"):
            db.session.execute(sa.text(statement), {"id": uk4.id})
        db.session.rollback()
    # The reminder's mark is the one column that may be set on it.
    db.session.execute(
        sa.text("UPDATE notices SET reminded_at = now() WHERE id = :id"), {"id": uk4.id}
    )
    db.session.commit()


def test_the_buyer_sees_a_notice_due_then_overdue_and_the_refusal_on_its_page(
    app, client, forms, auth
):
    w = bidding_world()
    contract = contract_for(w, {"SV-EMP-01": "2"})
    contract.entered_at = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    notice = services.publish_for(Event.CONTRACT_ENTERED, contract=contract)
    db.session.commit()
    url = f"/buyer/{w.buyer.id}/notices"
    with time_machine.travel(datetime(2026, 12, 29, 9, 0, tzinfo=timezone.utc), tick=False):
        auth.sign_in(w.buyer_user.email)
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        rows = table_rows(page, "notices-due")
        assert rows[0][0] == "Contract details notice" and rows[0][3] == "Due soon"
    with time_machine.travel(datetime(2026, 12, 31, 9, 0, tzinfo=timezone.utc), tick=False):
        auth.sign_in(w.buyer_user.email)
        page = client.get(url)
        assert table_rows(page, "notices-due")[0][3] == "Overdue"
        buyer_page = client.get(f"/buyer/{w.buyer.id}/opportunities")
        assert "1 overdue" in section(buyer_page, "notices-link")
        # No award notice yet (this contract skipped the award): publishing is refused, and said.
        refused = forms.post(f"/buyer/{w.buyer.id}/notices/{notice.id}/publish", form_url=url)
        assert refused.status_code == 400
        summary = text(soup(refused).select_one(".govuk-error-summary"))
        assert "Publish the contract award notice first" in summary
    # Someone from another organisation cannot see it.
    other, _ = supplier("Other CIC", "other@other.example")
    auth.sign_in(other.email)
    assert client.get(url).status_code == 403
