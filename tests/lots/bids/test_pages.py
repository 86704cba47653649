"""A supplier's bid pages on PostgreSQL: starting a bid from the opportunity page, each section,
attachments, checking and submitting with a receipt, problems linked to where they are put
right, input kept on every error, nobody else seeing the bid, the deadline, and withdrawal."""

import io

import pytest
import sqlalchemy as sa
import time_machine

from app.errors import DeadlinePassed
from app.extensions import db
from lots.bids import services as bids
from lots.bids import submitting
from lots.bids.models import Bid, BidStatus, BidSubmission
from tests.dps.helpers import PDF
from tests.lots.bidding import bidding_world, complete_bid, past_deadline, published, questions
from tests.lots.pages import (
    banner,
    error_links,
    error_summary,
    heading,
    input_value,
    section,
    soup,
    summary_rows,
    tags,
    task_list,
    text,
)

OWNER = "owner1@supplier1.example"
OTHER = "owner2@supplier2.example"


@pytest.fixture
def bw(app):
    return bidding_world()


def _bid(org):
    db.session.expire_all()
    return db.session.execute(sa.select(Bid).where(Bid.organisation_id == org.id)).scalar_one()


def _answering(bw, person):
    """Supplier 1's owner, signed in, with a bid started: (organisation, its quality question,
    the bid's address, the owner's client)."""
    user, org = bw.suppliers[0]
    o = bw.opportunity
    bids.start_bid(user, org, o)
    return org, questions(o)["quality"], f"/opportunities/{o.id}/bid", person(OWNER)


