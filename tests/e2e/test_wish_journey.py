"""A community group's wish in the browser: someone with an account adds their group (a
community group, only for this), posts a wish (an error first, what was typed kept), the
operator approves it, the public sees it, a winning bid's pledge reaches it, and the group
confirms delivery, which the public page then shows. Chromium, axe-core on every page, and
375 pixels wide at the end."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def place_with_contract(live_server):
    """West Yorkshire; a Leeds City Council contract with Kirkstall Care CIC promising 120 hours
    of volunteering; a person with an account and no organisation yet."""
    from app.extensions import db
    from tests.factories import make_user
    from tests.insight.helpers import contract, place_world

    with live_server.app.app_context():
        world = place_world()
        c = contract(world, "Leeds City Council", 0, {"SV-COM-01": "120", "SV-EMP-01": "2"})
        make_user("mo@gipton.example", "Mo Ahmed")
        found = {"contract": c.id, "admin": world.admin.email}
        db.session.remove()
    return found


def _win_pledge(live_server, contract_id, wish_title, quantity):
    """The contract is entered with the winning bid's pledge to the wish (what entering a
    contract does with a submission's ``wish_pledges``)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.places.models import Wish
    from lots.awards import pledges
    from lots.awards.models import Contract

    with live_server.app.app_context():
        wish = db.session.execute(sa.select(Wish).where(Wish.title == wish_title)).scalar_one()
        contract = db.session.get(Contract, contract_id)
        pledges.pledges_on_entry(contract, {"wish_pledges": {str(wish.id): quantity}})
        db.session.commit()
        db.session.remove()


def test_a_group_posts_a_wish_that_is_pledged_and_delivered(
    page, live_server, axe, place_with_contract
):
    title = "Volunteers to paint the community centre"
    sign_in(page, live_server, "mo@gipton.example")
    page.goto(live_server.url + "/wishes")
    assert page.locator("h1").inner_text() == "Community wish list"
    axe(page)
    page.get_by_role("button", name="Post a wish").click()
    axe(page)
    page.get_by_role("button", name="Add your group").click()
    assert page.locator("input[name=supplier_type][value=community_group]").is_checked()
    axe(page)
    page.get_by_label("Legal name").fill("Gipton Friends Lunch Club")
    page.get_by_label("Address", exact=True).fill("Gipton Community Centre\nOak Tree Drive\nLeeds")
    page.get_by_label("Postcode", exact=True).fill("LS9 6NL")
    page.get_by_label("Local authority").select_option("LDS")
    page.locator("input[name=staff_band][value='0']").check()
    page.locator("input[name=turnover_band][value=under_100k]").check()
    page.locator("textarea[name=description]").fill("A hot lunch for older people in Gipton.")
    page.get_by_role("button", name="Add organisation").click()

    assert page.locator("h1").inner_text() == "Post a wish in West Yorkshire"
    axe(page)
    page.get_by_label("What do you need?").fill(title)
    page.get_by_label("Tell suppliers more").fill("Two coats in the hall and the kitchen.")
    page.get_by_label("Counted as").select_option("SV-COM-01")
    page.get_by_label("How many").fill("forty")
    page.get_by_label("Council").select_option("LDS")
    page.get_by_label("Neighbourhood or venue").fill("Gipton Community Centre")
    page.get_by_label("Name", exact=True).fill("Mo Ahmed")
    page.get_by_label("Email address").fill("mo@gipton.example")
    page.get_by_role("button", name="Send for approval").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter how many hours you need as a number" in summary
    assert page.get_by_label("Neighbourhood or venue").input_value() == "Gipton Community Centre"
    axe(page)
    page.get_by_label("How many").fill("40")
    page.get_by_role("button", name="Send for approval").click()
    assert "Your wish is sent" in page.locator(".govuk-notification-banner").inner_text()
    assert "Waiting for approval" in page.locator(".govuk-summary-card").inner_text()
    axe(page)

    page.context.clear_cookies()
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(place_with_contract["admin"])
    from tests.factories import PASSWORD

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/admin")
    page.get_by_role("link", name="Community wishes").click()
    axe(page)
    page.get_by_role("link", name=title).click()
    axe(page)
    page.get_by_role("button", name="Save decision").click()
    assert "Choose whether to show the wish" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("Yes, show it on the wish list").check()
    page.get_by_role("button", name="Save decision").click()
    assert "is on the wish list" in page.locator(".govuk-notification-banner").inner_text()
    axe(page)

    page.context.clear_cookies()
    page.goto(live_server.url + "/places/west-yorkshire/wishes")
    assert title in page.locator("#open-wishes").inner_text()
    axe(page)
    page.get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title
    assert "mo@gipton.example" not in page.content()
    axe(page)

    _win_pledge(live_server, place_with_contract["contract"], title, "40")

    sign_in(page, live_server, "mo@gipton.example")
    page.goto(live_server.url + "/wishes/yours")
    assert "Kirkstall Care CIC pledged 40 hours" in page.locator(".govuk-summary-card").inner_text()
    axe(page)
    page.get_by_role("link", name="Confirm it was delivered").click()
    axe(page)
    page.get_by_label("Anything to add (optional)").fill("Both rooms painted over two Saturdays")
    page.get_by_role("button", name="Confirm it was delivered").click()
    assert "confirmed as delivered" in page.locator(".govuk-notification-banner").inner_text()
    assert "Delivered" in page.locator(".govuk-summary-card .govuk-tag").inner_text()
    axe(page)

    page.context.clear_cookies()
    page.goto(live_server.url + "/places/west-yorkshire/wishes")
    delivered = page.locator("#delivered").inner_text()
    assert title in delivered and "Kirkstall Care CIC" in delivered and "40 hours" in delivered
    expect(page.locator("#no-open-wishes")).to_be_visible()
    axe(page)
    # The contract's public record shows what of its commitments went to the wish.
    page.goto(f"{live_server.url}/contracts/{place_with_contract['contract']}")
    pledged = page.locator("#wish-pledges").inner_text()
    assert "40 hours" in pledged and title in pledged and "delivered, confirmed" in pledged
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    page.goto(live_server.url + "/wishes")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
