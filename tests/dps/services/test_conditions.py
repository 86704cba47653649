"""Conditions of membership (the questionnaire, a lot's reservation and cap): fixed for the life
of an established dynamic market under the Procurement Act 2023; changeable under PCR 2015 with
notice to every member of the lots affected. The audit event says which rule applied."""

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import Conflict
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.rendering import render_email
from dps.models import LotMembership, MembershipStatus, ReservedFor
from dps.services import conditions, setup
from tests.dps.helpers import make_admin, make_dps, make_supplier

MONDAY = "2026-12-07 10:00:00+00:00"  # after the test DPS's start, 1 January 2026
BEFORE_START = "2025-12-01 10:00:00+00:00"
FIXED = "fixed for its life.*add a new lot or set up a new market"


def _new_version(admin, dps):
    base = dps.questionnaire
    definition = dict(base.definition, title=base.definition.get("title", "") + " (revised)")
    return setup.publish_questionnaire_version(admin, base, definition)


def _member(lot, email, name, status=MembershipStatus.ADMITTED):
    user, org = make_supplier(email, name)
    db.session.add(LotMembership(organisation_id=org.id, lot_id=lot.id, status=status))
    db.session.commit()
    return user, org


def _events(kind):
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.event_type == kind))
        .scalars()
        .all()
    )


def _notices():
    return sorted(
        db.session.execute(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.template == "conditions_changed")
        ).scalars()
    )


def test_an_established_2023_act_market_refuses_a_new_questionnaire(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    new = _new_version(admin, dps)
    old = dps.questionnaire_id
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(Conflict, match=FIXED) as refused:
            conditions.use_questionnaire(admin, dps, new)
    assert refused.value.field == "questionnaire"
    db.session.rollback()
    assert db.session.get(type(dps), dps.id).questionnaire_id == old
    assert _events("update_dps") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reserved_for": ReservedFor.VCSE}, "reserved_for"),
        (
            {"reserved_for": ReservedFor.NONE, "cap_group": "Befriending", "cap_per_provider": 1},
            "cap_group",
        ),
    ],
)
def test_an_established_2023_act_market_refuses_new_lot_conditions(app, changes, field):
    admin = make_admin()
    dps, lots = make_dps(admin)
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(Conflict, match=FIXED) as refused:
            conditions.change_lot_conditions(admin, lots[0], **changes)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(type(lots[0]), lots[0].id).reserved_for == ReservedFor.NONE


def test_a_2023_act_market_with_a_member_is_established_before_its_start_date(app):
    admin = make_admin()
    with time_machine.travel(BEFORE_START, tick=False):
        dps, lots = make_dps(admin)
        assert not conditions.is_established(dps)
        _member(lots[0], "early@example.org", "Early Bird CIC")
        assert conditions.is_established(dps)
        with pytest.raises(Conflict, match=FIXED):
            conditions.change_lot_conditions(admin, lots[1], reserved_for=ReservedFor.NONE)


def test_a_2023_act_market_not_yet_established_may_change_its_conditions(app):
    admin = make_admin()
    with time_machine.travel(BEFORE_START, tick=False):
        dps, lots = make_dps(admin)
        new = _new_version(admin, dps)
        conditions.use_questionnaire(admin, dps, new)
        conditions.change_lot_conditions(admin, lots[0], reserved_for=ReservedFor.VCSE)
    assert dps.questionnaire_id == new.id and lots[0].reserved_for == ReservedFor.VCSE
    [dps_event] = _events("update_dps")
    [lot_event] = _events("update_lot")
    for event in (dps_event, lot_event):
        assert event.detail["regime"] == "procurement_act_2023"
        assert event.detail["rule"] == "not_established"
        assert event.detail["notified_organisation_ids"] == []
    assert lot_event.detail["conditions"] == {"reserved_for": ["none", "vcse"]}
    assert _notices() == []


def test_under_pcr_2015_a_new_questionnaire_is_allowed_and_every_member_is_told(app):
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    _member(lots[0], "one@example.org", "One CIC")
    _member(lots[2], "two@example.org", "Two CIC", MembershipStatus.SUSPENDED)
    _member(lots[3], "gone@example.org", "Gone CIC", MembershipStatus.REMOVED)
    make_supplier("never@example.org", "Never Applied CIC")
    new = _new_version(admin, dps)
    with time_machine.travel(MONDAY, tick=False):
        conditions.use_questionnaire(admin, dps, new)
    assert dps.questionnaire_id == new.id
    assert _notices() == ["one@example.org", "two@example.org"]
    [event] = _events("update_dps")
    assert event.detail["regime"] == "pcr_2015"
    assert event.detail["rule"] == "pcr_2015_notice_to_members"
    assert len(event.detail["notified_organisation_ids"]) == 2


def test_under_pcr_2015_new_lot_conditions_are_allowed_and_the_lots_members_are_told(app):
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    _, member = _member(lots[0], "one@example.org", "One CIC")
    _member(lots[1], "other@example.org", "Other Lot CIC")
    with time_machine.travel(MONDAY, tick=False):
        conditions.change_lot_conditions(
            admin,
            lots[0],
            reserved_for=ReservedFor.VCSE,
            cap_group="Befriending",
            cap_per_provider=1,
        )
    assert (lots[0].reserved_for, lots[0].cap_group, lots[0].cap_per_provider) == (
        ReservedFor.VCSE,
        "Befriending",
        1,
    )
    assert _notices() == ["one@example.org"]
    notice = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "conditions_changed")
    ).scalar_one()
    assert notice.personalisation["changes"] == [
        "Lot 1: Befriending is now reserved for VCSE organisations.",
        "A provider may hold at most 1 lot of the ‘Befriending’ group.",
    ]
    subject, text, _ = render_email("conditions_changed", notice.personalisation)
    assert subject == "The conditions of Community Services DPS have changed"
    assert "Lot 1: Befriending is now reserved for VCSE organisations.\n" in text
    assert "Public Contracts Regulations 2015" in text
    [event] = _events("update_lot")
    assert event.detail == {
        "conditions": {
            "reserved_for": ["none", "vcse"],
            "cap_group": [None, "Befriending"],
            "cap_per_provider": [None, 1],
        },
        "regime": "pcr_2015",
        "rule": "pcr_2015_notice_to_members",
        "notified_organisation_ids": [member.id],
    }
