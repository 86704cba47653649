"""Help to bid: the readiness checklist, item by item from not ready to ready, and the partner
board's consent rule (no email address shown until both agree)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.errors import Conflict, NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import LotMembership, MembershipStatus
from dps.services import applying
from lots.bids import partnering, readiness
from lots.bids import services as bids
from lots.bids.models import ContactStatus
from lots.opportunities import requirements
from lots.opportunities import services as opportunities
from tests.dps.helpers import complete_answers, sign_and_submit, upload
from tests.lots.bidding import complete_bid, real_deadline
from tests.lots.helpers import admit, ready_draft, setup_world, supplier


@pytest.fixture
def world(app):
    """A published call-off asking for £5m public liability, a safeguarding and an equality
    policy; one supplier (Riverside) admitted before publication, so invited."""
    admin, dps, lots, buyer_user, buyer = setup_world()
    user, org = supplier("Riverside CIC", "rita@riverside.example")
    deadline = real_deadline()
    draft = ready_draft(
        buyer_user,
        buyer,
        lots[0],
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=5),
    )
    requirements.set_requirements(
        buyer_user,
        draft,
        public_liability_pence=500_000_000,
        policies=["safeguarding", "equality"],
    )
    admit(org, lots[0])
    opportunities.publish(buyer_user, draft, acknowledge_bank_holiday=True)
    return dict(
        admin=admin,
        dps=dps,
        lots=lots,
        buyer_user=buyer_user,
        opportunity=draft,
        user=user,
        org=org,
    )


def declare(w, lot, insurance=None, policies=None, expiry="2099-03-31"):
    """Send an application for ``lot`` with complete answers, changed as given."""
    application = applying.start_application(w["user"], w["org"], w["dps"])
    for section_id, raw in complete_answers(w["user"], w["org"], insurance_expiry=expiry).items():
        raw.update({"insurance": insurance or {}, "policies": policies or {}}.get(section_id, {}))
        assert applying.save_section(w["user"], application, section_id, raw) == {}
    applying.choose_lots(w["user"], application, [lot.id])
    return sign_and_submit(w["user"], application)


def item(w, key, organisation=None):
    return readiness.checklist(w["opportunity"], organisation or w["org"]).item(key)


def test_admitted_turns_ready_when_admitted_to_the_lot(world):
    w = world
    _user, other = supplier("Newcomer CIC", "nina@newcomer.example")
    before = item(w, "admitted", other)
    assert not before.ready and before.fix[1] == "dps.start_application"
    # Not invited either: no link to a bid it cannot open.
    assert item(w, "questions", other).fix is None
    admit(other, w["lots"][0])
    assert item(w, "admitted", other).ready


def test_documents_turn_ready_when_a_current_certificate_replaces_one_expiring(world):
    w = world
    assert not item(w, "documents").ready  # no application yet
    expiring = (w["opportunity"].submission_deadline - timedelta(days=2)).date().isoformat()
    declare(w, w["lots"][1], expiry=expiring)
    before = item(w, "documents")
    assert not before.ready and "el.pdf" in before.detail and "pl.pdf" in before.detail
    assert before.fix[1] == "documents.list_documents"
    upload(w["user"], w["org"], "insurance_certificate", "new.pdf", date(2099, 1, 1))
    assert item(w, "documents").ready


def test_insurance_turns_ready_when_the_declared_cover_reaches_the_level_asked(world):
    w = world
    declare(w, w["lots"][1])  # declares £2,000,000 public liability
    before = item(w, "insurance")
    assert not before.ready
    assert "Public liability insurance of at least £5,000,000" in before.detail
    assert "you declared £2,000,000" in before.detail
    declare(w, w["lots"][2], insurance={"public_liability_amount": "5000000"})
    assert item(w, "insurance").ready


def test_policies_turn_ready_when_the_missing_policy_is_declared(world):
    w = world
    declare(w, w["lots"][1])  # no equality policy
    before = item(w, "policies")
    assert not before.ready and "An equality and diversity policy" in before.detail
    assert "safeguarding" not in before.detail
    policy = upload(w["user"], w["org"], "policy", "equality.pdf")
    declare(w, w["lots"][2], policies={"equality_policy": "yes", "equality_document": policy.id})
    assert item(w, "policies").ready


def test_conditions_turn_ready_when_a_suspension_is_lifted(world):
    w = world
    membership = db.session.execute(
        sa.select(LotMembership).where(LotMembership.organisation_id == w["org"].id)
    ).scalar_one()
    membership.status = MembershipStatus.SUSPENDED
    membership.status_reason = "Office moved out of the area"
    db.session.commit()
    before = item(w, "conditions")
    assert not before.ready and "Office moved out of the area" in before.detail
    assert item(w, "admitted").ready  # still admitted, only suspended
    membership.status = MembershipStatus.ADMITTED
    db.session.commit()
    assert item(w, "conditions").ready


def test_questions_turn_ready_when_every_answer_and_the_price_are_in(world):
    w = world
    before = item(w, "questions")
    assert not before.ready and before.detail == "You have not started a bid."
    bid = bids.start_bid(w["user"], w["org"], w["opportunity"])
    assert not item(w, "questions").ready
    complete_bid(w["user"], w["org"], w["opportunity"])
    assert bid.id and item(w, "questions").ready


def test_partners_turn_ready_when_the_named_partner_agrees_on_the_board(world):
    w = world
    assert item(w, "partners").ready  # bidding alone
    partner_user, partner = supplier("Helping Hands CIC", "hal@hands.example")
    bid = bids.start_bid(w["user"], w["org"], w["opportunity"])
    bids.set_partners(
        w["user"],
        bid,
        [{"role": "subcontractor", "organisation_id": str(partner.id), "share_percent": 20}],
    )
    before = item(w, "partners")
    assert not before.ready and "Helping Hands CIC" in before.detail
    post = partnering.post(
        partner_user, partner, w["opportunity"], ["subcontractor"], "Drivers and a minibus"
    )
    sent = partnering.contact(w["user"], w["org"], post, w["opportunity"], "Join us?")
    assert not item(w, "partners").ready  # asked, not agreed
    partnering.answer(partner_user, sent, agree=True)
    assert item(w, "partners").ready


# --- The partner board ----------------------------------------------------------------------------


def _emails(template):
    return (
        db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.template == template))
        .scalars()
        .all()
    )


def test_no_email_address_is_shown_until_both_agree(world):
    w = world
    poster_user, poster = supplier("Helping Hands CIC", "hal@hands.example")
    stranger, _ = supplier("Nosy Ltd", "nora@nosy.example")
    post = partnering.post(
        poster_user, poster, w["opportunity"], ["member", "subcontractor"], "Drivers"
    )
    sent = partnering.contact(w["user"], w["org"], post, w["opportunity"], "Shall we bid?")
    # The message is relayed by email to the poster, with neither address in it.
    relayed = _emails("partner_contact")
    assert [m.recipient for m in relayed] == ["hal@hands.example"]
    assert "rita@riverside.example" not in str(relayed[0].personalisation)
    assert relayed[0].personalisation["message"] == "Shall we bid?"
    # Sent, not yet agreed: nobody sees an address.
    for person in (w["user"], poster_user, stranger):
        assert partnering.contact_details(person, sent) is None
    partnering.answer(poster_user, sent, agree=True)
    assert sent.status == ContactStatus.AGREED
    assert partnering.contact_details(poster_user, sent).email == "rita@riverside.example"
    assert partnering.contact_details(w["user"], sent).email == "hal@hands.example"
    assert partnering.contact_details(stranger, sent) is None  # never a third party
    told = _emails("partner_contact_answered")
    assert [m.recipient for m in told] == ["rita@riverside.example"]
    assert "hal@hands.example" not in str(told[0].personalisation)


def test_a_declined_contact_never_shows_an_address_and_cannot_be_answered_twice(world):
    w = world
    poster_user, poster = supplier("Helping Hands CIC", "hal@hands.example")
    post = partnering.post(poster_user, poster, w["opportunity"], ["lead"], "We lead")
    sent = partnering.contact(w["user"], w["org"], post, w["opportunity"], "Hello")
    with pytest.raises(NotAllowed):
        partnering.answer(w["user"], sent, agree=True)  # only the poster agrees
    partnering.answer(poster_user, sent, agree=False)
    assert partnering.contact_details(poster_user, sent) is None
    assert partnering.contact_details(w["user"], sent) is None
    with pytest.raises(Conflict):
        partnering.answer(poster_user, sent, agree=True)
    with pytest.raises(Conflict):
        partnering.contact(w["user"], w["org"], post, w["opportunity"], "Again")


def test_the_board_refuses_empty_posts_own_contact_and_outsiders(world):
    w = world
    with pytest.raises(ServiceError) as empty:
        partnering.post(w["user"], w["org"], w["opportunity"], [], "Skills")
    assert empty.value.field == "offers"
    post = partnering.post(w["user"], w["org"], w["opportunity"], ["lead"], "We lead")
    with pytest.raises(ServiceError, match="your own"):
        partnering.contact(w["user"], w["org"], post, w["opportunity"], "Hi me")
    outsider, _ = supplier("Other CIC", "otto@other.example")
    with pytest.raises(NotAllowed):
        partnering.contact(outsider, w["org"], post, w["opportunity"], "Pretending")
    partnering.withdraw(w["user"], post)
    assert partnering.board(w["opportunity"].id) == []


def test_what_bidders_must_hold_is_fixed_at_publication(world):
    w = world
    with pytest.raises(ServiceError, match="Only a draft"):
        requirements.set_requirements(w["buyer_user"], w["opportunity"], policies=["equality"])
    assert requirements.requirements_of(w["opportunity"].id).policies == [
        "safeguarding",
        "equality",
    ]


def test_the_board_closes_at_the_deadline_but_an_answer_can_still_be_given(world):
    import time_machine

    from tests.lots.bidding import past_deadline

    w = world
    poster_user, poster = supplier("Helping Hands CIC", "hal@hands.example")
    post = partnering.post(poster_user, poster, w["opportunity"], ["lead"], "We lead")
    sent = partnering.contact(w["user"], w["org"], post, w["opportunity"], "Hello")
    with time_machine.travel(past_deadline(w["opportunity"]), tick=False):
        with pytest.raises(Conflict, match="closes when the deadline"):
            partnering.post(w["user"], w["org"], w["opportunity"], ["lead"], "Late")
        partnering.answer(poster_user, sent, agree=True)
        assert partnering.contact_details(w["user"], sent).email == "hal@hands.example"
