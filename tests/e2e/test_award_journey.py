"""Two suppliers bid (one submits through the pages); the deadline passes (the app's clock is
travelled); the buyer assigns two evaluators and opens the bids; each evaluator declares no
conflict, scores every answer with a reason and submits; the moderator agrees the scores; the
buyer reads the ranked result and proposes the award; the approver confirms it; the letters are
made (the live server runs jobs inline) and each supplier follows its email to its letter and
downloads it: in Chromium, every page and both letters checked with axe-core."""

from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

BUYER = "bea@leeds.example"
EVE = "eve@leeds.example"  # evaluator
MAX = "max@leeds.example"  # evaluator and moderator
ANN = "ann@leeds.example"  # approver
SUPPLIER_1 = "owner1@supplier1.example"
SUPPLIER_2 = "owner2@supplier2.example"


@pytest.fixture
def world(live_server):
    """A published opportunity, before its deadline (in real time): Supplier 2 has submitted
    its bid (£28,000), Supplier 1 has a complete draft (£30,000) still to submit, and the buyer
    has two evaluators and an approver."""
    with live_server.app.app_context():
        from lots.bids import submitting
        from tests.lots.bidding import bidding_world, colleague, complete_bid, past_deadline

        world = bidding_world()
        colleague(world.buyer, EVE, ("evaluator",), name="Eve Evaluator")
        colleague(world.buyer, MAX, ("evaluator",), name="Max Moderator")
        colleague(world.buyer, ANN, ("approver",), name="Ann Approver")
        (user_1, org_1), (user_2, org_2) = world.suppliers
        complete_bid(
            user_1,
            org_1,
            world.opportunity,
            price_pence=3_000_000,
            words="Kestrel volunteers recruit in Armley",
        )
        submitting.submit(
            user_2,
            complete_bid(
                user_2,
                org_2,
                world.opportunity,
                price_pence=2_800_000,
                words="Heron befrienders from Chapeltown",
            ),
            conditions_confirmed=True,
        )
        return {
            "opportunity_id": world.opportunity.id,
            "buyer_id": world.buyer.id,
            "title": world.opportunity.title,
            "after_deadline": past_deadline(world.opportunity),
        }


def h1(page):
    return page.locator("h1").inner_text()


def banner(page):
    return page.locator(".govuk-notification-banner").inner_text()


def person(browser, live_server, email):
    """A signed-in person in a browser context of their own (their own cookies)."""
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, email)
    return page


def to_opportunity(page, title):
    """From the signed-in start page through the buyer area to the opportunity."""
    page.get_by_role("link", name="Buyer", exact=True).click()
    page.get_by_role("link", name=title).click()
    assert h1(page) == title


def give_scores(page, axe, score_label, reason_label, marks, reason):
    """Fill the score radios and reasons of a scoring form, one per question; check the
    filled form with axe."""
    for number, mark in enumerate(marks, start=1):
        page.get_by_role("group", name=f"{score_label} {number}").get_by_label(
            f"{mark} – ", exact=False
        ).check()
        page.get_by_label(f"{reason_label} {number}", exact=True).fill(f"{reason} ({number})")
    axe(page)


def evaluate(browser, live_server, axe, email, title, marks):
    """An evaluator declares no conflict, scores both bids and submits: ``marks`` per
    supplier name, one score per question."""
    page = person(browser, live_server, email)
    to_opportunity(page, title)
    axe(page)
    page.get_by_role("link", name="Evaluate the bids", exact=True).click()
    assert h1(page) == "Declare any conflict of interest"
    axe(page)
    page.get_by_role("button", name="Make my declaration").click()
    assert (
        "Select whether you have a conflict of interest"
        in page.locator(".govuk-error-summary").inner_text()
    )
    axe(page)
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Make my declaration").click()
    assert h1(page) == "Evaluate the bids"
    assert "no conflict of interest" in banner(page)
    axe(page)
    for supplier, scores in marks.items():
        page.locator("#bids").get_by_role("link", name=supplier).click()
        assert h1(page) == f"Score the bid from {supplier}"
        give_scores(
            page,
            axe,
            "Your score for question",
            "Reason for your score for question",
            scores,
            f"{email.split('@')[0].title()} on {supplier}",
        )
        page.get_by_role("button", name="Save scores").click()
        assert f"Your scores for {supplier} are saved" in banner(page)
    assert page.locator("#bids").inner_text().count("Scored") == len(marks)
    axe(page)
    page.get_by_role("button", name="Submit my scores").click()
    assert "Your scores are submitted" in banner(page)
    assert "You submitted your scores" in page.locator("#submitted").inner_text()
    axe(page)
    return page


