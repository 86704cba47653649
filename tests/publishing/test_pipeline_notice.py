"""The pipeline notice (UK1) on PostgreSQL: each planned call-off a buyer lists publishes one,
in the same transaction, as an OCDS 1.1.5 ``planning`` release that validates; none under PCR
2015; and the call-off drafted from it links back to it (``relatedProcesses``, ``planning``)."""

from datetime import timedelta

import pytest
import time_machine

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from lots.opportunities import services as opportunities
from lots.pipeline import services as pipeline
from publishing import releases, rules, standard
from publishing.models import Notice
from tests.dps.helpers import make_admin, make_dps
from tests.lots.helpers import DEADLINE, make_buyer, setup_world
from tests.lots.pipeline.helpers import NOW, list_item
from tests.pages import soup, text
from tests.publishing.helpers import notices


@pytest.fixture
def world(app):
    return setup_world()


def test_the_rule_table_names_uk1_for_the_pipeline_under_the_act_only():
    rule = rules.rule_for(rules.Event.PIPELINE_ITEM_PUBLISHED, "procurement_act_2023")
    assert (rule.notice_type, rule.tag, rule.document_type) == (
        "UK1",
        ("planning",),
        "plannedProcurementNotice",
    )
    assert rules.rule_for(rules.Event.PIPELINE_ITEM_PUBLISHED, "pcr_2015") is None


def test_listing_a_planned_call_off_publishes_its_pipeline_notice(world, client):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0], expected_year=2027, expected_quarter=2)
    [uk1] = notices(releases.pipeline_ocid(item))
    assert (uk1.notice_type, uk1.version, uk1.pipeline_item_id, uk1.buyer_id) == (
        "UK1",
        1,
        item.id,
        buyer.id,
    )
    assert uk1.published_at == NOW and uk1.opportunity_id is None
    release = uk1.release
    assert standard.errors(release) == []
    assert release["tag"] == ["planning"]
    tender = release["tender"]
    assert (tender["status"], tender["title"], tender["value"]) == (
        "planned",
        item.title,
        {"amount": 40_000, "currency": "GBP"},
    )
    assert tender["tenderPeriod"]["startDate"] == "2027-04-01T00:00:00+01:00"
    assert tender["techniques"]["hasDynamicPurchasingSystem"] is True
    assert tender["documents"][0]["noticeType"] == "UK1"
    assert tender["documents"][0]["documentType"] == "plannedProcurementNotice"
    assert release["buyer"]["name"] == buyer.name
    assert release["parties"][0]["contactPoint"]["email"] == "bea@leeds.example"
    assert release["relatedProcesses"][0]["identifier"] == releases.dps_ocid(dps)
    # Written in the same transaction as the item, and audited.
    published = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.event_type == "publish_notice")
    ).scalars()
    assert any(e.detail["notice_type"] == "UK1" for e in published)
    # Its page, for anyone.
    page = soup(client.get(f"/notices/{uk1.release_id}"))
    assert text(page.h1) == item.title
    assert "Call-off expected from 1 April 2027" in text(page.select_one("#notice"))


def test_a_refused_item_publishes_no_notice(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ServiceError):
            list_item(user, buyer, lots[0], expected_year=2026, expected_quarter=3)
    db.session.rollback()
    assert db.session.execute(db.select(Notice).where(Notice.notice_type == "UK1")).all() == []


def test_no_pipeline_notice_under_pcr_2015(app):
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    user, buyer = make_buyer(admin, dps)
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
    assert notices(releases.pipeline_ocid(item)) == []


def test_the_call_off_drafted_from_an_item_links_back_to_its_pipeline_notice(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=True):
        item = list_item(user, buyer, lots[0])
        opportunity = pipeline.draft_call_off(user, item)
        opportunities.update_draft(
            user,
            opportunity,
            summary="Weekly befriending visits for 60 older people",
            submission_deadline=DEADLINE,
            question_deadline=DEADLINE - timedelta(days=5),
        )
        opportunities.set_questions(
            user,
            opportunity,
            [
                {"kind": "quality", "text": "How will you recruit volunteers?", "weight": 40},
                {"kind": "social_value", "text": "What local jobs will you create?", "weight": 10},
            ],
        )
        opportunities.publish(user, opportunity)
    [uk4] = notices(releases.call_off_ocid(opportunity), "UK4")
    links = {p["id"]: p for p in uk4.release["relatedProcesses"]}
    assert links["pipeline"]["relationship"] == ["planning"]
    assert links["pipeline"]["identifier"] == releases.pipeline_ocid(item)
    assert links["dps"]["relationship"] == ["framework"]
    assert standard.errors(uk4.release) == []
    # The pipeline notice itself stays one notice.
    assert len(notices(releases.pipeline_ocid(item))) == 1


def test_withdrawing_a_planned_call_off_publishes_a_new_version_of_its_pipeline_notice(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        pipeline.withdraw_item(user, item, "The council will run it in house")
    first, second = notices(releases.pipeline_ocid(item), "UK1")
    assert (second.version, second.replaces_id, second.summary) == (
        2,
        first.id,
        "The council will run it in house",
    )
    assert second.release["tag"] == ["planningUpdate"]
    assert second.release["tender"]["status"] == "withdrawn"
    assert first.release["tender"]["status"] == "planned"  # the first as it was published
    assert standard.errors(second.release) == []
