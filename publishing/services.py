"""Notices: written by the service that causes them, through the hooks the lower layers call
(``publishing.init_app`` registers these), in that service's transaction; published notices never
change. Every rule of which notice an event needs is in ``publishing.rules``.

- A correction is a new version of the same notice naming the one it replaces; a tender notice
  (UK4) cannot change after its deadline.
- The contract award notice (UK6) waits until every assessment summary has been sent.
- The contract details notice (UK7) is due within 30 days of entering the contract (the day it
  is entered counts as the first); the buyer publishes it, is reminded when 5 working days of the
  DPS's calendar remain, and it shows as overdue on the buyer's page from the day after.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, DeadlinePassed, NotFound
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.services import queue_email
from app.timeutil import format_date, to_local, utcnow
from app.unitofwork import after_commit, commit
from app.urls import absolute_url
from dps.models import Dps, Lot, LotMembership
from dps.working_days import working_days_between
from lots.awards.models import AwardStatus, Contract
from lots.awards.queries import award_of, letter_count
from lots.evaluation.sealing import submitted_bids
from lots.opportunities.models import Opportunity
from lots.opportunities.permissions import require_buyer_role
from lots.pipeline.models import PipelineItem
from publishing import adapters, releases
from publishing.models import Notice
from publishing.rules import UK4, Event, rule_for

REMINDER_WORKING_DAYS = 5
# Notices the law expects once per process: the same event again returns the one published.
ONCE = {
    "UK1",
    "UK14",
    "UK4",
    "UK6",
    "UK7",
    "UK12",
    "UK16",
    "PCR-CN-DPS",
    "CF-CALL-OFF",
    "PCR-CAN",
    "CF-AWARD",
}


def latest(ocid, notice_type):
    return db.session.execute(
        sa.select(Notice)
        .where(Notice.ocid == ocid, Notice.notice_type == notice_type)
        .order_by(Notice.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _subject(dps=None, opportunity=None, contract=None, item=None):
    if item is not None:
        return item.dps, None, releases.pipeline_ocid(item)
    if contract is not None:
        opportunity = contract.opportunity
    if opportunity is not None:
        return opportunity.dps, opportunity, releases.call_off_ocid(opportunity)
    return dps, None, releases.dps_ocid(dps)


def publish_for(
    event, *, dps=None, opportunity=None, contract=None, item=None, user=None, summary=None
):
    """Write the notice ``event`` needs (``publishing.rules``) in the caller's transaction: a
    new notice, a new version of one (a correction or update), or a due one. Returns it, or None
    when the event needs none. ``item`` is a planned call-off (a pipeline item)."""
    dps, opportunity, ocid = _subject(dps, opportunity, contract, item)
    about = opportunity or item  # what a buyer's notice is about (none for the operator's)
    rule = rule_for(event, dps.regime)
    if rule is None:
        return None
    previous = latest(ocid, rule.notice_type)
    if rule.amends:
        if rule.notice_type in (UK4, "CF-CALL-OFF") and event == Event.CALL_OFF_AMENDED:
            refuse_after_deadline(opportunity)
    elif previous is not None and rule.notice_type in ONCE:
        return previous
    notice = Notice(
        notice_type=rule.notice_type,
        event=Event(event).value,
        regime=dps.regime.value,
        ocid=ocid,
        version=previous.version + 1 if previous else 1,
        replaces_id=previous.id if previous else None,
        dps_id=dps.id,
        opportunity_id=opportunity.id if opportunity else None,
        contract_id=contract.id if contract else None,
        pipeline_item_id=item.id if item else None,
        buyer_id=about.buyer_id if about else None,
        title=about.title if about else dps.name,
        summary=summary,
        created_at=utcnow(),
    )
    if rule.due_days:
        entered = to_local(contract.entered_at).date()
        # "Within 30 days beginning with the day" it is entered: that day is the first.
        notice.due_on = entered + timedelta(days=rule.due_days - 1)
        db.session.add(notice)
        db.session.flush()
        record(
            E.NOTICE_DUE,
            subject=notice,
            organisation_id=notice.buyer_id,
            detail={"notice_type": notice.notice_type, "due_on": notice.due_on.isoformat()},
        )
        return notice
    _publish(notice, rule, user)
    return notice


def refuse_after_deadline(opportunity):
    if opportunity.deadline_passed:
        raise DeadlinePassed(
            "The tender notice cannot change after its deadline for bids", "submission_deadline"
        )


def _publish(notice, rule, user):
    """Build the release from the rows as they stand, freeze it with the notice."""
    now = utcnow()
    notice.release_id = f"{notice.ocid}-{notice.notice_type}-{notice.version}"
    url = absolute_url("publishing.notice", release_id=notice.release_id)
    if notice.pipeline_item_id is not None:
        item = db.session.get(PipelineItem, notice.pipeline_item_id)
        release = releases.pipeline_release(item, notice, rule, now, url)
    elif notice.opportunity_id is None:
        dps = db.session.get(Dps, notice.dps_id)
        release = releases.dps_release(
            dps, notice, rule, now, url, ended=notice.event == Event.DPS_ENDED
        )
    else:
        opportunity = db.session.get(Opportunity, notice.opportunity_id)
        award = None
        contract = None
        if notice.event in (Event.AWARD_DECIDED, Event.CONTRACT_ENTERED):
            award = award_of(opportunity.id)
        if notice.event == Event.CONTRACT_ENTERED:
            contract = db.session.get(Contract, notice.contract_id)
        release = releases.call_off_release(
            opportunity, notice, rule, now, url, award=award, contract=contract
        )
    notice.release = release
    notice.published_at = now
    db.session.add(notice)
    db.session.flush()  # inserted (or a due one updated) whole: published rows never change
    record(
        E.PUBLISH_NOTICE,
        subject=notice,
        actor=user,
        organisation_id=notice.buyer_id,
        detail={
            "notice_type": notice.notice_type,
            "version": notice.version,
            "ocid": notice.ocid,
            "replaces_id": notice.replaces_id,
        },
    )
    if adapters.publisher_name() != "none":
        after_commit(adapters.enqueue_send, notice.id)


# --- The order rule: the contract award notice after every assessment summary ---------------------


def letters_outstanding(opportunity):
    """(letters still to send, letters in all) for a confirmed award."""
    award = award_of(opportunity.id)
    in_result = {row["bid_id"] for row in award.result}
    expected = len([bid for bid in submitted_bids(opportunity.id) if bid.id in in_result])
    return max(expected - letter_count(opportunity.id), 0), expected


def publish_award_notice(opportunity, user=None):
    """The contract award notice: refused until the award is confirmed and every bidder has had
    its assessment summary (or award letter). Part of the caller's transaction."""
    award = award_of(opportunity.id)
    if award is None or award.status == AwardStatus.PROPOSED:
        raise Conflict(
            "The award has not been confirmed, so there is no award to publish", "notice"
        )
    unsent, expected = letters_outstanding(opportunity)
    if unsent:
        raise Conflict(
            f"{unsent} of {expected} assessment summaries have not been sent yet. The contract "
            "award notice can be published only once every bidder has had its letter",
            "notice",
        )
    return publish_for(Event.AWARD_DECIDED, opportunity=opportunity, user=user)