def test_bid_evaluate_moderate_award_and_read_the_letters(
    browser, live_server, world, axe, outbox_link
):
    title, opportunity_id = world["title"], world["opportunity_id"]
    manage = f"{live_server.url}/buyer/{world['buyer_id']}/opportunities/{opportunity_id}"

    # Before the deadline, Supplier 1 checks its bid and submits it.
    page = person(browser, live_server, SUPPLIER_1)
    page.goto(f"{live_server.url}/opportunities/{opportunity_id}/bid/check")
    assert h1(page) == "Check your answers before submitting your bid"
    assert page.locator(".govuk-error-summary").count() == 0
    axe(page)
    page.get_by_label("I confirm that, if we win, we accept the contract conditions above").check()
    page.get_by_role("button", name="Submit bid").click()
    assert "Bid submitted" in page.locator("#confirmation").inner_text()
    axe(page)
    page.context.close()

    # The deadline passes. (People sign in after travelling: a session is the app's time.)
    with time_machine.travel(world["after_deadline"], tick=True):
        bea = person(browser, live_server, BUYER)
        to_opportunity(bea, title)
        axe(bea)
        bea.get_by_role("link", name="Evaluation", exact=True).click()
        assert h1(bea) == "Evaluation"
        assert "2 bids were received" in bea.locator("#seal").inner_text()
        assert "Kestrel" not in bea.content()
        axe(bea)
        bea.get_by_label("Add an evaluator").select_option(label=f"Eve Evaluator ({EVE})")
        bea.get_by_role("button", name="Add evaluator").click()
        assert "Eve Evaluator will evaluate the bids." in banner(bea)
        bea.get_by_label("Add an evaluator").select_option(label=f"Max Moderator ({MAX})")
        bea.get_by_label("Make them the moderator").check()
        bea.get_by_role("button", name="Add evaluator").click()
        assert "Max Moderator will evaluate the bids and moderate the scores." in banner(bea)
        evaluators = bea.locator("#evaluators").inner_text()
        assert "Eve Evaluator" in evaluators and "Moderator" in evaluators
        axe(bea)
        bea.get_by_role("button", name="Open the bids").click()
        assert "The bids are open" in banner(bea)
        rows = bea.locator("#bids tbody tr")
        assert rows.count() == 2
        assert (
            "Supplier 1 CIC" in rows.nth(0).inner_text() and "£30,000" in rows.nth(0).inner_text()
        )
        assert "Supplier 2 CIC" in rows.nth(1).inner_text() and "Passed" in rows.nth(1).inner_text()
        axe(bea)
        bea.get_by_role("link", name="See the result").click()
        assert "The result is ready when" in bea.locator("#not-ready").inner_text()
        axe(bea)

        # Two evaluators score on their own, on the call-off's 0 to 5 scale; Max's scores for
        # Supplier 1 are 2 below Eve's on quality, so moderation marks that answer for discussion.
        eve = evaluate(
            browser,
            live_server,
            axe,
            EVE,
            title,
            {"Supplier 1 CIC": (5, 5), "Supplier 2 CIC": (2, 2)},
        )
        assert "when every evaluator has submitted theirs" in eve.locator("main").inner_text()
        mod = evaluate(
            browser,
            live_server,
            axe,
            MAX,
            title,
            {"Supplier 1 CIC": (3, 5), "Supplier 2 CIC": (2, 2)},
        )
        # Now that both have submitted, Eve sees Max's scores beside hers.
        eve.reload()
        eve.get_by_role("link", name="See everyone’s scores side by side").click()
        assert h1(eve) == "Everyone’s scores"
        assert "Max on Supplier 1 CIC (1)" in eve.locator("main").inner_text()
        axe(eve)
        eve.context.close()

        # The moderator agrees one score per answer.
        mod.get_by_role("link", name="Moderate the scores").click()
        assert h1(mod) == "Moderate the scores"
        assert "Discuss: 2 apart" in mod.locator("main").inner_text()
        axe(mod)
        for supplier, agreed in (("Supplier 1 CIC", (5, 5)), ("Supplier 2 CIC", (2, 2))):
            mod.get_by_role("button", name=f"Agree the scores for {supplier}").click()
            assert h1(mod) == f"Agree the scores for {supplier}"
            if supplier == "Supplier 1 CIC":
                mod.get_by_role("button", name="Save agreed scores").click()
                assert "Choose a score" in mod.locator(".govuk-error-summary").inner_text()
                axe(mod)
            give_scores(
                mod,
                axe,
                "Agreed score for question",
                "Reason for the agreed score for question",
                agreed,
                f"Agreed for {supplier} after discussion",
            )
            mod.get_by_role("button", name="Save agreed scores").click()
            assert f"The agreed scores for {supplier} are saved" in banner(mod)
        assert mod.locator(".agreed").filter(has_text="Agreed score:").count() == 4
        axe(mod)
        mod.context.close()

        # The buyer reads the ranked result and proposes the award.
        bea.goto(manage)
        bea.get_by_role("link", name="Evaluation", exact=True).click()
        assert "Agreed scores: 4 of 4" in bea.locator("#progress").inner_text()
        axe(bea)
        bea.get_by_role("link", name="See the result").click()
        assert h1(bea) == "Result"
        ranked = [
            bea.locator("#result tbody tr").nth(i).locator("td").all_inner_texts() for i in range(2)
        ]
        assert ranked[0][:2] == ["1", "Supplier 1 CIC"] and ranked[0][-1] == "96.67"
        assert ranked[1][:2] == ["2", "Supplier 2 CIC"] and ranked[1][-1] == "70.00"
        axe(bea)
        bea.get_by_role("button", name="Propose award").click()
        assert h1(bea) == "Award decision"
        assert "The award is proposed" in banner(bea)
        decision = bea.locator("dl#decision").inner_text()
        assert "Proposed, waiting for an approver" in decision and "Supplier 1 CIC" in decision
        axe(bea)
        bea.context.close()

        # The approver confirms; the letters job runs (inline on this server).
        ann = person(browser, live_server, ANN)
        to_opportunity(ann, title)
        ann.get_by_role("link", name="Evaluation", exact=True).click()
        axe(ann)
        ann.get_by_role("link", name="The award decision").click()
        assert h1(ann) == "Award decision"
        axe(ann)
        ann.get_by_role("button", name="Save decision").click()
        assert (
            "Select confirm, return or no suitable bid"
            in ann.locator(".govuk-error-summary").inner_text()
        )
        axe(ann)
        ann.get_by_label("Confirm the award").check()
        ann.get_by_role("button", name="Save decision").click()
        assert "The award is confirmed" in banner(ann)
        decision = " ".join(ann.locator("dl#decision").inner_text().split())
        assert "Status Confirmed, contract entered" in decision
        assert "Letters issued 2" in decision
        axe(ann)
        # No standstill was chosen, so the contract is in the public register already.
        ann.get_by_role("link", name="The contract and its social value").click()
        assert "Supplier 1 CIC" in ann.locator("main").inner_text()
        axe(ann)
        ann.goto(live_server.url + "/contracts")
        assert "Supplier 1 CIC" in ann.locator("#contracts").inner_text()
        axe(ann)
        ann.context.close()

        # Each supplier follows its email to its bid, then to the opportunity and its letter.
        for email, supplier, kind in (
            (SUPPLIER_1, "Supplier 1 CIC", "Award letter"),
            (SUPPLIER_2, "Supplier 2 CIC", "Assessment summary"),
        ):
            page = person(browser, live_server, email)
            page.goto(outbox_link(email, contains=f"/opportunities/{opportunity_id}/bid"))
            assert h1(page) == "Your bid"
            axe(page)
            page.get_by_role("link", name="Back to the opportunity").click()
            assert h1(page) == title
            award = " ".join(page.locator("#award").inner_text().split())
            assert "Awarded to Supplier 1 CIC Value £30,000 excluding VAT" in award
            axe(page)
            page.get_by_role("link", name="read your letter").click()
            assert h1(page) == "Your letters"
            axe(page)
            with page.expect_download() as download_info:
                page.get_by_role("link", name=f"{kind} (PDF").click()
            pdf = download_info.value
            assert pdf.suggested_filename.startswith(kind)
            assert pdf.suggested_filename.endswith(".pdf")
            pdf_text = " ".join(p.extract_text() for p in PdfReader(pdf.path()).pages)
            assert f"To: {supplier}" in pdf_text
            with page.expect_download() as download_info:
                page.get_by_role("link", name=f"{kind} as a web page").click()
            download = download_info.value
            assert download.suggested_filename.startswith(kind)
            letter = Path(download.path()).read_text(encoding="utf-8")
            assert f"To: {supplier}" in letter
            flat = " ".join(letter.split())
            if supplier == "Supplier 1 CIC":
                assert "your bid has been successful" in flat
            else:
                assert "your bid has not been successful" in flat
                assert "has been awarded to <strong>Supplier 1 CIC</strong>" in flat
                assert "70.00" in flat
            # The letter itself passes axe-core like every page of the service.
            page.set_content(letter)
            assert h1(page) == kind
            axe(page)
            page.context.close()

    assert len(axe.checked) >= 40
