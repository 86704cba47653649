"""Letters as tagged PDFs (issue 20): every bidder's letter is stored as a PDF beside the HTML
version, and the PDF has a title, a language, headings and real text, not just bytes."""

import io

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from app.extensions import db
from app.pdf import _local_only, html_to_pdf
from app.storage import get_storage
from lots.awards import services as awards
from lots.awards.models import AwardLetter
from tests.lots.bidding import past_deadline
from tests.lots.evaluation.test_services import _to_proposal, world  # noqa: F401


def _pdf(document):
    with get_storage().open(document.storage_key) as handle:
        return PdfReader(io.BytesIO(handle.read()))


def _structure(node, found):
    node = node.get_object()
    if "/S" in node:
        found.append(str(node["/S"]))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid, "get_object") and hasattr(kid.get_object(), "keys"):
            _structure(kid, found)
    return found


def test_every_letter_is_a_tagged_pdf_with_the_letters_words(world, run_jobs):  # noqa: F811
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _to_proposal(w)
        awards.confirm(w.ann, w.opportunity)
        run_jobs()
    letters = db.session.execute(sa.select(AwardLetter).order_by(AwardLetter.bid_id)).scalars()
    letters = list(letters)
    assert len(letters) == 3
    for letter, (_, organisation) in zip(letters, w.suppliers, strict=True):
        pdf_document = letter.pdf_document
        assert pdf_document.content_type == "application/pdf"
        assert pdf_document.original_filename.endswith(".pdf")
        assert pdf_document.owner_organisation_id == organisation.id
        reader = _pdf(pdf_document)
        kind = "Award letter" if letter.successful else "Assessment summary"
        assert reader.metadata.title == f"{kind}: {w.opportunity.title}"
        root = reader.trailer["/Root"]
        assert root["/Lang"] == "en-GB"
        assert bool(root["/MarkInfo"]["/Marked"])
        tags = _structure(root["/StructTreeRoot"], [])
        assert "/H1" in tags and "/P" in tags
        text = " ".join(page.extract_text() for page in reader.pages)
        assert kind in text
        assert f"To: {organisation.name}" in text
        assert w.opportunity.title in text
        if letter.successful:
            assert "your bid has been successful" in text
        else:
            assert "has not been successful" in text
        # The HTML letter stays, as the accessible alternative.
        assert letter.document.content_type == "text/html"


def test_the_supplier_finds_the_pdf_and_the_web_page_version(world, run_jobs, client, auth):  # noqa: F811
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _to_proposal(w)
        awards.confirm(w.ann, w.opportunity)
        run_jobs()
    user, organisation = w.suppliers[1]
    auth.sign_in(user.email)
    html = client.get(f"/opportunities/{w.opportunity.id}/letters").get_data(as_text=True)
    letter = db.session.execute(
        sa.select(AwardLetter).where(AwardLetter.bid_id == w.bids[1].id)
    ).scalar_one()
    assert f"/documents/{letter.pdf_document_id}/download" in html
    assert "Assessment summary (PDF," in html
    assert f"/documents/{letter.document_id}/download" in html
    assert "as a web page" in html
    response = client.get(f"/documents/{letter.pdf_document_id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")


def test_a_pdf_fetches_nothing_from_outside():
    with pytest.raises(ValueError, match="disallowed protocol: http://example.org/x.png"):
        _local_only().fetch("http://example.org/x.png")
    pdf = html_to_pdf(
        '<html lang="en-GB"><head><title>T</title></head><body><h1>Hello</h1>'
        '<img src="http://example.org/x.png" alt="x"></body></html>'
    )
    assert "Hello" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
