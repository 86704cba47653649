"""Bidding in the service layer on PostgreSQL: one bid per supplier, drafts that keep what was
typed, frozen submissions with their hash and receipt, withdrawal, and the deadline enforced by
the database's clock at the moment of commit."""

import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.documents.models import Document
from app.errors import DeadlinePassed, NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import LotMembership, MembershipStatus
from lots.bids import permissions as bid_permissions
from lots.bids import services as bids
from lots.bids import submitting
from lots.bids.models import Bid, BidStatus, BidSubmission
from tests.lots.bidding import bidding_world, complete_bid, past_deadline, questions
from tests.lots.helpers import supplier


@pytest.fixture
def world(app):
    return bidding_world()


def test_words_are_counted_as_a_person_counts_them():
    assert bids.count_words("") == 0
    assert bids.count_words("  We recruit   volunteers locally. ") == 4
    assert bids.count_words("well-being - for all — 100%") == 4
    assert bids.count_words("Café naïve\nrésumé") == 3


def test_one_bid_per_supplier_and_only_invited_suppliers_bid(world):
    user, org = world.suppliers[0]
    first = bids.start_bid(user, org, world.opportunity)
    assert bids.start_bid(user, org, world.opportunity).id == first.id
    with pytest.raises(sa.exc.IntegrityError, match="uq_bids_one_per_supplier"):
        db.session.add(
            Bid(
                opportunity_id=world.opportunity.id,
                organisation_id=org.id,
                started_by_id=user.id,
                answers={},
                pass_fail={},
                line_prices={},
                social_value={},
                attachment_ids=[],
            )
        )
        db.session.flush()
    db.session.rollback()
    outsider, outsider_org = supplier("Not Admitted CIC", "x@notadmitted.example")
    with pytest.raises(NotAllowed, match="not invited"):
        bids.start_bid(outsider, outsider_org, world.opportunity)
    other_user = world.suppliers[1][0]
    with pytest.raises(NotAllowed, match="not a member"):
        bids.start_bid(other_user, org, world.opportunity)


def test_a_suspended_supplier_cannot_start_or_submit(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    db.session.execute(
        sa.update(LotMembership)
        .where(LotMembership.organisation_id == org.id)
        .values(status=MembershipStatus.SUSPENDED)
    )
    db.session.commit()
    with pytest.raises(NotAllowed, match="suspended"):
        submitting.submit(user, bid, conditions_confirmed=True)
    assert bid.current_submission_id is None


def test_drafts_keep_long_answers_and_submission_names_every_problem(world):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    q = questions(world.opportunity)
    long_answer = "word " * 501
    bids.save_draft(user, bid, answers={str(q["quality"].id): long_answer})
    db.session.expire_all()
    assert db.session.get(Bid, bid.id).answers[str(q["quality"].id)] == long_answer
    with pytest.raises(submitting.BidIncomplete) as refused:
        submitting.submit(user, bid, conditions_confirmed=True)
    problems = refused.value.problems
    assert "501 words; the limit is 500" in problems[f"answer-{q['quality'].id}"]
    assert f"answer-{q['social_value'].id}" in problems
    assert f"pass-fail-{q['pass_fail'].id}" in problems
    assert problems["total_price"] == "Enter your total price"
    assert "social-value-SV-EMP-01" in problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidSubmission)) == 0


def test_answers_to_questions_not_asked_are_refused(world):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    with pytest.raises(ServiceError, match="not part of this opportunity"):
        bids.save_draft(user, bid, answers={"999999": "hello"})
    with pytest.raises(ServiceError, match="not asked for"):
        bids.save_draft(user, bid, social_value={"SV-ENV-01": "3"})


