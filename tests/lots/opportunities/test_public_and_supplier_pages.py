"""The public pages (an opportunity, a lot, search results) and what an invited supplier sees on
top: tender documents, their own questions, asking one; and the buyer answering it."""

from datetime import timedelta

import time_machine

from app.documents.services import upload_document
from dps.models import MembershipStatus
from lots.opportunities import amendments, clarifications, lot_scope
from lots.opportunities import services as opportunities
from tests.dps.helpers import PDF, Upload
from tests.lots.helpers import (
    DEADLINE,
    NOW,
    admit,
    outbox_recipients,
    ready_draft,
    supplier,
)
from tests.lots.pages import (
    banner,
    error_summary,
    input_value,
    section,
    soup,
    summary_rows,
    table_rows,
    tags,
    text,
)

BUYER = "bea@leeds.example"


def test_the_public_opportunity_page_says_everything_a_supplier_needs(world, person):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(
            user,
            buyer,
            lots[0],
            location_type="local_authority",
            location_code="LDS",
            reserved_vcse=True,
            contract_months=18,
            social_value_measures=["SV-EMP-01"],
            price_schedule=[
                {"description": "Befriending visit", "unit": "visit", "quantity": 2400}
            ],
        )
        opportunities.publish(user, opportunity)
        amendments.amend(
            user, opportunity, "We added the service specification", description="New description"
        )
        page = person().get(f"/opportunities/{opportunity.id}")
    assert page.status_code == 200
    facts = summary_rows(page, "opportunity-facts")
    assert facts["Type"] == "Mini-competition"
    assert facts["Lot"] == "Lot 1: Befriending of Community Services DPS"
    assert facts["Estimated value"] == "£40,000 excluding VAT"
    assert facts["Where"] == "Leeds"
    assert facts["Contract length"] == "18 months"
    assert facts["Who can bid"] == (
        "Reserved for VCSE organisations, which the law allows because the value is below the "
        "procurement threshold"
    )
    assert facts["Deadline for bids"] == "midday on 18 December 2026 (closes in 15 days)"
    assert facts["Deadline for questions"] == "midday on 13 December 2026 (closes in 10 days)"
    lot_link = soup(page).find(id="opportunity-facts").find("a")
    assert lot_link["href"] == f"/lots/{lots[0].id}"
    assert table_rows(page, "criteria") == [
        ["Price", "50%"],
        ["Quality", "40%"],
        ["Social value", "10%"],
    ]
    assert table_rows(page, "questions")[0] == [
        "How will you recruit volunteers?",
        "Quality (scored)",
        "500 words",
        "40%",
    ]
    assert table_rows(page, "questions")[2][-1] == "Pass or fail"
    assert table_rows(page, "price-schedule") == [["Befriending visit", "visit", "2,400"]]
    assert table_rows(page, "social-value") == [
        ["Local people employed on the contract", "FTE", "Jobs and employment"]
    ]
    assert "We added the service specification" in section(page, "changes")
    assert "for invited suppliers" in text(soup(page).find("main"))
    assert soup(page).find(id="start-bid") is None  # not invited: no bid button


