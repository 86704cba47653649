"""The foundation journey in Chromium: register, confirm from the email (signed in), add a supplier
organisation, invite a colleague. Every page passes axe-core."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_register_create_organisation_and_invite(page, live_server, outbox_link, axe):
    page.goto(live_server.url + "/register")
    page.get_by_label("Your full name").fill("Omar Okafor")
    page.get_by_label("Email address").fill("omar@northern-lights.example")
    page.get_by_label("Create a password").fill("harbour lantern thistle")
    page.get_by_role("button", name="Create account").click()
    assert page.locator("h1").inner_text() == "Check your email"
    page.goto(outbox_link("omar@northern-lights.example", "/confirm/"))  # signs in
    assert page.locator("h1").inner_text() == "Your organisations"
    axe(page)

    page.get_by_role("button", name="Add an organisation").click()
    axe(page)
    page.get_by_label("Supplier").check()
    page.get_by_role("button", name="Continue").click()
    axe(page)
    # A mistake first: the page says what is wrong and keeps what was typed.
    page.get_by_label("Legal name").fill("Northern Lights Social Enterprise CIC")
    page.get_by_label("Community interest company (CIC)").check()
    page.get_by_label("Company number").fill("12")
    page.get_by_role("button", name="Add organisation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "company number" in summary.inner_text().lower()
    assert page.get_by_label("Legal name").input_value() == "Northern Lights Social Enterprise CIC"
    axe(page)

    page.get_by_label("Company number").fill("12345678")
    page.get_by_label("Address", exact=True).fill("1 Mill Street\nManchester")
    page.get_by_label("Postcode").fill("m1 1aa")
    page.get_by_label("Local authority").select_option(label="Manchester")
    page.get_by_label("10 to 49").check()
    page.get_by_label("£100,000 to £1 million").check()
    page.get_by_label("What does your organisation do?").fill(
        "We run employment support and youth projects across Greater Manchester."
    )
    page.get_by_role("button", name="Add organisation").click()
    # Next, the DPSs it can join (none is open here), and its own page one link away.
    assert page.locator("h1").inner_text() == "Apply to join a dynamic purchasing system"
    axe(page)
    page.get_by_role("link", name="Go to your organisation’s page").click()
    assert "Northern Lights Social Enterprise CIC" in page.locator("h1").inner_text()
    assert "M1 1AA" in page.locator("main").inner_text()
    axe(page)

    page.get_by_role("button", name="Invite someone").click()
    axe(page)
    page.get_by_label("Email address").fill("colleague@northern-lights.example")
    page.get_by_role("button", name="Send invitation").click()
    assert "colleague@northern-lights.example" in page.locator("main").inner_text()
    axe(page)
    link = outbox_link("colleague@northern-lights.example", "/invitations/")
    assert link.startswith(live_server.url)
