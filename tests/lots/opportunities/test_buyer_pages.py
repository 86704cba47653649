"""The buyer's pages: drafting section by section, the problems listed before publishing, fixing
them, publishing and the confirmation; who may see what; approval; and changes after
publication (amend, extend, cancel)."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.outbox.models import OutboxMessage
from lots.opportunities import buyers
from lots.opportunities import services as opportunities
from lots.opportunities.models import BuyerRole, Opportunity, OpportunityStatus
from tests.dps.helpers import PDF
from tests.factories import make_membership, make_user
from tests.lots.helpers import (
    DEADLINE,
    NOW,
    admit,
    admitted_supplier,
    make_buyer,
    ready_draft,
    supplier,
)
from tests.lots.pages import (
    banner,
    error_links,
    error_summary,
    heading,
    input_value,
    section,
    selected,
    soup,
    summary_rows,
    table_rows,
    tags,
    task_list,
    text,
)

BUYER = "bea@leeds.example"


def _details(**changes):
    data = {
        "title": "Befriending for older people in Leeds",
        "summary": "Weekly befriending visits for 60 older people",
        "description": "We want a local organisation to run befriending.\nVisits are weekly.",
        "estimated_value": "40,000",
        "contract_start": ["1", "4", "2027"],
        "contract_months": "12",
        "location_type": "local_authority",
        "location_region": "",
        "location_local_authority": "LDS",
        "reserved": ["sme"],
        "reserved_area_code": "",
        "contact_name": "Bea Buyer",
        "contact_email": "bea@leeds.example",
    }
    data.update(changes)
    return data


def _questions(social_value_weight=10):
    return {
        "questions-0-kind": "quality",
        "questions-0-text": "How will you recruit volunteers?",
        "questions-0-guidance": "Say where you will advertise.",
        "questions-0-word_limit": "500",
        "questions-0-weight": "40",
        "questions-1-kind": "social_value",
        "questions-1-text": "What local jobs will you create?",
        "questions-1-guidance": "",
        "questions-1-word_limit": "300",
        "questions-1-weight": str(social_value_weight),
        "questions-2-kind": "pass_fail",
        "questions-2-text": "Do you hold public liability insurance?",
        "questions-2-guidance": "",
        "questions-2-word_limit": "",
        "questions-2-weight": "",
        "questions-3-kind": "quality",
        "questions-3-text": "",
        "questions-3-guidance": "",
        "questions-3-word_limit": "",
        "questions-3-weight": "",
    }


def _deadlines(question_day, submission_day, hour="12"):
    return {
        "question_date": [str(question_day.day), str(question_day.month), str(question_day.year)],
        "question_hour": hour,
        "submission_date": [
            str(submission_day.day),
            str(submission_day.month),
            str(submission_day.year),
        ],
        "submission_hour": hour,
    }


def test_a_buyer_drafts_sees_the_problems_fixes_them_and_publishes(world, person):
    admin, dps, lots, user, buyer = world
    _, admitted = supplier("Admitted CIC", "a@a.example")
    admit(admitted, lots[0])
    with time_machine.travel(NOW, tick=False):
        bea = person(BUYER)
        area = bea.get(f"/buyer/{buyer.id}/opportunities")
        assert area.status_code == 200
        assert "Approved buyer" in tags(area, "buyer-status")
        new_url = f"/buyer/{buyer.id}/opportunities/new"
        refused = bea.post(new_url, {"title": "", "kind": "mini_competition"})
        assert error_summary(refused) == ["Select the lot", "Enter a title"]
        created = bea.post(
            new_url,
            {
                "lot_id": str(lots[0].id),
                "kind": "mini_competition",
                "title": "Befriending for older people in Leeds",
            },
        )
        assert created.status_code == 302
        home = created.headers["Location"]
        opportunity_id = int(home.rstrip("/").rsplit("/", 1)[1])
        draft = bea.get(home)
        assert task_list(draft)["Details"] == "Incomplete"
        assert task_list(draft)["Social value measures"] == "Optional"

        # Details: mistakes are listed, and what was typed is kept.
        details_url = f"{home}/details"
        legends = [text(legend) for legend in soup(bea.get(details_url))("legend")]
        assert legends == [
            "Contract start date (optional)",
            "Where will the work be done?",
            "Reserve this competition (optional)",
        ]
        wrong = bea.post(
            details_url,
            _details(
                summary="", estimated_value="lots", location_type="region", location_region=""
            ),
        )
        assert wrong.status_code == 200
        assert error_summary(wrong) == [
            "Enter a summary",
            "Enter the estimated value as an amount of money, like 40000",
            "Select the region",
        ]
        assert error_links(wrong)[1] == "#estimated_value"
        assert input_value(wrong, "title") == "Befriending for older people in Leeds"
        assert input_value(wrong, "estimated_value") == "lots"
        # The value is outside the lot's band: saved, and listed before publishing.
        assert bea.post(details_url, _details(estimated_value="60000")).status_code == 302

        # Evaluation: weights must add up to 100 (the database holds that too).
        evaluation_url = f"{home}/evaluation"
        over = bea.post(
            evaluation_url,
            {
                "price_weight": "60",
                "quality_weight": "40",
                "social_value_weight": "10",
                "tie_break": "quality",
            },
        )
        assert error_summary(over) == [
            "Price, quality and social value weightings must add up to 100"
        ]
        assert input_value(over, "price_weight") == "60"
        assert (
            bea.post(
                evaluation_url,
                {
                    "price_weight": "55",
                    "quality_weight": "40",
                    "social_value_weight": "5",
                    "tie_break": "quality",
                },
            ).status_code
            == 302
        )

        questions_url = f"{home}/questions"
        bad_limit = bea.post(questions_url, {**_questions(5), "questions-0-word_limit": "3"})
        assert error_summary(bad_limit) == [
            "Enter a word limit from 10 to 5,000, or leave it blank"
        ]
        assert error_links(bad_limit) == ["#questions-0-word_limit"]
        assert bea.post(questions_url, _questions(5)).status_code == 302
        page = bea.get(questions_url)
        assert input_value(page, "questions-2-text") == "Do you hold public liability insurance?"
        assert input_value(page, "questions-3-text") == ""  # blank rows to add more

        assert bea.post(f"{home}/price", {"schedule": "total"}).status_code == 302
        assert (
            bea.post(f"{home}/social-value", {"measures": ["SV-EMP-01", "SV-COM-01"]}).status_code
            == 302
        )
        too_soon = NOW.date() + timedelta(days=5)
        assert (
            bea.post(
                f"{home}/deadlines", _deadlines(too_soon - timedelta(days=1), too_soon)
            ).status_code
            == 302
        )
        upload = bea.post(
            f"{home}/documents",
            {"file": (io.BytesIO(PDF), "Service specification.pdf")},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 302
        assert "Service specification.pdf" in section(bea.get(f"{home}/documents"), "documents")

        # The check page lists every problem, each linking to where it is fixed.
        check_url = f"{home}/check"
        check = bea.get(check_url)
        problems = error_summary(check)
        assert (
            "Estimated value must be between £0 and £50,000, the value band of Lot 1: "
            "Befriending" in problems
        )
        assert "Social value must be weighted at least 10%" in problems
        assert "The deadline for bids must be at least 10 days after publication" in problems
        assert f"{home}/details#estimated_value" in error_links(check)
        assert summary_rows(check, "check-details")["Where"].startswith("Leeds")
        assert "Service specification.pdf" in section(check, "check-documents")
        refused = bea.post(f"{home}/publish", {}, form_url=check_url)
        assert refused.status_code == 200
        assert "Social value must be weighted at least 10%" in error_summary(refused)
        assert len(error_summary(refused)) == len(set(error_summary(refused))) == 3

        # Fixing them.
        assert bea.post(details_url, _details()).status_code == 302
        assert (
            bea.post(
                evaluation_url,
                {
                    "price_weight": "50",
                    "quality_weight": "40",
                    "social_value_weight": "10",
                    "tie_break": "price",
                },
            ).status_code
            == 302
        )
        assert bea.post(questions_url, _questions(10)).status_code == 302
        assert (
            bea.post(
                f"{home}/deadlines",
                _deadlines(DEADLINE.date() - timedelta(days=5), DEADLINE.date()),
            ).status_code
            == 302
        )
        ready = bea.get(check_url)
        assert error_summary(ready) == []
        statuses = task_list(bea.get(home))
        assert statuses.pop("What bidders must hold") == "Optional"  # nothing asked of bidders
        assert set(statuses.values()) <= {"Completed", "1 uploaded"}

        published = bea.post(f"{home}/publish", {}, form_url=check_url)
        assert published.status_code == 302
        confirmation = bea.get(published.headers["Location"])
        assert heading(confirmation) == "Opportunity published"
        assert text(soup(confirmation).find(id="reference")).startswith("VCSE-2026-")
        assert section(confirmation, "invited").startswith("We have invited 1 supplier ")

    opportunity = db.session.get(Opportunity, opportunity_id)
    db.session.refresh(opportunity)
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert opportunity.estimated_value_pence == 4_000_000
    assert opportunity.region_code == "TLE"  # from Leeds, for the region filter
    assert (opportunity.reserved_sme, opportunity.reserved_vcse) == (True, False)
    assert [q.weight for q in opportunity.questions] == [40, 10, None]
    assert opportunity.submission_deadline == DEADLINE


def test_a_deadline_on_a_bank_holiday_needs_confirming(world, person):
    admin, dps, lots, user, buyer = world
    boxing_day_observed = DEADLINE.date().replace(day=28)  # Monday 28 December 2026
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{opportunity.id}"
        bea = person(BUYER)
        assert (
            bea.post(
                f"{home}/deadlines",
                _deadlines(boxing_day_observed - timedelta(days=7), boxing_day_observed),
            ).status_code
            == 302
        )
        check = bea.get(f"{home}/check")
        assert error_summary(check) == []
        assert "bank holiday" in text(soup(check).select_one("#publish .govuk-warning-text"))
        assert soup(check).find("input", attrs={"name": "acknowledge_bank_holiday"})
        unconfirmed = bea.post(f"{home}/publish", {}, form_url=f"{home}/check")
        assert any("bank holiday" in m for m in error_summary(unconfirmed))
        confirmed = bea.post(
            f"{home}/publish", {"acknowledge_bank_holiday": "y"}, form_url=f"{home}/check"
        )
        assert confirmed.status_code == 302


def test_who_may_see_buyer_pages_and_drafts(world, person):
    admin, dps, lots, user, buyer = world
    _, other_buyer = make_buyer(admin, dps, email="olu@bradford.example", name="Bradford Council")
    supplier_user, supplier_org = supplier("Admitted CIC", "a@a.example")
    admit(supplier_org, lots[0])
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{draft.id}"
        sam = person("a@a.example")
        for url in (
            f"/buyer/{buyer.id}/opportunities",
            home,
            f"{home}/details",
            f"{home}/check",
            f"/buyer/{buyer.id}/opportunities/new",
        ):
            assert sam.get(url).status_code == 403, url
        assert sam.post(f"{home}/publish", {}, form_url="/sign-out").status_code == 403
        assert sam.get(f"/opportunities/{draft.id}").status_code == 404
        assert person().get(f"/opportunities/{draft.id}").status_code == 404
        assert person().get(home).status_code == 302  # signed out: sign in first

        olu = person("olu@bradford.example")
        assert olu.get(f"/buyer/{other_buyer.id}/opportunities/{draft.id}").status_code == 404
        assert (
            olu.get(f"/buyer/{other_buyer.id}/opportunities/{draft.id}/details").status_code == 404
        )
        assert olu.get(f"/opportunities/{draft.id}").status_code == 404
        assert "Befriending" not in text(soup(olu.get(f"/buyer/{other_buyer.id}/opportunities")))

        bea = person(BUYER)
        preview = bea.get(f"/opportunities/{draft.id}")
        assert preview.status_code == 200
        assert "preview of your draft" in text(soup(preview))
        listing = bea.get(f"/buyer/{buyer.id}/opportunities")
        assert table_rows(listing, "drafts")[0][0] == "Befriending for older people in Leeds"
        assert table_rows(listing, "drafts")[0][-1] == "Draft"
        # The navigation offers the buyer's area to members of a buyer organisation only.
        nav = [text(a) for a in soup(listing).select(".govuk-service-navigation__link")]
        assert "Buyer" in nav and "Find opportunities" in nav
        nav = [
            text(a)
            for a in soup(sam.get("/opportunities")).select(".govuk-service-navigation__link")
        ]
        assert "Buyer" not in nav


def test_a_draft_that_needs_approval(world, person):
    admin, dps, lots, user, buyer = world

    buyers.profile(buyer.id).requires_approval = True
    db.session.commit()
    approver = make_user(email="ann@leeds.example", name="Ann Approver")
    membership = make_membership(buyer, approver)
    db.session.add(BuyerRole(membership_id=membership.id, role="approver"))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{draft.id}"
        bea = person(BUYER)
        check = bea.get(f"{home}/check")
        assert soup(check).find("button", string=lambda s: s and "Send for approval" in s)
        sent = bea.post(f"{home}/send-for-approval", {}, form_url=f"{home}/check")
        assert sent.status_code == 302
        assert "Waiting for approval" in tags(bea.get(home), "status")
        # Whoever drafted it cannot approve it.
        assert bea.post(f"{home}/approve", {"decision": "approve"}).status_code == 403
        ann = person("ann@leeds.example")
        missing = ann.post(f"{home}/approve", {"reason": ""})
        assert error_summary(missing) == ["Select approve or return"]
        assert ann.post(f"{home}/approve", {"decision": "approve"}).status_code == 302
        published = bea.post(f"{home}/publish", {}, form_url=f"{home}/check")
        assert published.status_code == 302
    db.session.refresh(draft)
    assert draft.status == OpportunityStatus.PUBLISHED


def test_amend_extend_and_cancel_through_the_pages(world, person, run_jobs):
    admin, dps, lots, user, buyer = world
    admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        home = f"/buyer/{buyer.id}/opportunities/{opportunity.id}"
        bea = person(BUYER)
        assert bea.get(f"{home}/details").status_code == 302  # published: no longer a draft

        amend_url = f"{home}/amend"
        form = bea.get(amend_url)
        assert input_value(form, "summary") == "Weekly befriending visits for 60 older people"
        data = {
            "change": "",
            "summary": "Weekly befriending visits for 80 older people",
            "description": "We want a local organisation to run befriending.",
            "contract_start": ["", "", ""],
            "contract_months": "",
            "contact_name": "Bea Buyer",
            "contact_email": "bea@leeds.example",
        }
        assert error_summary(bea.post(amend_url, data)) == ["Describe the change"]
        data["change"] = "We now need visits for 80 people"
        assert bea.post(amend_url, data).status_code == 302
        public = bea.get(f"/opportunities/{opportunity.id}")
        assert section(public, "changes") == "3 December 2026 : We now need visits for 80 people"
        assert "80 older people" in text(soup(public).select_one(".govuk-body-l"))

        extend_url = f"{home}/extend"
        earlier = DEADLINE.date() - timedelta(days=1)
        shorten = bea.post(
            extend_url,
            {
                "submission_date": [str(earlier.day), str(earlier.month), str(earlier.year)],
                "submission_hour": "12",
                "question_date": ["", "", ""],
                "question_hour": "12",
                "reason": "",
            },
        )
        assert shorten.status_code == 200
        assert error_summary(shorten) == [
            "A published deadline can only be extended, never brought forward"
        ]
        assert error_links(shorten) == ["#submission_date"]
        later = DEADLINE.date() + timedelta(days=4)  # Tuesday 22 December
        extended = bea.post(
            extend_url,
            {
                "submission_date": [str(later.day), str(later.month), str(later.year)],
                "submission_hour": "15",
                "question_date": ["", "", ""],
                "question_hour": "12",
                "reason": "More time for consortia",
            },
        )
        assert extended.status_code == 302
        assert "extended" in banner(bea.get(home))
        facts = summary_rows(bea.get(f"/opportunities/{opportunity.id}"), "opportunity-facts")
        assert facts["Deadline for bids"].startswith(f"3pm on {later.day} December 2026")

        cancel_url = f"{home}/cancel"
        assert error_summary(bea.post(cancel_url, {"reason": " "})) == [
            "Enter the reason. Everyone who was invited will see it"
        ]
        assert (
            bea.post(cancel_url, {"reason": "The service is no longer funded"}).status_code == 302
        )
        seen_by_anyone = person().get(f"/opportunities/{opportunity.id}")
        assert "The service is no longer funded" in section(seen_by_anyone, "cancelled")
        assert tags(seen_by_anyone)[0] == "Cancelled"
        assert (
            table_rows(bea.get(f"/buyer/{buyer.id}/opportunities"), "cancelled")[0][-1]
            == "Cancelled"
        )
        run_jobs()

    templates = (
        db.session.execute(
            sa.select(OutboxMessage.template).where(OutboxMessage.recipient == "a@a.example")
        )
        .scalars()
        .all()
    )
    assert sorted(templates) == [
        "opportunity_amended",
        "opportunity_amended",
        "opportunity_cancelled",
        "opportunity_invitation",
    ]


@pytest.mark.parametrize("hour", ["7", "noon"])
def test_deadline_hours_come_from_the_list(world, person, hour):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        bea = person(BUYER)
        url = f"/buyer/{buyer.id}/opportunities/{opportunity.id}/deadlines"
        response = bea.post(
            url, _deadlines(DEADLINE.date() - timedelta(days=5), DEADLINE.date(), hour=hour)
        )
        assert "Select a time" in error_summary(response)
        assert selected(bea.get(url), "submission_hour") == "12"


def test_price_lines_measures_and_more_questions(world, person):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{opportunity.id}"
        bea = person(BUYER)
        blank = {
            f"lines-{i}-{name}": ""
            for i in range(3)
            for name in ("description", "unit", "quantity")
        }
        empty = bea.post(f"{home}/price", {**blank, "schedule": "lines"})
        assert error_summary(empty) == ["Add at least one line, or choose one total price"]
        no_unit = bea.post(
            f"{home}/price",
            {
                **blank,
                "schedule": "lines",
                "lines-0-description": "Befriending visit",
                "lines-0-quantity": "many",
            },
        )
        assert error_summary(no_unit) == [
            "Enter the unit, like hour or visit",
            "Enter the estimated quantity as a whole number, like 52",
        ]
        assert input_value(no_unit, "lines-0-description") == "Befriending visit"
        saved = bea.post(
            f"{home}/price",
            {
                **blank,
                "schedule": "lines",
                "lines-0-description": "Befriending visit",
                "lines-0-unit": "visit",
                "lines-0-quantity": "2,400",
            },
        )
        assert saved.status_code == 302
        page = bea.get(f"{home}/price")
        assert input_value(page, "lines-0-quantity") == "2400"
        assert [box["value"] for box in soup(page).select("input[name=schedule][checked]")] == [
            "lines"
        ]

        measures = bea.get(f"{home}/social-value")
        legends = [text(legend) for legend in soup(measures).select("legend")]
        assert "Jobs and employment" in legends and "Environment and net zero" in legends
        assert bea.post(f"{home}/social-value", {"measures": ["SV-NOPE"]}).status_code == 200
        assert (
            bea.post(f"{home}/social-value", {"measures": ["SV-EMP-01", "SV-SKL-01"]}).status_code
            == 302
        )
        assert sorted(
            box["value"]
            for box in soup(bea.get(f"{home}/social-value")).select("input[name=measures][checked]")
        ) == ["SV-EMP-01", "SV-SKL-01"]

        more = bea.post(f"{home}/questions", {**_questions(10), "action": "more"})
        assert more.status_code == 302 and more.headers["Location"].endswith("/questions#questions")
        rows = soup(bea.get(f"{home}/questions")).select("fieldset[id^=question-]")
        assert len(rows) == 6  # three questions and three blank rows
        removed = bea.post(f"{home}/questions", {**_questions(10), "questions-2-remove": "y"})
        assert removed.status_code == 302
        check = bea.get(f"{home}/check")
        assert "Befriending visit: 2400 × visit" in section(check, "check-price")
        assert "Apprenticeship starts on the contract" in section(check, "check-social-value")
        assert "Question 3" not in section(check, "check-questions")
    db.session.refresh(opportunity)
    assert opportunity.price_schedule == [
        {"description": "Befriending visit", "unit": "visit", "quantity": 2400}
    ]
    assert len(opportunity.questions) == 2
