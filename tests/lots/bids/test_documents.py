"""Who may read a bid's attachments (the documents issue's permission matrix, bid rows): the
supplier's own people always; the buyer only after the deadline; evaluators only once cleared of
any conflict; never another supplier, an administrator, or someone signed out. Checked in the
access rule and through the download route, which answers 404 without the file's name."""

import io

import pytest
import sqlalchemy as sa
import time_machine
from flask_login import AnonymousUserMixin
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.organisations.models import Membership, Role
from app.permissions import can_read_document as can_read
from lots.bids import services as bids
from lots.bids import submitting
from lots.evaluation import sealing
from lots.evaluation import services as evaluation
from tests.dps.helpers import make_admin
from tests.factories import make_user
from tests.lots.bidding import bidding_world, colleague, complete_bid, past_deadline

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app):
    w = bidding_world(n_suppliers=2)
    user, org = w.suppliers[0]
    w.colleague = make_user(email="col@supplier1.example", name="Col League")
    db.session.add(Membership(user_id=w.colleague.id, organisation_id=org.id, role=Role.MEMBER))
    db.session.commit()
    bid = complete_bid(user, org, w.opportunity)
    w.document = bids.attach(
        user,
        bid,
        FileStorage(io.BytesIO(PDF), filename="method.pdf", content_type="application/pdf"),
    )
    submitting.submit(user, bid, conditions_confirmed=True)
    w.eve = colleague(w.buyer, "eve@leeds.example", ("evaluator",), name="Eve")
    w.con = colleague(w.buyer, "con@leeds.example", ("evaluator",), name="Con")
    w.admin = make_admin("ops@operator.example")
    for person in (w.eve, w.con):
        evaluation.assign_evaluator(w.buyer_user, w.opportunity, person)
    return w


def test_before_the_deadline_only_the_supplier_reads_it(world):
    w = world
    assert can_read(w.suppliers[0][0], w.document)
    assert can_read(w.colleague, w.document)
    for outsider in (w.suppliers[1][0], w.buyer_user, w.eve, w.admin, AnonymousUserMixin(), None):
        assert not can_read(outsider, w.document)


def test_after_the_deadline_the_buyer_and_cleared_evaluators_read_it(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assert not can_read(w.buyer_user, w.document)  # until the audited opening
        sealing.open_bids(w.buyer_user, w.opportunity)
        assert can_read(w.buyer_user, w.document)
        assert not can_read(w.eve, w.document)  # not declared yet
        evaluation.declare(w.eve, w.opportunity, conflict=False)
        evaluation.declare(w.con, w.opportunity, conflict=True, details="A trustee there")
        assert can_read(w.eve, w.document)
        assert not can_read(w.con, w.document)
        for outsider in (w.suppliers[1][0], w.admin, None):
            assert not can_read(outsider, w.document)
        # An evaluator who leaves the buyer organisation reads nothing more.
        db.session.execute(sa.delete(Membership).where(Membership.user_id == w.eve.id))
        db.session.commit()
        assert not can_read(w.eve, w.document)


def test_the_download_route_follows_the_rule_without_leaking_the_name(world, person):
    w = world
    url = f"/documents/{w.document.id}/download"
    buyer = person(w.buyer_user.email)
    early = buyer.get(url)
    assert early.status_code == 404 and b"method.pdf" not in early.data
    other = person(w.suppliers[1][0].email)
    assert other.get(url).status_code == 404
    own = person(w.suppliers[0][0].email)
    response = own.get(url)
    assert response.status_code in (200, 302)
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        sealing.open_bids(w.buyer_user, w.opportunity)
        late = person(w.buyer_user.email)  # signed in after travelling
        response = late.get(url)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.data == PDF


def test_a_cleared_evaluator_finds_and_downloads_the_attachment_from_the_scoring_page(
    world, person
):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        sealing.open_bids(w.buyer_user, w.opportunity)
        evaluation.declare(w.eve, w.opportunity, conflict=False)
        eve = person(w.eve.email)
        bid_id = w.document.subject_id
        page = eve.get(
            f"/buyer/{w.buyer.id}/opportunities/{w.opportunity.id}/evaluate/bids/{bid_id}"
        )
        assert page.status_code == 200 and b"method.pdf" in page.data
        download = eve.get(f"/documents/{w.document.id}/download")
        assert download.status_code in (200, 302)