def test_a_supplier_starts_fills_and_submits_a_bid(bw, person):
    user, org = bw.suppliers[0]
    _, partner = bw.suppliers[1]
    o = bw.opportunity
    q = questions(o)
    base = f"/opportunities/{o.id}/bid"
    rosa = person(OWNER)

    page = rosa.get(f"/opportunities/{o.id}")
    start = soup(page).find(id="start-bid")
    assert text(start) == "Start a bid" and not start.has_attr("disabled")
    started = rosa.post(f"{base}/start", {}, form_url=f"/opportunities/{o.id}")
    assert started.status_code == 302 and started.headers["Location"].endswith(base)
    overview = rosa.get(base)
    assert heading(overview) == "Your bid"
    assert summary_rows(overview, "bid-status")["Status"] == "Draft"
    sections = task_list(overview)
    assert sections["Question 1: How will you recruit volunteers?"] == "Not yet started"
    assert sections["Price"] == "Not yet started"
    assert sections["Partners: consortium members and subcontractors"] == "Optional"
    assert "Continue your bid" in text(
        soup(rosa.get(f"/opportunities/{o.id}")).find(id="continue-bid")
    )

    # A question page: the word count is the page's, the limit the buyer's.
    question_url = f"{base}/questions/{q['quality'].id}"
    page = rosa.get(question_url)
    group = soup(page).find(attrs={"data-module": "app-word-count"})
    assert group["data-maxwords"] == "500"
    assert text(soup(page).find(id="answer-info")) == "You can enter up to 500 words"
    assert soup(page).find("label", attrs={"for": "answer"}).find_parent("h1") is not None
    saved = rosa.post(question_url, {"answer": "We recruit through local groups.\r\nAnd GPs."})
    assert saved.headers["Location"].endswith(f"{base}/questions/{q['social_value'].id}")
    assert (
        rosa.post(saved.headers["Location"], {"answer": "Two local jobs"})
        .headers["Location"]
        .endswith(f"{base}/pass-fail")
    )
    assert _bid(org).answers[str(q["quality"].id)] == "We recruit through local groups.\nAnd GPs."

    moved = rosa.post(f"{base}/pass-fail", {f"pass-fail-{q['pass_fail'].id}": "yes"})
    assert moved.headers["Location"].endswith(f"{base}/price")
    moved = rosa.post(f"{base}/price", {"total_price": "£30,000.50"})
    assert moved.headers["Location"].endswith(f"{base}/social-value")
    assert _bid(org).total_price_pence == 3_000_050
    page = rosa.get(f"{base}/social-value")
    assert "Local people employed on the contract" in text(soup(page).find("main"))
    moved = rosa.post(f"{base}/social-value", {"social-value-SV-EMP-01": "2.5"})
    assert moved.headers["Location"].endswith(f"{base}/partners")

    # Partners: one from the directory, one typed; searching keeps what was typed.
    searched = rosa.post(
        f"{base}/partners",
        {
            "partners-0-name": "Leeds Volunteer Drivers",
            "partners-0-role": "subcontractor",
            "partners-0-share_percent": "10",
            "query": "supplier 2",
            "action": "search",
        },
    )
    assert searched.status_code == 200
    assert "Supplier 2 CIC" in section(searched, "directory-results")
    assert "Supplier 1 CIC" not in section(searched, "directory-results")  # not itself
    assert input_value(searched, "partners-0-name") == "Leeds Volunteer Drivers"
    picked = rosa.post(
        f"{base}/partners",
        {
            "partners-0-name": "Leeds Volunteer Drivers",
            "partners-0-role": "subcontractor",
            "partners-0-share_percent": "10",
            "action": f"pick-{partner.id}",
        },
    )
    assert input_value(picked, "partners-1-organisation_id") == str(partner.id)

    def two_partners(second_share, first_share="10", second=partner):
        """Save the typed partner and a directory pick (``second``) with these shares."""
        return rosa.post(
            f"{base}/partners",
            {
                "partners-0-name": "Leeds Volunteer Drivers",
                "partners-0-role": "subcontractor",
                "partners-0-share_percent": first_share,
                "partners-1-organisation_id": str(second.id),
                "partners-1-name": second.name,
                "partners-1-role": "consortium_member",
                "partners-1-share_percent": second_share,
                "action": "save",
            },
        )

    no_share = two_partners("a lot")
    assert error_summary(no_share) == ["Enter the share of the work as a whole number from 1 to 99"]
    assert error_links(no_share) == ["#partners-1-share_percent"]
    assert input_value(no_share, "partners-1-share_percent") == "a lot"
    # The service names the partner and the part of it: here the second one's directory pick,
    # shown where that partner's name is.
    itself = two_partners("20", second=org)
    assert error_summary(itself) == ["Your own organisation is the bidder, not a partner"]
    assert error_links(itself) == ["#partners-1-name"]
    too_much = two_partners("40", first_share="60")
    assert "add up to more than 99%" in error_summary(too_much)[0]
    assert input_value(too_much, "partners-0-share_percent") == "60"
    moved = two_partners("30")
    assert moved.headers["Location"].endswith(f"{base}/attachments")
    assert [(p.name, p.share_percent, p.partner_organisation_id) for p in _bid(org).partners] == [
        ("Leeds Volunteer Drivers", 10, None),
        ("Supplier 2 CIC", 30, partner.id),
    ]

    # An attachment, then a refused one: the summary says why, the rest is kept.
    attached = rosa.post(f"{base}/attachments", {"file": (io.BytesIO(PDF), "method statement.pdf")})
    assert attached.status_code == 302
    page = rosa.get(f"{base}/attachments")
    assert "method statement.pdf has been attached" in banner(page)
    assert "method statement.pdf" in section(page, "attachments")
    # The button names the file for screen readers, in markup, not as text on the button.
    remove = soup(page).select_one("#attachments button")
    assert text(remove) == "Remove method statement.pdf"
    assert text(remove.select_one(".govuk-visually-hidden")) == "method statement.pdf"
    refused = rosa.post(f"{base}/attachments", {"file": (io.BytesIO(b"MZ\x90\x00"), "run.exe")})
    assert refused.status_code == 200
    assert error_summary(refused)[0].startswith("The selected file run.exe")
    assert len(_bid(org).attachment_ids) == 1

    check = rosa.get(f"{base}/check")
    assert error_summary(check) == []
    assert "£30,000.50" in section(check, "check-price")
    assert "Supplier 2 CIC" in section(check, "check-partners")
    assert "2.5 FTE" in section(check, "check-social-value")
    # The contract conditions are on the check page; submitting declares them accepted.
    conditions = summary_rows(check, "check-conditions")
    assert conditions["Payment terms"].startswith(
        "The buyer pays undisputed invoices within 30 days."
    )
    assert "30-day payment terms flow down the supply chain" in conditions["Payment terms"]
    assert conditions["Real Living Wage"] == "Not a condition of this contract."
    undeclared = rosa.post(f"{base}/submit", {}, form_url=f"{base}/check")
    assert error_summary(undeclared) == [
        "Confirm that you accept the contract conditions: payment terms"
    ]
    assert _bid(org).current_submission_id is None
    submitted = rosa.post(f"{base}/submit", {"conditions_confirmed": "y"}, form_url=f"{base}/check")
    assert submitted.headers["Location"].endswith(f"{base}/submitted")
    receipt_page = rosa.get(f"{base}/submitted")
    assert "Bid submitted" in section(receipt_page, "confirmation")
    # The version and the time on lines of their own: a line break, not "<br>" as text.
    panel = soup(receipt_page).select_one("#confirmation .govuk-panel__body")
    assert panel.find("br") is not None and "<" not in text(panel)
    assert text(panel).startswith("Version 1 at ")
    submission = db.session.execute(sa.select(BidSubmission)).scalar_one()
    receipt = summary_rows(receipt_page, "receipt")
    assert receipt["Version"] == "1"
    assert receipt["SHA-256 fingerprint"] == submission.sha256
    assert receipt["Submitted at"].endswith(submission.submitted_at.strftime("%Y").lstrip("0"))
    assert submission.snapshot["attachments"][0]["filename"] == "method statement.pdf"

    overview = rosa.get(base)
    status = summary_rows(overview, "bid-status")
    assert status["Status"] == "Submitted" and status["Receipt (SHA-256)"] == submission.sha256
    assert soup(overview).find(id="unsubmitted-changes") is None

    # A change not yet submitted is said plainly.
    rosa.post(f"{base}/price", {"total_price": "29000"})
    overview = rosa.get(base)
    assert "changes not yet submitted" in section(overview, "unsubmitted-changes")
    assert summary_rows(overview, "bid-status")["Version submitted"] == "1"