def publish_award_notice_by_buyer(user, opportunity):
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    notice = publish_award_notice(opportunity, user)
    commit()
    return notice


def publish_due(user, notice):
    """The buyer publishes a due notice (the contract details notice). Refused before the
    contract award notice is out, and once it is published."""
    if notice is None or notice.buyer_id is None:
        raise NotFound("There is no such notice")
    require_buyer_role(user, notice.buyer_id, "buyer")
    if notice.is_published:
        raise Conflict("This notice has already been published", "notice")
    opportunity = db.session.get(Opportunity, notice.opportunity_id)
    award_rule = rule_for(Event.AWARD_DECIDED, opportunity.dps.regime)
    if award_rule and latest(notice.ocid, award_rule.notice_type) is None:
        raise Conflict(
            f"Publish the {award_rule.name.lower()} first: it goes out once every assessment "
            "summary has been sent",
            "notice",
        )
    rule = rule_for(notice.event, notice.regime)
    _publish(notice, rule, user)
    commit()
    return notice


# --- UK7: due, reminded, overdue ------------------------------------------------------------------


def today():
    return to_local(utcnow()).date()


def is_overdue(notice, on=None):
    return not notice.is_published and notice.due_on is not None and (on or today()) > notice.due_on


def reminder_due(notice, calendar, on=None):
    """5 working days or fewer (in the DPS's calendar, bank holidays skipped) remain."""
    on = on or today()
    if notice.is_published or notice.due_on is None or on > notice.due_on:
        return False
    return working_days_between(on, notice.due_on, calendar) <= REMINDER_WORKING_DAYS


