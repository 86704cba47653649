"""From planned work to a published call-off, with the right emails through the outbox, real RQ
workers and a real SMTP server: the interested suppliers' people are invited to the engagement
event, a booking is confirmed, and when the call-off drafted from the item is published everyone
interested is told (once), while a supplier that was not interested hears only what the lot's
invitation tells it. The listing itself alerts the admitted suppliers' people (their default
alerts), as a published opportunity would."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from lots.opportunities import services as opportunities
from lots.pipeline import services as pipeline
from tests.lots.helpers import DEADLINE, admit, admitted_supplier, setup_world, supplier
from tests.lots.pipeline.helpers import NOW, add_event, list_item, supplier_with_colleague
from tests.smtp import text_part


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _subjects(smtp):
    return Counter((m["To"].lower(), m["Subject"]) for m in smtp.messages)


def test_item_interest_event_and_published_call_off_send_the_right_emails(
    smtp_app, smtp, run_jobs, at_now
):
    admin, dps, lots, user, buyer = setup_world()
    owner_a, org_a = supplier_with_colleague(
        "Kind Hearts CIC", "ann@kind.example", "al@kind.example"
    )
    owner_b, org_b = supplier("Good Neighbours", "ben@good.example")
    admit(org_a, lots[0])
    admitted_supplier(lots[0], "Not Interested CIC", "nia@not.example")
    item = list_item(user, buyer, lots[0])
    pipeline.register_interest(owner_a, org_a, item, "lead")
    pipeline.register_interest(owner_b, org_b, item, "consortium")

    run_jobs()
    # Listing it alerted the people of the lot's admitted suppliers (their default alerts).
    alert = "Planned work alert: " + item.title
    assert _subjects(smtp) == Counter(
        {(a, alert): 1 for a in ("ann@kind.example", "al@kind.example", "nia@not.example")}
    )
    smtp.clear()

    event = add_event(user, item, capacity=10)
    run_jobs()
    invitation = "You are invited to a market engagement event: " + item.title
    assert _subjects(smtp) == Counter(
        {(a, invitation): 1 for a in ("ann@kind.example", "al@kind.example", "ben@good.example")}
    )
    [message] = smtp.to("ben@good.example")
    assert "Leeds Civic Hall" in text_part(message)
    assert f"/pipeline/{item.id}" in text_part(message)
    assert "2pm on 14 January 2027" in text_part(message)
    smtp.clear()

    pipeline.book_place(owner_b, org_b, event)
    run_jobs()
    assert _subjects(smtp) == Counter(
        {("ben@good.example", "Your place is booked: " + item.title): 1}
    )
    smtp.clear()

    opportunity = pipeline.draft_call_off(user, item)
    opportunities.update_draft(
        user,
        opportunity,
        summary="Weekly befriending visits for 60 older people",
        submission_deadline=DEADLINE,
        question_deadline=DEADLINE - timedelta(days=5),
    )
    opportunities.set_questions(
        user,
        opportunity,
        [
            {"kind": "quality", "text": "How will you recruit volunteers?", "weight": 40},
            {"kind": "social_value", "text": "What local jobs will you create?", "weight": 10},
        ],
    )
    run_jobs()
    assert smtp.messages == []  # a draft tells nobody
    opportunities.publish(user, opportunity)
    run_jobs()
    assert pipeline.send_call_off_published_emails(item.id) == 0  # again, by hand: nothing new
    run_jobs()

    opened = "Now open for bids: " + item.title
    invited = "New opportunity: " + item.title
    subjects = _subjects(smtp)
    assert {k: v for k, v in subjects.items() if k[1] == opened} == {
        ("ann@kind.example", opened): 1,
        ("al@kind.example", opened): 1,
        ("ben@good.example", opened): 1,
    }
    assert ("nia@not.example", opened) not in subjects
    [ben] = smtp.to("ben@good.example")
    assert opportunity.reference in text_part(ben)
    assert f"/opportunities/{opportunity.id}" in text_part(ben)
    assert "Only suppliers admitted to the lot" in text_part(ben)
    # The lot's own invitation goes to the admitted suppliers, interested or not.
    assert (
        subjects[("nia@not.example", invited)] == 1 and subjects[("ann@kind.example", invited)] == 1
    )
    assert ("ben@good.example", invited) not in subjects  # not admitted to the lot
