"""Records retention: a call-off's records are kept for 3 years after its contract ends (or it
closes without award), then the personal data in them are erased and the documents of its
unsuccessful bids deleted from storage, once, with one audit event, the chain still verifying.
Dates are relative to each test's own contract or closing day, never to the day the test runs."""

import io
from datetime import datetime, time, timedelta
from hashlib import sha256

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage

from app import schedule
from app.audit.models import AuditEvent
from app.audit.services import personal_detail, public_detail, verify_chain
from app.documents.models import Document, DocumentStatus
from app.documents.services import read_content
from app.extensions import db
from app.storage import get_storage
from app.timeutil import local_tz, to_local
from lots.awards import queries as award_queries
from lots.awards import retention
from lots.awards import services as awards
from lots.awards.models import AwardLetter, ExpiryReason, RecordsExpiry
from lots.bids import partnering, submitting
from lots.bids import services as bids
from lots.bids.models import ContactStatus, PartnerContact, PartnerPost
from lots.evaluation.models import EvaluatorAssignment
from lots.opportunities import amendments, clarifications
from lots.opportunities.models import ClarificationQuestion
from tests.lots.awards.helpers import award_to_first
from tests.lots.bidding import bidding_world, colleague, complete_bid, past_deadline

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONTACT = ("Bea Buyer", "bea@leeds.example")  # the call-off's contact person (ready_draft)


def on(day):
    """The app's clock at noon (London) on ``day``."""
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=local_tz()), tick=False)


def years_after(day, years=3):
    return retention.add_years(day, years)


@pytest.fixture
def s3_app(app, make_app, s3):
    """The app, storing documents in moto's S3 server, its context pushed over ``app``'s."""
    _, _, settings = s3
    other = make_app(**settings)
    context = other.app_context()
    context.push()
    yield other
    context.pop()


def _attach(user, bid, name):
    return bids.attach(
        user, bid, FileStorage(io.BytesIO(PDF), filename=name, content_type="application/pdf")
    )


def _bidding(**overrides):
    """Two suppliers bid with an attachment each; the second asked a clarification question."""
    w = bidding_world(n_suppliers=2, **overrides)
    (u1, s1), (u2, s2) = w.suppliers
    w.question = clarifications.ask(u2, s2, w.opportunity, "Can we bid as a consortium?")
    w.bids, w.documents = [], []
    for user, org in w.suppliers:
        bid = complete_bid(user, org, w.opportunity)
        w.documents.append(_attach(user, bid, f"method {org.name}.pdf"))
        submitting.submit(user, bid, conditions_confirmed=True)
        w.bids.append(bid)
    return w


def _contracted(standstill=False):
    """Awarded to supplier 1, letters issued (with a standstill, the loser's names the contact
    person), the contract entered."""
    w = _bidding(voluntary_standstill=standstill)
    assert award_to_first(w) == 2
    w.contract = award_queries.contract_of(w.opportunity.id)
    return w


