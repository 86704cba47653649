"""Daily and weekly digests: one email per person with what matched in the period, never an
opportunity they already heard about at once, and nothing twice when run again."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.extensions import db
from app.outbox.models import OutboxMessage
from notifications.digests import batch_name, send_digests
from notifications.models import AlertFrequency, AlertSubscription
from tests.notifications.alerting import NOW, alerted, follow, prefer, publish, supplier, world

# Friday 4 December 2026, 07:00 in London (GMT): the daily digest after NOW's publications.
DIGEST_AT = datetime(2026, 12, 4, 7, 0, tzinfo=timezone.utc)


def _digests():
    db.session.expire_all()
    return {
        m.recipient: m
        for m in db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.template == "opportunity_digest")
        ).scalars()
    }


def _titles(message):
    return [o["title"] for o in message.personalisation["opportunities"]]


def test_a_daily_digest_lists_the_day_s_matches_once(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    daily_user, daily_org = supplier("Daily CIC", "dee@daily.example")
    prefer(daily_user, daily_org, frequency="daily")
    instant_user, instant_org = supplier("Instant CIC", "ian@instant.example")
    prefer(instant_user, instant_org)
    follow("weekly@public.example", frequency="weekly")
    publish(buyer_user, buyer, lots[0])
    publish(buyer_user, buyer, lots[0], title="Lunch clubs in Leeds", at=NOW + timedelta(hours=1))
    run_jobs()
    assert alerted() == ["ian@instant.example", "ian@instant.example"]

    assert send_digests("daily", now=DIGEST_AT) == 1
    digests = _digests()
    assert list(digests) == ["dee@daily.example"]
    assert _titles(digests["dee@daily.example"]) == [
        "Befriending for older people in Leeds",
        "Lunch clubs in Leeds",
    ]
    assert send_digests("daily", now=DIGEST_AT) == 0  # again: nothing new
    assert send_digests("daily", now=DIGEST_AT + timedelta(days=1)) == 0  # next day: nothing
    run_jobs()
    message = _digests()["dee@daily.example"]
    assert message.subject == "Your daily opportunity alert: 2 new opportunities"
    assert "Lunch clubs in Leeds" in message.body_text
    assert "/alerts/unsubscribe/" in message.body_text

    # The weekly one, on Monday 7 December.
    monday = datetime(2026, 12, 7, 7, 0, tzinfo=timezone.utc)
    assert batch_name(AlertFrequency.WEEKLY, monday) == "weekly:2026-12-07"
    assert send_digests("weekly", now=monday) == 1
    assert len(_titles(_digests()["weekly@public.example"])) == 2


def test_an_opportunity_sent_at_once_is_not_repeated_in_the_digest(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Switching CIC", "sam@switch.example")
    row = prefer(user, org)  # at once, first
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["sam@switch.example"]
    row = db.session.get(AlertSubscription, row.id)
    row.frequency = AlertFrequency.DAILY  # then a daily digest
    db.session.commit()
    publish(buyer_user, buyer, lots[0], title="Lunch clubs in Leeds", at=NOW + timedelta(hours=1))
    run_jobs()

    assert send_digests("daily", now=DIGEST_AT) == 1
    assert _titles(_digests()["sam@switch.example"]) == ["Lunch clubs in Leeds"]


def test_a_missed_digest_is_caught_up_by_the_next_without_repeats(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Daily CIC", "dee@daily.example")
    prefer(user, org, frequency="daily")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    # The 4 December run never happened; the 5 December one looks back two days.
    assert send_digests("daily", now=DIGEST_AT + timedelta(days=1)) == 1
    assert send_digests("daily", now=DIGEST_AT + timedelta(days=2)) == 0


def test_a_rerun_after_a_change_of_settings_sends_only_what_is_new(app, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    dee, dee_org = supplier("Daily CIC", "dee@daily.example")
    prefer(dee, dee_org, frequency="daily", lot_ids=[lots[0].id])
    publish(buyer_user, buyer, lots[0])
    publish(
        buyer_user,
        buyer,
        lots[2],
        title="Repairs to community halls",
        estimated_value_pence=4_000_000,
    )
    assert send_digests("daily", now=DIGEST_AT) == 1
    # Dee widens her settings to lot 3 after the day's digest went, and the job runs again.
    row = db.session.execute(
        sa.select(AlertSubscription).where(AlertSubscription.user_id == dee.id)
    ).scalar_one()
    row.lot_ids = [lots[0].id, lots[2].id]
    db.session.commit()
    assert send_digests("daily", now=DIGEST_AT) == 1
    assert send_digests("daily", now=DIGEST_AT) == 0
    db.session.expire_all()
    sent = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == "opportunity_digest")
            .order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )
    assert [_titles(m) for m in sent] == [
        ["Befriending for older people in Leeds"],
        ["Repairs to community halls"],
    ]
