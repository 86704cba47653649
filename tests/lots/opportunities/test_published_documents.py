"""Published tender documents are locked (issue 14, item 8): nobody deletes one, and replacing
one is an amendment, listed with its date, sent to every invited supplier and audited; the
version published before stays readable on record."""

import io

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.documents.models import DocumentStatus
from app.documents.services import DocumentError, delete_document
from app.errors import ServiceError
from app.extensions import db
from lots.opportunities import amendments, queries
from lots.opportunities import services as opportunities
from tests.dps.helpers import PDF, Upload
from tests.lots.helpers import (
    NOW,
    admitted_supplier,
    make_colleague,
    outbox_recipients,
    ready_draft,
    setup_world,
    supplier,
)
from tests.lots.pages import error_summary, section, soup, text


@pytest.fixture
def world(app):
    return setup_world()


def _published_with_document(world):
    admin, dps, lots, user, buyer = world
    opportunity = ready_draft(user, buyer, lots[0])
    document = opportunities.attach_tender_document(user, opportunity, Upload(PDF, "spec.pdf"))
    opportunities.publish(user, opportunity)
    return opportunity, document


def test_a_draft_document_can_be_deleted_but_a_published_one_cannot(world):
    admin, dps, lots, user, buyer = world
    colleague, _ = make_colleague(buyer)  # any member of the buyer could delete before
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        scrap = opportunities.attach_tender_document(user, draft, Upload(PDF, "scrap.pdf"))
        delete_document(colleague, scrap)
        assert scrap.status == DocumentStatus.DELETED
        opportunity, document = _published_with_document(world)
        for who in (user, colleague):
            with pytest.raises(DocumentError, match="You cannot delete spec.pdf because it was"):
                delete_document(who, document)
    assert document.status == DocumentStatus.ACTIVE
    assert document.locked_reason.startswith(f"it was published with {opportunity.reference}")
    assert queries.tender_documents(opportunity.id) == [document]


def test_replacing_a_published_document_is_a_listed_emailed_audited_amendment(world, run_jobs):
    admin, dps, lots, user, buyer = world
    admitted_supplier(lots[0], "Invited CIC", "inv@invited.example")
    with time_machine.travel(NOW, tick=False):
        opportunity, old = _published_with_document(world)
        with pytest.raises(ServiceError, match="Describe the change") as refused:
            amendments.replace_tender_document(
                user, opportunity, old, Upload(PDF + b"v2", "spec-v2.pdf"), " "
            )
        assert refused.value.field == "summary"
        amendment = amendments.replace_tender_document(
            user, opportunity, old, Upload(PDF + b"v2", "spec-v2.pdf"), "Corrected volumes"
        )
        run_jobs()
    new = amendment.document
    assert (amendment.replaced_document_id, amendment.summary) == (old.id, "Corrected volumes")
    assert amendment.changes == {"tender_document": ["spec.pdf", "spec-v2.pdf"]}
    assert amendment.made_at == NOW
    # The lists show the new version; the old one stays on record, readable and locked.
    assert queries.tender_documents(opportunity.id) == [new]
    assert (new.subject_type, new.subject_id) == ("opportunity", opportunity.id)
    assert new.locked_at is not None and old.locked_at is not None
    assert old.status == DocumentStatus.ACTIVE
    assert outbox_recipients("opportunity_amended") == ["inv@invited.example"]
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.event_type == "amend_opportunity")
    )
    assert (event.detail["replaced_document_id"], event.detail["document_id"]) == (old.id, new.id)
    # It cannot be replaced twice, and nothing else can stand in for a tender document.
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ServiceError, match="not one of this opportunity’s current tender"):
            amendments.replace_tender_document(
                user, opportunity, old, Upload(PDF, "again.pdf"), "Again"
            )


def test_only_a_buyer_replaces_and_only_while_the_opportunity_is_open(world):
    admin, dps, lots, user, buyer = world
    evaluator, _ = make_colleague(buyer, roles=["evaluator"])
    outsider, _ = supplier("Outsider CIC", "out@out.example")
    with time_machine.travel(NOW, tick=False):
        opportunity, old = _published_with_document(world)
        for who in (evaluator, outsider):
            with pytest.raises(ServiceError, match="You need the buyer role"):
                amendments.replace_tender_document(
                    who, opportunity, old, Upload(PDF, "x.pdf"), "Change"
                )
    with time_machine.travel(opportunity.submission_deadline, tick=False):
        with pytest.raises(ServiceError, match="The deadline has passed"):
            amendments.replace_tender_document(
                user, opportunity, old, Upload(PDF, "late.pdf"), "Late change"
            )
    assert queries.tender_documents(opportunity.id) == [old]


def test_the_buyer_replaces_a_document_from_its_page_and_cannot_delete_it(world, person):
    admin, dps, lots, user, buyer = world
    admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity, old = _published_with_document(world)
        bea = person(user.email)
        manage = f"/buyer/{buyer.id}/opportunities/{opportunity.id}"
        page = bea.get(manage)
        assert "spec.pdf" in section(page, "documents")
        # The document's own page offers no delete, and deleting it is refused with a reason.
        document_page = bea.get(f"/documents/{old.id}")
        assert soup(document_page).find("a", string="Delete this document") is None
        assert "it was published with" in text(soup(document_page).find("main"))
        replace = f"{manage}/documents/{old.id}/replace"
        for refused in (
            bea.get(f"/documents/{old.id}/delete"),
            bea.post(f"/documents/{old.id}/delete", {}, form_url=replace),
        ):
            problem = text(soup(refused).select_one(".govuk-error-summary__list"))
            assert problem.startswith("You cannot delete spec.pdf because it was published with")
        assert refused.status_code == 409

        empty = bea.post(replace, {"change": ""}, content_type="multipart/form-data")
        assert error_summary(empty) == ["Describe the change", "Select a file to upload"]
        done = bea.post(
            replace,
            {"change": "Corrected volumes", "file": (io.BytesIO(PDF + b"v2"), "spec-v2.pdf")},
            content_type="multipart/form-data",
        )
        assert done.status_code == 302
        assert "spec-v2.pdf" in section(bea.get(manage), "documents")
        public = bea.get(f"/opportunities/{opportunity.id}")
        changes = section(public, "changes")
        assert "Corrected volumes" in changes and "spec.pdf" in changes
        assert bea.get(f"{manage}/documents/{old.id}/replace").status_code == 404