def _call_off_events(w):
    """The audit events about the call-off's own rows (not the expiry event)."""
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(AuditEvent)
            .where(
                AuditEvent.event_type != "expire_records",
                sa.or_(
                    sa.and_(
                        AuditEvent.subject_type == "opportunities",
                        AuditEvent.subject_id == w.opportunity.id,
                    ),
                    sa.and_(
                        AuditEvent.subject_type == "bids",
                        AuditEvent.subject_id.in_([b.id for b in w.bids]),
                    ),
                    AuditEvent.subject_type.in_(
                        ["evaluator_assignments", "evaluation_scores", "consensus_scores"]
                    ),
                    AuditEvent.subject_type.in_(["opportunity_clarifications", "award_letters"]),
                    AuditEvent.subject_type == "contracts",
                ),
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def _snapshot():
    """Everything expiring may change, to show that something did not."""
    db.session.expire_all()
    rows = {}
    for model in (AuditEvent, Document, ClarificationQuestion, EvaluatorAssignment, RecordsExpiry):
        key = sa.inspect(model).primary_key[0]
        rows[model.__tablename__] = [
            {c.key: getattr(r, c.key) for c in sa.inspect(model).column_attrs}
            for r in db.session.execute(sa.select(model).order_by(key)).scalars()
        ]
    return rows


def test_a_contract_is_kept_three_years_after_it_ends_and_expires_the_day_after(app):
    w = _contracted()
    ended = w.contract.end_date
    assert app.config["RECORDS_RETENTION_YEARS"] == 3
    assert retention.due(years_after(ended) - timedelta(days=1)) == []  # 3 years less a day
    assert retention.due(years_after(ended)) == []  # 3 years to the day: still kept
    [expiry] = retention.due(years_after(ended) + timedelta(days=1))  # 3 years and a day
    assert expiry.opportunity.id == w.opportunity.id
    assert (expiry.reason, expiry.ended_on) == (ExpiryReason.CONTRACT_ENDED, ended)
    assert expiry.kept_until == years_after(ended)
    with on(years_after(ended) - timedelta(days=1)):
        assert retention.expire_records() == []
        assert w.opportunity.contact_name == CONTACT[0]
    with on(years_after(ended) + timedelta(days=1)):
        assert [e.opportunity.id for e in retention.expire_records()] == [w.opportunity.id]


def test_the_retention_period_is_configuration(app, make_app):
    w = _contracted()
    ended = w.contract.end_date
    with make_app(RECORDS_RETENTION_YEARS=6).app_context():
        assert retention.due(years_after(ended) + timedelta(days=1)) == []
        assert len(retention.due(years_after(ended, 6) + timedelta(days=1))) == 1


def test_29_february_is_kept_until_28_february():
    assert retention.add_years(datetime(2028, 2, 29).date(), 3) == datetime(2031, 2, 28).date()


def test_expiry_erases_personal_data_deletes_the_losers_documents_and_keeps_the_winners(s3_app, s3):
    s3_client, bucket, _ = s3
    w = _contracted(standstill=True)
    winner_doc, loser_doc = w.documents
    stored = {d.id: d.storage_key for d in w.documents}
    assert s3_client.head_object(Bucket=bucket, Key=stored[loser_doc.id])
    letter_keys = {
        letter.document.storage_key: letter.successful
        for letter in db.session.scalars(sa.select(AwardLetter))
    }
    loser_letter_key = next(key for key, won in letter_keys.items() if not won)
    assert (
        CONTACT[1]
        in read_content(
            db.session.scalar(sa.select(Document).where(Document.storage_key == loser_letter_key))
        ).decode()
    )
    before = [(e.id, e.event_type, dict(e.detail), e.hash) for e in _call_off_events(w)]
    assert any(e.actor_label for e in _call_off_events(w))
    ended = w.contract.end_date

    with on(years_after(ended) + timedelta(days=1)):
        [expiry] = retention.expire_records()

    db.session.expire_all()
    # The contact person, who asked, who evaluated: erased.
    assert (w.opportunity.contact_name, w.opportunity.contact_email) == (None, None)
    assert db.session.get(ClarificationQuestion, w.question.id).asked_by_id is None
    assigned = db.session.scalars(sa.select(EvaluatorAssignment)).all()
    assert len(assigned) == 2 and {a.user_id for a in assigned} == {None}
    # The audit events of the call-off no longer name anyone; the rest of each is kept.
    after = _call_off_events(w)
    assert [(e.id, e.event_type, e.detail, e.hash) for e in after] == [
        (id_, kind, public_detail(detail), digest) for id_, kind, detail, digest in before
    ]
    assert any("user_id" in detail for _, _, detail, _ in before)  # who was made an evaluator
    assert not any(personal_detail(e.detail) for e in after)
    assert {(e.actor_id, e.actor_label) for e in after} == {(None, None)}
    assert all(e.anonymised_at is not None for e in after)
    # The losing bid's document is gone from S3; the winner's stays, whole.
    assert db.session.get(Document, loser_doc.id).status == DocumentStatus.DELETED
    assert db.session.get(Document, loser_doc.id).object_removed_at is not None
    with pytest.raises(s3_client.exceptions.ClientError, match="404"):
        s3_client.head_object(Bucket=bucket, Key=stored[loser_doc.id])
    assert db.session.get(Document, winner_doc.id).status == DocumentStatus.ACTIVE
    assert read_content(db.session.get(Document, winner_doc.id)) == PDF
    # The letter that named the contact person is rewritten without them (its old object is
    # gone); the winner's, which did not, is left as it was.
    for letter in db.session.scalars(sa.select(AwardLetter)):
        content = read_content(letter.document).decode()
        assert CONTACT[0] not in content and CONTACT[1] not in content
        assert (letter.document.storage_key in letter_keys) == letter.successful
        assert sha256(content.encode()).hexdigest() == letter.document.sha256
        # The PDF of the letter is made again without them too.
        pdf_text = " ".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(read_content(letter.pdf_document))).pages
        )
        assert "To: " in pdf_text
        assert CONTACT[0] not in pdf_text and CONTACT[1] not in pdf_text
    assert not get_storage().exists(loser_letter_key)
    # One event for the call-off, in counts, naming nobody; the chain still verifies.
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event_type == "expire_records")
    ).all()
    assert (event.subject_type, event.subject_id) == ("opportunities", w.opportunity.id)
    assert event.actor_id is None
    assert event.detail["documents_deleted"] == 1
    assert event.detail["letters_rewritten"] == 1
    assert event.detail["document_ids_deleted"] == [loser_doc.id]
    assert event.detail["evaluators_erased"] == 2
    assert event.detail["clarification_askers_erased"] == 1
    assert event.detail["audit_events_anonymised"] == expiry.audit_events > 0
    assert event.detail["reason"] == "contract_ended"
    for person in CONTACT + ("eve@leeds.example", "Eve", "owner2@supplier2.example"):
        assert person not in str(event.detail)
    expired = db.session.get(RecordsExpiry, w.opportunity.id)
    assert (expired.ended_on, expired.reason) == (ended, ExpiryReason.CONTRACT_ENDED)
    assert expired.summary == event.detail
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert verify_chain() == (total, None, None)