def test_an_over_limit_answer_is_kept_and_the_check_page_links_to_it(bw, person):
    org, q, base, rosa = _answering(bw, person)
    long_answer = " ".join(["volunteers"] * 501)
    assert rosa.post(f"{base}/questions/{q.id}", {"answer": long_answer}).status_code == 302
    page = rosa.get(f"{base}/questions/{q.id}")
    assert input_value(page, "answer") == long_answer
    assert "501 words" in section(page, "saved-count")
    check = rosa.get(f"{base}/check")
    problems = error_summary(check)
    assert (
        "Your answer to ‘How will you recruit volunteers?’ has 501 words; the limit is 500"
        in problems
    )
    assert f"{base}/questions/{q.id}#answer" in error_links(check)
    assert f"{base}/price#total_price" in error_links(check)
    assert soup(check).find(id="submit-bid") is None
    assert task_list(rosa.get(base))["Question 1: How will you recruit volunteers?"] == "Incomplete"
    # Submitting anyway names the same problems, and nothing is submitted.
    refused = rosa.post(f"{base}/submit", {}, form_url=f"{base}/questions/{q.id}")
    assert refused.status_code == 200 and problems == error_summary(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BidSubmission)) == 0


def test_bad_price_input_is_kept_with_an_error(bw, person):
    user, org = bw.suppliers[0]
    o = bw.opportunity
    base = f"/opportunities/{o.id}/bid"
    bids.start_bid(user, org, o)
    rosa = person(OWNER)
    bad = rosa.post(f"{base}/price", {"total_price": "twelve thousand"})
    assert bad.status_code == 200
    assert error_summary(bad) == [
        "Enter your total price as an amount of money, like £12,500 or £12,500.50"
    ]
    assert error_links(bad) == ["#total_price"]
    assert input_value(bad, "total_price") == "twelve thousand"
    zero = rosa.post(f"{base}/price", {"total_price": "£0"})
    assert error_summary(zero) == ["Enter a price more than £0 and up to £100,000,000"]
    assert input_value(zero, "total_price") == "£0"
    assert _bid(org).total_price_pence is None
    sv = rosa.post(f"{base}/social-value", {"social-value-SV-EMP-01": "lots"})
    assert "as a number" in error_summary(sv)[0]
    assert input_value(sv, "social-value-SV-EMP-01") == "lots"