def test_a_refusal_names_the_field_it_is_about(world):
    """Each refusal names its field, or the partner and the part of it, so that a page shows it
    against the right box without reading its words."""
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    q = questions(world.opportunity)
    good = {"name": "Leeds Volunteer Drivers", "role": "subcontractor", "share_percent": 10}
    for second, field in [
        ({**good, "name": " "}, "partners-1-name"),
        ({**good, "role": "partner"}, "partners-1-role"),
        ({**good, "share_percent": 0}, "partners-1-share_percent"),
        ({**good, "share_percent": "10"}, "partners-1-share_percent"),
        ({**good, "organisation_id": org.id}, "partners-1-organisation_id"),
        ({**good, "organisation_id": world.buyer.id}, "partners-1-organisation_id"),
        ({**good, "share_percent": 90}, "partners"),
    ]:
        with pytest.raises(ServiceError) as refused:
            bids.set_partners(user, bid, [good, second])
        assert refused.value.field == field
        db.session.rollback()
    for values, field in [
        ({"answers": {"999999": "hello"}}, "answers"),
        ({"pass_fail": {str(q["pass_fail"].id): "maybe"}}, f"pass-fail-{q['pass_fail'].id}"),
        ({"total_price_pence": 0}, "total_price"),
        ({"line_prices": {"0": 100}}, "line_prices"),
        ({"social_value": {"SV-ENV-01": "3"}}, "social_value"),
        ({"social_value": {"SV-EMP-01": "lots"}}, "social-value-SV-EMP-01"),
    ]:
        with pytest.raises(ServiceError) as refused:
            bids.save_draft(user, bid, **values)
        assert refused.value.field == field
        db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        bids.detach(user, bid, 999999)
    assert refused.value.field == "attachments"


def test_submission_is_frozen_hashed_stamped_and_receipted(world, smtp):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    submission = submitting.submit(user, bid, conditions_confirmed=True)
    assert bid.status == BidStatus.SUBMITTED and bid.current_submission_id == submission.id
    assert submission.sha256 == submitting.canonical_hash(submission.snapshot)
    assert submission.snapshot["price"]["total_pence"] == 3_000_000
    assert submission.snapshot["social_value"] == {"SV-EMP-01": "2"}
    # The database stamped it: the time is the database's, close to its now().
    db_now = db.session.execute(sa.text("SELECT now()")).scalar()
    assert abs((db_now - submission.submitted_at).total_seconds()) < 30
    receipt = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "bid_receipt")
    ).scalar_one()
    assert receipt.personalisation["sha256"] == submission.sha256
    assert receipt.recipient == user.email
    events = [e.event_type for e in db.session.execute(sa.select(AuditEvent)).scalars()]
    assert {"start_bid", "save_bid", "submit_bid"} <= set(events)