def test_an_invited_supplier_asks_and_the_buyer_answers_everyone(world, person, run_jobs):
    admin, dps, lots, user, buyer = world
    asker_user, asker = supplier("Asker CIC", "ask@ask.example")
    other_user, other = supplier("Other CIC", "oth@oth.example")
    outsider_user, outsider = supplier("Outsider CIC", "out@out.example")
    admit(asker, lots[0])
    admit(other, lots[0])
    admit(outsider, lots[1])  # a different lot: not invited
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        document = upload_document(
            user,
            buyer,
            Upload(PDF, "Specification.pdf"),
            "tender_document",
            subject_type="opportunity",
            subject_id=opportunity.id,
        )
        opportunities.publish(user, opportunity)
        url = f"/opportunities/{opportunity.id}"

        ask = person("ask@ask.example")
        page = ask.get(url)
        assert "Asker CIC is invited to bid." in text(soup(page).find("main"))
        assert text(soup(page).find(id="documents")).startswith("Specification.pdf")
        start = soup(page).find(id="start-bid")
        assert not start.has_attr("disabled") and "Start a bid" in text(start)
        assert section(page, "bid-hint") == (
            "You can save your bid as you go and change it until the deadline."
        )
        download = ask.get(f"/documents/{document.id}/download")
        assert download.status_code == 200 and download.data == PDF

        empty = ask.post(
            f"{url}/questions", {"question": " ", "organisation_id": str(asker.id)}, form_url=url
        )
        assert empty.status_code == 200
        assert error_summary(empty) == ["Enter your question"]
        asked = ask.post(
            f"{url}/questions",
            {"question": "Is TUPE likely to apply?", "organisation_id": str(asker.id)},
            form_url=url,
        )
        assert asked.status_code == 302
        page = ask.get(asked.headers["Location"])
        assert "sent to the buyer" in banner(page)
        assert "Is TUPE likely to apply?" in section(page, "own-questions")
        assert tags(page, "own-questions") == ["Waiting for an answer"]

        # Nobody else sees an unanswered question.
        oth = person("oth@oth.example")
        assert "TUPE" not in text(soup(oth.get(url)))

        bea = person(BUYER)
        inbox_url = f"/buyer/{buyer.id}/opportunities/{opportunity.id}/clarifications"
        inbox = bea.get(inbox_url)
        assert "Is TUPE likely to apply?" in section(inbox, "waiting")
        assert "Asker CIC" not in text(soup(inbox))
        answer_url = soup(inbox).find(id="waiting").find("a")["href"]
        missing = bea.post(answer_url, {"answer": "No staff will transfer."})
        assert error_summary(missing) == ["Select who should see the answer"]
        assert input_value(missing, "answer") == "No staff will transfer."
        answered = bea.post(
            answer_url, {"answer": "No staff will transfer.", "audience": "everyone"}
        )
        assert answered.status_code == 302
        assert "No staff will transfer." in section(bea.get(inbox_url), "answered")

        seen_by_other = oth.get(url)
        assert "Is TUPE likely to apply?" in section(seen_by_other, "answers")
        assert "No staff will transfer." in section(seen_by_other, "answers")
        assert "Asker CIC" not in text(soup(seen_by_other))
        assert "ask@ask.example" not in seen_by_other.get_data(as_text=True)
        assert soup(seen_by_other).find(id="own-questions") is None
        assert "Answered for every supplier" in tags(ask.get(url), "own-questions")
        # The public sees the answer too, never who asked.
        assert "No staff will transfer." in section(person().get(url), "answers")

        out = person("out@out.example")
        outsider_page = out.get(url)
        assert soup(outsider_page).find(id="your-questions") is None
        assert soup(outsider_page).find(id="documents") is None
        assert out.get(f"/documents/{document.id}/download").status_code == 404
        refused = out.post(
            f"{url}/questions",
            {"question": "Can we bid?", "organisation_id": str(outsider.id)},
            form_url="/sign-out",
        )
        assert refused.status_code == 403
        run_jobs()
    answered_to = outbox_recipients("clarification_answered")
    assert sorted(answered_to) == ["ask@ask.example", "oth@oth.example"]


def test_questions_close_at_the_question_deadline(world, person):
    admin, dps, lots, user, buyer = world
    asker_user, asker = supplier("Asker CIC", "ask@ask.example")
    admit(asker, lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        clarifications.ask(asker_user, asker, opportunity, "Private question")
    with time_machine.travel(DEADLINE - timedelta(days=4), tick=False):
        ask = person("ask@ask.example")
        url = f"/opportunities/{opportunity.id}"
        page = ask.get(url)
        assert "The deadline for questions has passed." in text(soup(page).find("main"))
        assert soup(page).find("textarea", attrs={"name": "question"}) is None
        late = ask.post(
            f"{url}/questions",
            {"question": "Late question", "organisation_id": str(asker.id)},
            form_url="/sign-out",
        )
        assert error_summary(late) == ["The deadline for questions has passed"]


def test_the_public_lot_page_shows_what_it_covers_and_who_holds_it(world, person):
    admin, dps, lots, user, buyer = world
    lot = lots[0]
    lot_scope.set_scope(admin, lot, ["85312000-9"], [("region", "TLE"), ("local_authority", "BRD")])
    _, first = supplier("First CIC", "f@f.example")
    _, second = supplier("Second CIC", "s@s.example")
    _, elsewhere = supplier("Elsewhere CIC", "e@e.example")
    admit(first, lot)
    admit(second, lot, MembershipStatus.SUSPENDED)  # still holds the lot
    admit(elsewhere, lots[1])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lot)
        opportunities.publish(user, opportunity)
        ready_draft(user, buyer, lot, title="A draft nobody sees")
        page = person().get(f"/lots/{lot.id}")
        facts = summary_rows(page, "lot-facts")
        assert facts["What it covers"] == "Social work services without accommodation (85312000-9)"
        assert facts["Where"] == "Bradford Yorkshire and The Humber"
        assert facts["Contract value"] == "Up to £50,000 excluding VAT"
        assert facts["Suppliers admitted"] == "2"
        assert facts["Lots a provider can hold"] == "No limit"
        assert [text(a) for a in soup(page).select("#opportunities h3 a")] == [
            "Befriending for older people in Leeds"
        ]
        patch = summary_rows(person().get(f"/lots/{lots[2].id}"), "lot-facts")
        assert patch["Lots a provider can hold"].startswith("A provider can hold at most 1 lot")
        assert "VCSE" in tags(person().get(f"/lots/{lots[1].id}"))[0]
        results = person().get("/opportunities")
        links = [a["href"] for a in soup(results).select("#results a")]
        assert f"/lots/{lot.id}" in links
    assert person().get("/lots/999999").status_code == 404