def test_a_price_schedule_takes_a_unit_price_per_line(app, person):
    w = bidding_world(
        price_schedule=[
            {"description": "Befriending visit", "unit": "visit", "quantity": 100},
            {"description": "Telephone call", "unit": "call", "quantity": 50},
        ]
    )
    user, org = w.suppliers[0]
    base = f"/opportunities/{w.opportunity.id}/bid"
    bids.start_bid(user, org, w.opportunity)
    rosa = person(OWNER)
    page = rosa.get(f"{base}/price")
    assert input_value(page, "line-0") == "" and input_value(page, "line-1") == ""
    half = rosa.post(f"{base}/price", {"line-0": "£25.50", "line-1": ""})
    assert half.status_code == 302
    check = rosa.get(f"{base}/check")
    assert f"{base}/price#line-1" in error_links(check)
    rosa.post(f"{base}/price", {"line-0": "£25.50", "line-1": "4"})
    assert _bid(org).line_prices == {"0": 2550, "1": 400}
    assert "£2,750" in section(rosa.get(f"{base}/check"), "check-price")


def test_nobody_else_sees_the_bid(bw, person):
    user, org = bw.suppliers[0]
    other_user, other_org = bw.suppliers[1]
    o = bw.opportunity
    base = f"/opportunities/{o.id}/bid"
    bid = complete_bid(user, org, o, words="Our secret method")
    submitting.submit(user, bid, conditions_confirmed=True)
    from tests.lots.helpers import supplier

    supplier("Not Invited CIC", "x@notinvited.example")  # admitted to no lot: not invited
    outsider = person("x@notinvited.example")
    assert outsider.get(base).status_code == 404
    assert outsider.get(f"{base}/check").status_code == 404
    assert outsider.post(f"{base}/start", {}, form_url="/sign-out").status_code == 404
    assert soup(outsider.get(f"/opportunities/{o.id}")).find(id="start-bid") is None

    other = person(OTHER)
    own = other.get(base)
    assert own.status_code == 200
    assert summary_rows(own, "bid-status")["Bidding as"] == "Supplier 2 CIC"
    assert "secret" not in own.get_data(as_text=True)
    assert other.get(f"{base}?as={org.id}").status_code == 404
    assert other.get(f"{base}/check?as={org.id}").status_code == 404
    assert other.get(f"{base}/submitted?as={org.id}").status_code == 404
    # Supplier 2 has no bid: its section pages send it to its own overview.
    assert other.get(f"{base}/check").headers["Location"].endswith(base)

    buyer = person("bea@leeds.example")
    assert buyer.get(base).status_code == 404
    assert person().get(base).status_code == 302  # signed out: sign in first


def test_after_the_deadline_the_bid_is_read_only_and_submit_is_refused(bw, person):
    user, org = bw.suppliers[0]
    o = bw.opportunity
    base = f"/opportunities/{o.id}/bid"
    bid = complete_bid(user, org, o)
    submitting.submit(user, bid, conditions_confirmed=True)
    bids.save_draft(user, bid, total_price_pence=2_500_000)  # a change never submitted
    with time_machine.travel(past_deadline(o), tick=False):
        rosa = person(OWNER)
        overview = rosa.get(base)
        assert "The deadline for bids has passed" in section(overview, "read-only")
        assert soup(overview).find(id="check") is None
        assert soup(overview).find(id="sections").find("a") is None  # no links to change
        assert tags(overview, "bid-status") == ["Submitted"]
        page = rosa.get(f"/opportunities/{o.id}")
        assert soup(page).find(id="start-bid") is None
        assert soup(page).find(id="see-bid") is not None
        assert rosa.get(f"{base}/price").headers["Location"].endswith(f"{base}/check")
        check = rosa.get(f"{base}/check")
        assert heading(check) == "Your answers"
        assert soup(check).find(id="submit-bid") is None
        assert soup(check).select(".govuk-summary-list__actions") == []

        refused = rosa.post(f"{base}/submit", {}, form_url="/sign-out")
        assert refused.status_code == 409
        assert error_summary(refused) == ["The deadline for bids has passed"]
        kept = section(refused, "submit-section")
        assert "Your answers are kept" in kept and "version 1" in kept

        typed = rosa.post(f"{base}/price", {"total_price": "£1,000"}, form_url="/sign-out")
        assert typed.status_code == 200
        assert "deadline for bids has passed" in error_summary(typed)[0]
        assert input_value(typed, "total_price") == "£1,000"
        withdraw = rosa.post(f"{base}/withdraw", {}, form_url="/sign-out")
        assert withdraw.status_code == 200
        assert error_summary(withdraw)[0].startswith("The deadline for bids has passed")
    assert _bid(org).status == BidStatus.SUBMITTED
    assert _bid(org).total_price_pence == 2_500_000


