"""Who may do what with buyers and their opportunities (``lots.opportunities.permissions``), the
open/closed rule at a fixed moment, and when questions close."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import render_template_string

from app.documents.models import Document
from app.errors import NotAllowed
from app.extensions import db
from app.organisations.models import Membership
from lots.opportunities import clarifications, permissions
from lots.opportunities import services as opportunities
from lots.opportunities.models import Opportunity
from lots.opportunities.queries import OPPORTUNITY_SUBJECT
from tests.factories import make_user
from tests.lots.helpers import (
    DEADLINE,
    NOW,
    admitted_supplier,
    make_colleague,
    ready_draft,
    setup_world,
    supplier,
)


@pytest.fixture
def world(app):
    admin, dps, lots, owner, buyer = setup_world()
    approver, _ = make_colleague(buyer, roles=["approver"])
    return admin, lots, owner, approver, buyer


def test_owners_and_roles(world):
    admin, lots, owner, colleague, buyer = world
    assert permissions.is_buyer_owner(owner, buyer.id)
    assert not permissions.is_buyer_owner(colleague, buyer.id)
    assert not permissions.is_buyer_owner(None, buyer.id)
    with pytest.raises(NotAllowed, match="Only an owner can do this"):
        permissions.require_buyer_owner(colleague, buyer.id, "Only an owner can do this")
    permissions.require_buyer_owner(owner, buyer.id, "never said")
    permissions.require_buyer_role(colleague, buyer.id, "approver")
    with pytest.raises(NotAllowed, match="You need the buyer role in this buyer organisation"):
        permissions.require_buyer_role(colleague, buyer.id, "buyer")
    with pytest.raises(NotAllowed, match="Only the buyer can answer"):
        permissions.require_buyer_role(colleague, buyer.id, "buyer", "Only the buyer can answer")
    assert permissions.may_see_buyer_area(colleague, buyer.id)
    outsider = make_user(email="out@side.example")
    assert not permissions.may_see_buyer_area(outsider, buyer.id)


def test_the_operator(world):
    admin, lots, owner, colleague, buyer = world
    assert permissions.is_operator(admin)
    assert not permissions.is_operator(owner)
    with pytest.raises(NotAllowed, match="Only the DPS operator"):
        permissions.require_operator(owner, "Only the DPS operator can do this")


def test_someone_else_approves_a_draft(world):
    admin, lots, owner, colleague, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(owner, buyer, lots[0])
    assert permissions.drafted_by(owner, draft)
    assert not permissions.drafted_by(colleague, draft)
    assert not permissions.drafted_by(None, draft)
    with pytest.raises(NotAllowed, match="Someone other than the person who drafted it"):
        permissions.require_another_approver(owner, draft)
    permissions.require_another_approver(colleague, draft)


def test_who_sees_an_opportunity_and_who_is_invited(world):
    admin, lots, owner, colleague, buyer = world
    invited = admitted_supplier(lots[0])
    stranger_user, stranger = supplier("Stranger CIC", "s@s.example")
    invited_user = db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == invited.id)
    ).scalar_one()
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(owner, buyer, lots[0])
        assert permissions.of_buyer(colleague, opportunity)
        assert permissions.may_see_opportunity(colleague, opportunity)
        assert not permissions.may_see_opportunity(stranger_user, opportunity)
        assert not permissions.may_see_opportunity(None, opportunity)
        opportunities.publish(owner, opportunity)
    assert permissions.may_see_opportunity(None, opportunity)
    assert permissions.is_invited(invited.id, opportunity.id)
    assert not permissions.is_invited(stranger.id, opportunity.id)
    assert permissions.user_is_invited(invited_user.user_id, opportunity.id)
    assert not permissions.user_is_invited(stranger_user.id, opportunity.id)
    with pytest.raises(NotAllowed, match="You are not a member of this organisation"):
        permissions.require_invited_member(stranger_user, invited.id, opportunity.id, "x")
    with pytest.raises(NotAllowed, match="Only invited suppliers may"):
        permissions.require_invited_member(
            stranger_user, stranger.id, opportunity.id, "Only invited suppliers may"
        )
    tender = Document(subject_type=OPPORTUNITY_SUBJECT, subject_id=opportunity.id)
    assert permissions.invited_supplier_may_read(invited_user.user, tender)
    assert not permissions.invited_supplier_may_read(stranger_user, tender)
    other = Document(subject_type="bid", subject_id=opportunity.id)
    assert not permissions.invited_supplier_may_read(invited_user.user, other)


def test_open_and_closed_at_a_moment_follow_the_one_rule(world):
    admin, lots, owner, colleague, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(owner, buyer, lots[0])
        opportunities.publish(owner, opportunity)

    def count(condition):
        return db.session.execute(
            sa.select(sa.func.count(Opportunity.id)).where(condition)
        ).scalar_one()

    for moment in (NOW, DEADLINE - timedelta(seconds=1), DEADLINE, DEADLINE + timedelta(days=1)):
        with time_machine.travel(moment, tick=False):
            assert count(Opportunity.open_at(moment)) == count(Opportunity.is_open)
            assert count(Opportunity.open_at(moment)) == int(opportunity.is_open)
            assert count(Opportunity.deadline_passed_at(moment)) == count(
                Opportunity.deadline_passed
            )
            assert count(Opportunity.deadline_passed_at(moment)) == int(opportunity.deadline_passed)
    assert count(Opportunity.open_at(DEADLINE - timedelta(seconds=1))) == 1
    assert count(Opportunity.open_at(DEADLINE)) == 0  # closed at the deadline itself


def test_questions_close_at_the_question_deadline(world):
    admin, lots, owner, colleague, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(owner, buyer, lots[0])
        assert not clarifications.questions_open(opportunity)  # a draft
        opportunities.publish(owner, opportunity)
        assert clarifications.questions_open(opportunity)
    with time_machine.travel(opportunity.question_deadline, tick=False):
        assert opportunity.is_open
        assert not clarifications.questions_open(opportunity)


def test_the_pounds_macro_is_the_money_filter(app):
    template = '{% from "lots/macros.html" import pounds %}{{ pounds(value) }}|{{ value | money }}'
    with app.test_request_context():
        assert render_template_string(template, value=None) == "Not given|Not given"
        assert render_template_string(template, value=150000) == "£1,500|£1,500"
        assert render_template_string(template, value=150050) == "£1,500.50|£1,500.50"
        assert render_template_string(template, value=0) == "£0|£0"