def test_change_and_resubmit_keeps_history_and_the_latest_counts(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    first = submitting.submit(user, bid, conditions_confirmed=True)
    assert not submitting.has_unsubmitted_changes(bid)
    bids.save_draft(user, bid, total_price_pence=2_900_000)
    assert submitting.has_unsubmitted_changes(bid)
    # The first submission still stands until the change is submitted.
    assert bid.status == BidStatus.SUBMITTED and bid.current_submission_id == first.id
    second = submitting.submit(user, bid, conditions_confirmed=True)
    assert (first.version, second.version) == (1, 2)
    assert second.sha256 != first.sha256
    assert bid.current_submission_id == second.id
    assert [s.version for s in submitting.submissions_of(bid)] == [1, 2]


def test_withdraw_then_submit_again(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    submitting.submit(user, bid, conditions_confirmed=True)
    submitting.withdraw(user, bid)
    assert bid.status == BidStatus.WITHDRAWN and bid.current_submission_id is None
    with pytest.raises(ServiceError, match="Only a submitted bid"):
        submitting.withdraw(user, bid)
    again = submitting.submit(user, bid, conditions_confirmed=True)
    assert again.version == 2 and bid.status == BidStatus.SUBMITTED


def test_after_the_deadline_by_the_apps_clock_nothing_changes(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    submitting.submit(user, bid, conditions_confirmed=True)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        with pytest.raises(DeadlinePassed):
            submitting.submit(user, bid, conditions_confirmed=True)
        with pytest.raises(DeadlinePassed):
            submitting.withdraw(user, bid)
        with pytest.raises(DeadlinePassed, match="The deadline for bids has passed"):
            bids.save_draft(user, bid, total_price_pence=1)
    assert bid.status == BidStatus.SUBMITTED


def _deadline_in(seconds, opportunity):
    """Move the deadline to the database's now + seconds (test set-up only). The database's clock
    is the real one: tests that use this need the app's to be too (``real_clock``)."""
    db.session.execute(
        sa.text(
            "UPDATE opportunities SET question_deadline = NULL, "
            "submission_deadline = date_trunc('second', clock_timestamp()) "
            "+ make_interval(secs => :s) WHERE id = :id"
        ),
        {"s": seconds, "id": opportunity.id},
    )
    db.session.commit()
    db.session.refresh(opportunity)


def test_a_commit_one_second_late_is_refused_and_kept_as_a_draft(real_clock, world, monkeypatch):
    """The app's clock says there is time; the database's clock at commit says there is not."""
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    _deadline_in(2, world.opportunity)
    real_commit = submitting.commit

    def slow_commit():
        time.sleep(3)  # the submission reaches COMMIT a second after the deadline
        real_commit()

    monkeypatch.setattr(submitting, "commit", slow_commit)
    monkeypatch.setattr(bid_permissions, "eligibility_refusal", lambda *a: None)
    with pytest.raises(DeadlinePassed, match="passed before your submission reached us"):
        submitting.submit(user, bid, conditions_confirmed=True)
    db.session.expire_all()
    kept = db.session.get(Bid, bid.id)
    assert kept.status == BidStatus.DRAFT and kept.current_submission_id is None
    assert kept.total_price_pence == 3_000_000  # the answers are still there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidSubmission)) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "bid_receipt")
        )
        == 0
    )


def test_many_suppliers_in_the_last_second(real_clock, app):
    """Twelve suppliers submit from threads spread across the deadline: each one that committed
    before it is kept exactly once; each after it is refused and stays a draft; none is lost."""
    w = bidding_world(n_suppliers=12)
    for user, org in w.suppliers:
        complete_bid(user, org, w.opportunity)
    ids = [(u.id, o.id) for u, o in w.suppliers]
    _deadline_in(2, w.opportunity)
    deadline = w.opportunity.submission_deadline
    outcomes = {}
    start = threading.Barrier(len(ids), timeout=30)

    def submit(index, user_id, org_id):
        with app.app_context():
            try:
                start.wait()
                time.sleep(index * 0.3)  # spread across the deadline: 0 to 3.3 s
                user = db.session.get(User, user_id)
                bid = db.session.execute(
                    sa.select(Bid).where(Bid.organisation_id == org_id)
                ).scalar_one()
                outcomes[org_id] = (
                    "kept",
                    submitting.submit(user, bid, conditions_confirmed=True).id,
                )
            except DeadlinePassed:
                outcomes[org_id] = ("refused", None)
            except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
                outcomes[org_id] = ("error", repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(i, u, o)) for i, (u, o) in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.expire_all()
    assert len(outcomes) == 12
    assert not [o for o in outcomes.values() if o[0] == "error"], outcomes
    rows = db.session.execute(sa.select(BidSubmission)).scalars().all()
    kept = {o for o, (what, _) in outcomes.items() if what == "kept"}
    assert {r.organisation_id for r in rows} == kept
    assert len(rows) == len(kept)  # exactly once each
    assert all(r.submitted_at < deadline for r in rows)
    assert 0 < len(kept) < 12  # some made it, some did not
    for org_id, (what, _) in outcomes.items():
        bid = db.session.execute(sa.select(Bid).where(Bid.organisation_id == org_id)).scalar_one()
        assert bid.status == (BidStatus.SUBMITTED if what == "kept" else BidStatus.DRAFT)


def test_attachments_are_locked_once_submitted_and_detaching_keeps_the_file(world, s3):
    import io

    from werkzeug.datastructures import FileStorage

    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = bids.attach(
        user,
        bid,
        FileStorage(io.BytesIO(pdf), filename="method.pdf", content_type="application/pdf"),
    )
    submission = submitting.submit(user, bid, conditions_confirmed=True)
    assert submission.snapshot["attachments"][0]["sha256"] == document.sha256
    db.session.refresh(document)
    assert document.locked_at is not None
    bids.detach(user, bid, document.id)
    db.session.refresh(document)
    assert document.status.value == "active"  # the submission still holds it
    assert bid.attachment_ids == []
    assert db.session.get(Document, document.id) is not None


def test_copy_in_answers_from_earlier_bids(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity, words="Our volunteers are local people")
    submitting.submit(user, bid, conditions_confirmed=True)
    from tests.lots.bidding import published

    later = published(world.buyer_user, world.buyer, world.lots[0], title="Second call-off")
    found = bids.earlier_answers(org.id, later.id)
    assert {a["answer"] for a in found} == {"Our volunteers are local people"}
    assert all(a["opportunity"] == world.opportunity.title for a in found)
    assert bids.earlier_answers(org.id, world.opportunity.id) == []
