"""Alerts cover planned work as they cover opportunities: when a buyer lists an item, people
whose preferences or saved searches match hear about it once, at once or in a digest of its
own, by the same matching rules (lot, value, place, keywords); running the job again sends
nothing twice."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.outbox.models import OutboxMessage
from lots.pipeline import services as pipeline
from notifications.digests import send_digests
from notifications.models import PipelineAlert
from notifications.pipeline_alerts import planned_work, send_pipeline_alerts
from tests.lots.pipeline.helpers import list_item
from tests.notifications.alerting import NOW, alerted, follow, prefer, supplier, world

DIGEST_AT = datetime(2026, 12, 4, 7, 0, tzinfo=timezone.utc)


def test_a_listed_item_alerts_the_people_whose_settings_match_once(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()  # lot 1 is in Yorkshire and The Humber
    keen, keen_org = supplier("Keen CIC", "kay@keen.example")
    prefer(keen, keen_org, keywords="befriending")
    other, other_org = supplier("Elsewhere CIC", "eli@else.example")
    prefer(other, other_org, area_codes=["TLC"])  # the North East: not this lot's region
    costly, costly_org = supplier("Big CIC", "bo@big.example")
    prefer(costly, costly_org, min_value_pence=10_000_000)
    kinded, kinded_org = supplier("Quick CIC", "q@quick.example")
    prefer(kinded, kinded_org, opportunity_kind="quick_quote")  # any kind matches planned work
    follow("fan@public.example", lot_ids=[lots[0].id])
    follow("meals@public.example", keywords="meals")

    with time_machine.travel(NOW, tick=False):
        item = list_item(buyer_user, buyer, lots[0])
    assert planned_work(item).location_code == "TLE"
    run_jobs()
    assert alerted("pipeline_alert") == [
        "fan@public.example",
        "kay@keen.example",
        "q@quick.example",
    ]
    assert alerted("opportunity_alert") == []
    assert send_pipeline_alerts(item.id) == 0  # again, by hand: nothing new
    [message] = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "kay@keen.example")
    ).scalars()
    assert message.subject == f"Planned work alert: {item.title}"
    assert "April to June 2027" in message.body_text
    assert f"/pipeline/{item.id}" in message.body_text
    assert "/alerts/unsubscribe/" in message.body_text


def test_a_withdrawn_item_alerts_nobody(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    keen, keen_org = supplier("Keen CIC", "kay@keen.example")
    prefer(keen, keen_org)
    with time_machine.travel(NOW, tick=False):
        item = list_item(buyer_user, buyer, lots[0])
        pipeline.withdraw_item(buyer_user, item, "Not funded")
    run_jobs()
    assert alerted("pipeline_alert") == []


def test_a_daily_digest_lists_planned_work_in_its_own_email_once(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    daily, daily_org = supplier("Daily CIC", "dee@daily.example")
    prefer(daily, daily_org, frequency="daily")
    instant, instant_org = supplier("Instant CIC", "ian@instant.example")
    prefer(instant, instant_org)
    with time_machine.travel(NOW, tick=False):
        list_item(buyer_user, buyer, lots[0])
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        list_item(buyer_user, buyer, lots[0], title="Lunch clubs in Leeds")
    run_jobs()
    assert alerted("pipeline_alert") == ["ian@instant.example", "ian@instant.example"]

    assert send_digests("daily", now=DIGEST_AT) == 1
    assert send_digests("daily", now=DIGEST_AT) == 0  # again: nothing new
    [digest] = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "pipeline_digest")
    ).scalars()
    assert digest.recipient == "dee@daily.example"
    assert [i["title"] for i in digest.personalisation["items"]] == [
        "Befriending for older people in Leeds",
        "Lunch clubs in Leeds",
    ]
    run_jobs()
    db.session.expire_all()
    assert digest.subject == "Your daily planned work alert: 2 new items"
    assert db.session.execute(sa.select(sa.func.count(PipelineAlert.id))).scalar() == 4