def test_a_submission_late_by_the_databases_clock_says_the_answers_are_kept(
    bw, person, monkeypatch
):
    user, org = bw.suppliers[0]
    o = bw.opportunity
    base = f"/opportunities/{o.id}/bid"
    complete_bid(user, org, o)

    def late(user, bid, conditions_confirmed=False):
        raise DeadlinePassed(
            "The deadline (midday on 1 January 2027) passed before your "
            "submission reached us, so it was not accepted. Your answers "
            "are saved."
        )

    monkeypatch.setattr(submitting, "submit", late)
    rosa = person(OWNER)
    refused = rosa.post(f"{base}/submit", {"conditions_confirmed": "y"}, form_url=f"{base}/check")
    assert refused.status_code == 409
    assert "passed before your submission reached us" in error_summary(refused)[0]
    assert "The buyer has no bid from you" in section(refused, "submit-section")


def test_withdraw_with_a_confirm_step(bw, person, smtp):
    user, org = bw.suppliers[0]
    o = bw.opportunity
    base = f"/opportunities/{o.id}/bid"
    submitting.submit(user, complete_bid(user, org, o), conditions_confirmed=True)
    rosa = person(OWNER)
    overview = rosa.get(base)
    assert soup(overview).find(id="withdraw")["href"] == f"{base}/withdraw"
    confirm = rosa.get(f"{base}/withdraw")
    assert heading(confirm) == "Are you sure you want to withdraw your bid?"
    assert _bid(org).status == BidStatus.SUBMITTED
    done = rosa.post(f"{base}/withdraw", {})
    assert done.headers["Location"].endswith(base)
    overview = rosa.get(base)
    assert "has been withdrawn" in banner(overview)
    assert summary_rows(overview, "bid-status")["Status"] == "Withdrawn"
    assert _bid(org).status == BidStatus.WITHDRAWN
    # Withdrawn: nothing left to withdraw; submitting again is offered.
    assert rosa.get(f"{base}/withdraw").headers["Location"].endswith(base)
    assert soup(rosa.get(f"{base}/check")).find(id="submit-bid") is not None


def test_copy_an_answer_from_an_earlier_bid(bw, person):
    user, org = bw.suppliers[0]
    submitting.submit(
        user,
        complete_bid(user, org, bw.opportunity, words="Our volunteers are local people"),
        conditions_confirmed=True,
    )
    later = published(bw.buyer_user, bw.buyer, bw.lots[0], title="Second call-off")
    q = questions(later)["quality"]
    base = f"/opportunities/{later.id}/bid"
    bids.start_bid(user, org, later)
    rosa = person(OWNER)
    page = rosa.get(f"{base}/questions/{q.id}")
    assert soup(page).find(id="copy-answer")["href"] == f"{base}/questions/{q.id}/copy"
    choose = rosa.get(f"{base}/questions/{q.id}/copy")
    assert "Our volunteers are local people" in text(soup(choose).find("main"))
    assert error_summary(rosa.post(f"{base}/questions/{q.id}/copy", {})) == [
        "Select the answer you want to copy"
    ]
    key = soup(choose).find("input", attrs={"name": "answer"})["value"]
    copied = rosa.post(f"{base}/questions/{q.id}/copy", {"answer": key})
    page = rosa.get(copied.headers["Location"])
    assert input_value(page, "answer") == "Our volunteers are local people"
    assert "not saved yet" in section(page, "copied")
    # Only the organisation's own earlier answers can be copied in.
    assert input_value(rosa.get(f"{base}/questions/{q.id}?copy=999:1"), "answer") == ""


def test_autosave_saves_the_answer_and_counts_words(bw, person):
    org, q, base, rosa = _answering(bw, person)
    saved = rosa.post(
        f"{base}/questions/{q.id}/autosave",
        {"answer": "well-being - for all"},
        form_url=f"{base}/questions/{q.id}",
    )
    assert saved.status_code == 200
    assert saved.json["saved"] is True and saved.json["words"] == 3
    assert _bid(org).answers[str(q.id)] == "well-being - for all"
    with time_machine.travel(past_deadline(bw.opportunity), tick=False):
        late = person(OWNER).post(
            f"{base}/questions/{q.id}/autosave",
            {"answer": "after the deadline"},
            form_url="/sign-out",
        )
    # A refusal is the app's JSON error body (app.web.refused_json), which the page shows.
    assert late.status_code == 403
    assert late.json["error"]["message"] == "The deadline for bids has passed"
    assert _bid(org).answers[str(q.id)] == "well-being - for all"