def test_a_second_run_changes_nothing(app):
    w = _contracted()
    later = years_after(w.contract.end_date) + timedelta(days=1)
    with on(later):
        assert len(retention.expire_records()) == 1
        first = _snapshot()
    with on(later + timedelta(days=400)):
        assert retention.due() == []
        assert retention.expire_records() == []
        assert _snapshot() == first


def test_a_dry_run_says_what_would_be_done_and_changes_nothing(app):
    w = _contracted()
    loser_key = w.documents[1].storage_key
    before = _snapshot()
    with on(years_after(w.contract.end_date) + timedelta(days=1)):
        result = app.test_cli_runner().invoke(args=["records", "expire", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing is changed. Records are kept 3 years." in result.output
    assert f"Would expire {w.opportunity.reference} (" in result.output
    assert (
        "Personal data of the contact person, 1 clarification asker, 2 evaluators" in result.output
    )
    assert "1 document of unsuccessful bids deleted" in result.output
    assert "0 letters rewritten without the contact" in result.output
    assert "1 call-off would have their records expired." in result.output
    assert _snapshot() == before
    assert get_storage().exists(loser_key)


def test_the_command_expires_and_a_second_run_finds_nothing(app):
    w = _contracted()
    runner = app.test_cli_runner()
    with on(years_after(w.contract.end_date) + timedelta(days=1)):
        first = runner.invoke(args=["records", "expire"])
        second = runner.invoke(args=["records", "expire"])
    assert first.exit_code == 0, first.output
    assert f"Expired {w.opportunity.reference} (" in first.output
    assert "1 call-off had their records expired." in first.output
    assert second.exit_code == 0, second.output
    assert "0 call-offs had their records expired." in second.output
    assert db.session.get(RecordsExpiry, w.opportunity.id) is not None


def test_the_command_refuses_a_date_it_cannot_read(app):
    result = app.test_cli_runner().invoke(args=["records", "expire", "--on", "31/12/2029"])
    assert result.exit_code == 2
    assert "Give the date as YYYY-MM-DD" in result.output


def test_the_command_can_run_as_if_on_another_day(app):
    w = _contracted()
    day = years_after(w.contract.end_date) + timedelta(days=1)
    runner = app.test_cli_runner()
    before = runner.invoke(args=["records", "expire", "--dry-run", "--on", str(day - timedelta(2))])
    assert "0 call-offs would have" in before.output
    result = runner.invoke(args=["records", "expire", "--dry-run", "--on", day.isoformat()])
    assert "1 call-off would have their records expired." in result.output


def test_a_cancelled_call_off_expires_three_years_after_it_was_cancelled(app):
    w = _bidding()
    amendments.cancel(w.buyer_user, w.opportunity, "The service is no longer funded")
    cancelled_on = to_local(w.opportunity.cancelled_at).date()
    keys = [d.storage_key for d in w.documents]
    assert retention.due(years_after(cancelled_on)) == []
    with on(years_after(cancelled_on) + timedelta(days=1)):
        [expiry] = retention.expire_records()
    assert (expiry.reason, expiry.ended_on) == (ExpiryReason.CANCELLED, cancelled_on)
    db.session.expire_all()
    # No winner: every bid was unsuccessful, so every bid's document goes.
    assert {db.session.get(Document, d.id).status for d in w.documents} == {DocumentStatus.DELETED}
    assert not any(get_storage().exists(key) for key in keys)
    assert db.session.get(ClarificationQuestion, w.question.id).asked_by_id is None
    assert w.opportunity.contact_email is None
    assert verify_chain()[1] is None


def test_a_call_off_with_no_suitable_bid_expires_three_years_after_that_was_recorded(app):
    w = _bidding()
    ann = colleague(w.buyer, "ann@leeds.example", ("approver",), name="Ann")
    closed = past_deadline(w.opportunity)
    with time_machine.travel(closed, tick=False):
        awards.no_suitable_bid(ann, w.opportunity, "No bid met the safeguarding standard")
    closed_on = to_local(closed).date()
    assert retention.due(years_after(closed_on)) == []
    [expiry] = retention.due(years_after(closed_on) + timedelta(days=1))
    assert (expiry.reason, expiry.ended_on) == (ExpiryReason.NO_SUITABLE_BID, closed_on)
    assert len(expiry.documents) == 2


def test_the_job_runs_every_day_from_the_schedule(app):
    entry = schedule.entry("expire-records")
    assert entry is not None
    assert (entry.job, entry.every, entry.at) == (retention.expire_records, "day", (2, 30))
    assert "retention" in entry.description


def test_the_partner_board_is_erased_with_the_call_offs_records(app):
    w = bidding_world(n_suppliers=2)
    (u1, s1), (u2, s2) = w.suppliers
    post = partnering.post(
        u2, s2, w.opportunity, ["subcontractor"], "Two drivers; ask for Sam on 07700 900123"
    )
    sent = partnering.contact(u1, s1, post, w.opportunity, "I am Rita: call me on 07700 900456")
    partnering.answer(u2, sent, True)
    board = sa.or_(
        sa.and_(AuditEvent.subject_type == "partner_posts", AuditEvent.subject_id == post.id),
        sa.and_(AuditEvent.subject_type == "partner_contacts", AuditEvent.subject_id == sent.id),
    )
    events = db.session.scalars(sa.select(AuditEvent).where(board)).all()
    assert len(events) == 3 and all(e.actor_id for e in events)
    amendments.cancel(w.buyer_user, w.opportunity, "The service is no longer funded")
    cancelled_on = to_local(w.opportunity.cancelled_at).date()
    with on(years_after(cancelled_on)):
        assert retention.expire_records() == []  # kept whole for the whole period
    assert db.session.get(PartnerPost, post.id).could_bring.startswith("Two drivers")

    with on(years_after(cancelled_on) + timedelta(days=1)):
        [expiry] = retention.expire_records()

    db.session.expire_all()
    post = db.session.get(PartnerPost, post.id)
    assert (post.could_bring, post.posted_by_id) == (retention.REDACTED, None)
    assert (post.organisation_id, post.offers) == (s2.id, ["subcontractor"])  # the record stays
    sent = db.session.get(PartnerContact, sent.id)
    assert (sent.message, sent.from_user_id, sent.answered_by_id) == (
        retention.REDACTED,
        None,
        None,
    )
    assert (sent.from_organisation_id, sent.status) == (s1.id, ContactStatus.AGREED)
    assert partnering.contact_details(u1, sent) == partnering.Details(s2.display_name, None, None)
    events = db.session.scalars(sa.select(AuditEvent).where(board)).all()
    assert {(e.actor_id, e.actor_label) for e in events} == {(None, None)}
    assert all(e.anonymised_at is not None for e in events)
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event_type == "expire_records")
    ).all()
    assert (event.detail["partner_posts_erased"], event.detail["partner_messages_erased"]) == (1, 1)
    for person in ("Sam", "Rita", "07700", u1.email, u2.email):
        assert person not in str(event.detail)
    assert "1 partner board post, 1 partner board message" in expiry.describe()
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert verify_chain() == (total, None, None)