def remind_due_notices(now=None):
    """Scheduled, daily: email each buyer once about a notice it must publish soon. Safe to run
    again (each notice is reminded once; the email's key is the notice)."""
    on = to_local(now or utcnow()).date()
    due = (
        db.session.execute(
            sa.select(Notice).where(
                Notice.published_at.is_(None),
                Notice.due_on.is_not(None),
                Notice.reminded_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
    reminded = 0
    for notice in due:
        dps = db.session.get(Dps, notice.dps_id)
        if not (reminder_due(notice, dps.calendar, on) or is_overdue(notice, on)):
            continue
        people = db.session.execute(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == notice.buyer_id)
            .order_by(User.id)
        ).scalars()
        for person in people:
            queue_email(
                person.email,
                "notice_due",
                {
                    "name": person.name,
                    "notice": rule_for(notice.event, notice.regime).name,
                    "title": notice.title,
                    "due": format_date(notice.due_on),
                    "url": absolute_url(
                        "publishing.buyer_notices", organisation_id=notice.buyer_id
                    ),
                },
                idempotency_key=f"notice_due:{notice.id}:{person.id}",
            )
        notice.reminded_at = now or utcnow()
        record(
            E.REMIND_NOTICE,
            subject=notice,
            organisation_id=notice.buyer_id,
            detail={"due_on": notice.due_on.isoformat()},
        )
        reminded += 1
    commit()
    return reminded


def end_finished_dps(now=None):
    """Scheduled, daily: the cessation notice of every DPS whose end date has passed. Safe to
    run again (one per DPS)."""
    on = to_local(now or utcnow()).date()
    ended = 0
    for dps in db.session.execute(sa.select(Dps).where(Dps.ends_on < on)).scalars():
        rule = rule_for(Event.DPS_ENDED, dps.regime)
        if rule is None:
            continue
        ocid = releases.dps_ocid(dps)
        done = db.session.execute(
            sa.select(Notice.id).where(Notice.ocid == ocid, Notice.event == Event.DPS_ENDED.value)
        ).first()
        if done:
            continue
        publish_for(Event.DPS_ENDED, dps=dps)
        ended += 1
    commit()
    return ended


# --- What the lower layers' hooks call ------------------------------------------------------------


def on_dps_event(event, dps):
    """Set up: the establishment notice. Changed: while nobody has been admitted yet, a
    corrected version of the establishment notice; afterwards a modification notice."""
    if event == "established":
        publish_for(Event.DPS_ESTABLISHED, dps=dps)
        return
    anyone = db.session.execute(
        sa.select(LotMembership.id).join(Lot).where(Lot.dps_id == dps.id).limit(1)
    ).first()
    established = rule_for(Event.DPS_ESTABLISHED, dps.regime)
    first = latest(releases.dps_ocid(dps), established.notice_type) if established else None
    if anyone is None and first is not None:
        correct(first, "The market's lots or conditions changed before anyone joined")
        return
    publish_for(Event.DPS_CHANGED, dps=dps)


def correct(notice, summary, user=None):
    """A new version of a published notice, naming the one it replaces, rebuilt from the rows
    as they stand now. A tender notice cannot change after its deadline."""
    if notice.opportunity_id is not None and notice.notice_type in (UK4, "CF-CALL-OFF"):
        refuse_after_deadline(db.session.get(Opportunity, notice.opportunity_id))
    rule = rule_for(notice.event, notice.regime)
    latest_one = latest(notice.ocid, notice.notice_type)
    new = Notice(
        notice_type=notice.notice_type,
        event=notice.event,
        regime=notice.regime,
        ocid=notice.ocid,
        version=latest_one.version + 1,
        replaces_id=latest_one.id,
        dps_id=notice.dps_id,
        opportunity_id=notice.opportunity_id,
        contract_id=notice.contract_id,
        pipeline_item_id=notice.pipeline_item_id,
        buyer_id=notice.buyer_id,
        title=notice.title,
        summary=summary,
        created_at=utcnow(),
    )
    _publish(new, rule, user)
    return new


def on_publish(opportunity):
    publish_for(Event.CALL_OFF_PUBLISHED, opportunity=opportunity)


def on_amend(opportunity, amendment):
    publish_for(Event.CALL_OFF_AMENDED, opportunity=opportunity, summary=amendment.summary)


def on_cancel(opportunity):
    publish_for(Event.CALL_OFF_CANCELLED, opportunity=opportunity)


def on_no_suitable_bid(opportunity):
    publish_for(Event.CALL_OFF_NOT_AWARDED, opportunity=opportunity)


def after_letters(opportunity):
    """Once every letter is out, the contract award notice (at most once)."""
    award = award_of(opportunity.id)
    if award is None or award.status == AwardStatus.PROPOSED:
        return
    if letters_outstanding(opportunity)[0]:
        return
    publish_award_notice(opportunity)


def on_item_published(item):
    """A planned call-off listed in a buyer's pipeline: its pipeline notice (UK1)."""
    publish_for(Event.PIPELINE_ITEM_PUBLISHED, item=item)


def on_item_withdrawn(item):
    """A planned call-off withdrawn: a new version of its pipeline notice, ``withdrawn``."""
    publish_for(Event.PIPELINE_ITEM_WITHDRAWN, item=item, summary=item.withdraw_reason)


def on_contract_entered(contract):
    publish_for(Event.CONTRACT_ENTERED, contract=contract)


def daily():
    """Scheduled, daily: reminders of notices due, then DPS cessation notices."""
    return {"reminded": remind_due_notices(), "ended": end_finished_dps()}
