"""The pipeline in Chromium, as its two people use it: the buyer lists planned work (an error
summary first), the supplier finds it from Find opportunities and registers interest as a
consortium's lead, the buyer sees that interest by kind and adds a market engagement event, the
supplier books a place, the buyer drafts the call-off in one step and publishes it, and the
supplier is told by email and finds it from the planned work. Every page is checked
with axe-core. Dates are taken from today, so the journey works on any day."""

from datetime import timedelta

import pytest

from app.timeutil import to_local, utcnow
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        from tests.lots.helpers import setup_world, supplier

        admin, dps, lots, user, buyer = setup_world()
        supplier("Kind Hearts CIC", "k@kind.example")
        return buyer.id


def test_planned_work_from_listing_to_a_published_call_off(
    browser, live_server, world, axe, outbox_link
):
    buyer_page = browser.new_context().new_page()
    supplier_page = browser.new_context().new_page()

    # The buyer lists planned work.
    sign_in(buyer_page, live_server, "bea@leeds.example")
    buyer_page.goto(live_server.url + "/buyer")
    buyer_page.get_by_role("link", name="Your pipeline of planned work").click()
    assert buyer_page.locator("h1").inner_text() == "Your pipeline of planned work"
    axe(buyer_page)
    buyer_page.get_by_role("button", name="Add planned work").click()
    buyer_page.get_by_label("Title").fill("Befriending in east Leeds")
    buyer_page.get_by_role("button", name="Add to the pipeline").click()
    summary = buyer_page.locator(".govuk-error-summary").inner_text()
    assert "Select the lot" in summary and "Enter a description" in summary
    assert buyer_page.get_by_label("Title").input_value() == "Befriending in east Leeds"
    axe(buyer_page)
    buyer_page.get_by_role("radio", name="Befriending").first.check()
    buyer_page.get_by_label("Description").fill("Weekly visits for 200 older people.")
    buyer_page.get_by_label("Estimated value").fill("45,000")
    quarter = buyer_page.get_by_label("When do you expect to publish the call-off?")
    quarter.select_option(index=2)
    buyer_page.get_by_label("Contact name").fill("Bea Buyer")
    buyer_page.get_by_role("button", name="Add to the pipeline").click()
    assert buyer_page.locator("h1").inner_text() == "Befriending in east Leeds"
    assert (
        "No supplier has registered interest yet"
        in buyer_page.locator("#interest-by-kind").inner_text()
    )
    axe(buyer_page)
    manage_url = buyer_page.url

    # The supplier finds it and registers interest.
    sign_in(supplier_page, live_server, "k@kind.example")
    supplier_page.goto(live_server.url + "/opportunities")
    supplier_page.get_by_role("link", name="Planned work: what buyers expect").click()
    assert supplier_page.locator("h1").inner_text() == "Planned work"
    axe(supplier_page)
    supplier_page.get_by_role("link", name="Befriending in east Leeds").click()
    axe(supplier_page)
    supplier_page.get_by_role("radio", name="As the lead of a consortium").check()
    supplier_page.get_by_role("button", name="Register interest").click()
    assert (
        "Kind Hearts CIC is registered as interested"
        in supplier_page.locator(".govuk-notification-banner").inner_text()
    )
    assert "as the lead of a consortium" in supplier_page.locator("#your-interest").inner_text()
    axe(supplier_page)

    # The buyer sees the interest and adds an event a month from now.
    buyer_page.goto(manage_url)
    rows = buyer_page.locator("#interested-suppliers tbody tr")
    assert rows.count() == 1 and "Kind Hearts CIC" in rows.first.inner_text()
    assert "As the lead of a consortium" in buyer_page.locator("#interest-by-intent").inner_text()
    axe(buyer_page)
    buyer_page.get_by_role("link", name="Add a market engagement event").click()
    day = to_local(utcnow()).date() + timedelta(days=30)
    buyer_page.get_by_label("Day").fill(str(day.day))
    buyer_page.get_by_label("Month").fill(str(day.month))
    buyer_page.get_by_label("Year").fill(str(day.year))
    buyer_page.get_by_label("Number of places").fill("1")
    buyer_page.get_by_role("button", name="Add the event and invite interested suppliers").click()
    assert "Enter where the event is" in buyer_page.locator(".govuk-error-summary").inner_text()
    axe(buyer_page)
    buyer_page.get_by_label("Where (optional if you give a link)").fill("Leeds Civic Hall")
    buyer_page.get_by_role("button", name="Add the event and invite interested suppliers").click()
    assert "The event is added" in buyer_page.locator(".govuk-notification-banner").inner_text()
    axe(buyer_page)

    # The supplier books the one place.
    supplier_page.reload()
    supplier_page.get_by_role("button", name="Book a place").click()
    assert (
        "Your place is booked" in supplier_page.locator(".govuk-notification-banner").inner_text()
    )
    assert "You have a place" in supplier_page.locator("[id^=event-]").inner_text()
    axe(supplier_page)

    # The buyer sees who is coming and drafts the call-off.
    buyer_page.goto(manage_url)
    assert "1 booked, 0 left, of 1" in buyer_page.locator("[id^=event-]").inner_text()
    buyer_page.get_by_role("button", name="Draft the call-off").click()
    assert (
        "The call-off is drafted from your planned work"
        in buyer_page.locator(".govuk-notification-banner").inner_text()
    )
    assert "Befriending in east Leeds" in buyer_page.locator("h1").inner_text()
    axe(buyer_page)
    draft_url = buyer_page.url
    buyer_page.goto(manage_url)
    assert "Drafted on" in buyer_page.locator("main").inner_text()
    axe(buyer_page)

    # The buyer finishes the draft (its deadlines and questions, as the opportunity journey
    # does in the browser) and publishes it; everyone interested is told.
    opportunity_id = int(draft_url.split("#")[0].rstrip("/").rsplit("/", 1)[1])
    _finish_draft(live_server, opportunity_id)
    buyer_page.goto(draft_url)
    buyer_page.get_by_role("button", name="Check and publish").click()
    assert buyer_page.locator("h1").inner_text() == "Check your opportunity before publishing"
    axe(buyer_page)
    acknowledge = buyer_page.locator("input[name=acknowledge_bank_holiday]")
    if acknowledge.count():
        acknowledge.check()
    buyer_page.get_by_role("button", name="Publish").click()
    assert buyer_page.locator("h1").inner_text() == "Opportunity published"
    axe(buyer_page)

    # The supplier is told by email, and the planned work links to the call-off.
    link = outbox_link("k@kind.example", f"/opportunities/{opportunity_id}")
    supplier_page.goto(link)
    assert "Befriending in east Leeds" in supplier_page.locator("h1").inner_text()
    axe(supplier_page)
    supplier_page.go_back()
    supplier_page.reload()
    supplier_page.locator("#call-off").get_by_role("link", name="See the opportunity").click()
    assert supplier_page.url.split("?")[0].endswith(f"/opportunities/{opportunity_id}")
    axe(supplier_page)


def _finish_draft(live_server, opportunity_id):
    from app.accounts.models import User
    from app.extensions import db
    from lots.opportunities import services as opportunities
    from lots.opportunities.models import Opportunity
    from tests.lots.bidding import real_deadline

    with live_server.app.app_context():
        draft = db.session.get(Opportunity, opportunity_id)
        user = db.session.get(User, draft.created_by_id)
        deadline = real_deadline(days=21)
        opportunities.update_draft(
            user,
            draft,
            summary="Weekly befriending visits for 200 older people",
            submission_deadline=deadline,
            question_deadline=deadline - timedelta(days=5),
        )
        opportunities.set_questions(
            user,
            draft,
            [
                {"kind": "quality", "text": "How will you recruit volunteers?", "weight": 40},
                {"kind": "social_value", "text": "What local jobs will you create?", "weight": 10},
            ],
        )
        db.session.remove()
