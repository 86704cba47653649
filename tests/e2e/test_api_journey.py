"""An owner of a council makes an API token in the browser, copies it once, uses it, and revokes
it; anyone reads the API's documentation from the footer. In Chromium, with axe-core on every
page, and at 375 pixels wide."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def council(live_server):
    from app.extensions import db
    from tests.lots.helpers import setup_world

    with live_server.app.app_context():
        _, _, _, _, buyer = setup_world()
        buyer_id = buyer.id
        db.session.commit()
        db.session.remove()
    return buyer_id


def test_make_use_and_revoke_an_api_token(page, live_server, axe, council):
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name="Open data API").click()
    assert page.locator("h1").inner_text() == "API documentation"
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    sign_in(page, live_server, "bea@leeds.example")
    page.goto(f"{live_server.url}/organisations/{council}")
    page.get_by_role("link", name="API tokens").click()
    expect(page.locator("#no-tokens")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Create an API token").click()
    page.get_by_role("button", name="Create token").click()
    assert "Enter a name for the token" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("Name").fill("Our tendering system")
    page.get_by_label("Read drafts").check()
    page.get_by_role("button", name="Create token").click()
    assert "API token created" in page.locator("h1").inner_text()
    secret = page.get_by_label("Your API token").input_value()
    axe(page)
    headers = {"Authorization": f"Bearer {secret}"}
    assert page.request.get(f"{live_server.url}/api/v1/drafts", headers=headers).status == 200

    with page.expect_navigation():
        page.get_by_role("link", name="Back to API tokens").click()
    assert secret not in page.content()
    page.get_by_role("link", name="Revoke Our tendering system").click()
    axe(page)
    page.get_by_role("button", name="Yes, revoke it").click()
    assert "has been revoked" in page.locator(".govuk-notification-banner").inner_text()
    axe(page)
    assert page.request.get(f"{live_server.url}/api/v1/drafts", headers=headers).status == 401
