"""A person creates an account, confirms it from the email (which signs them in), signs out and in
again with the password: in Chromium."""

import pytest

pytestmark = pytest.mark.browser


def test_register_confirm_sign_in(page, live_server, outbox_link, axe):
    page.goto(live_server.url + "/")
    axe(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Your full name").fill("Priya Patel")
    page.get_by_label("Email address").fill("priya@riverside.example")
    page.get_by_label("Create a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    # The error summary names the problem and keeps what was typed.
    summary = page.locator(".govuk-error-summary")
    assert "10 characters or more" in summary.inner_text()
    assert page.get_by_label("Your full name").input_value() == "Priya Patel"
    axe(page)

    page.get_by_label("Create a password").fill("kettle lantern orchard")
    page.get_by_role("button", name="Create account").click()
    assert page.locator("h1").inner_text() == "Check your email"
    axe(page)

    # The link, opened in the browser that registered, confirms the address and signs in.
    page.goto(outbox_link("priya@riverside.example", "/confirm/"))
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "email address is confirmed and you are signed in" in banner
    assert page.locator("h1").inner_text() == "Your organisations"
    axe(page)

    page.get_by_role("link", name="Your account").click()
    assert "priya@riverside.example" in page.locator(".govuk-summary-list").inner_text()
    axe(page)
    page.get_by_role("link", name="Sign out").click()
    axe(page)
    page.get_by_role("button", name="Sign out").click()
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()
    page.goto(live_server.url + "/account")
    assert page.locator("h1").inner_text() == "Sign in"

    # The link does not sign in twice; the password does.
    page.goto(outbox_link("priya@riverside.example", "/confirm/"))
    assert page.locator("h1").inner_text() == "Sign in"
    axe(page)
    page.get_by_label("Email address").fill("priya@riverside.example")
    page.get_by_label("Password", exact=True).fill("kettle lantern orchard")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Your organisations"


def test_public_pages_are_accessible(page, live_server, axe):
    for path in (
        "/accessibility",
        "/privacy",
        "/cookies",
        "/contact",
        "/sign-in",
        "/forgot-password",
        "/no-such-page",
    ):
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        axe(page)


@pytest.mark.parametrize("width", [375, 1280])
def test_public_pages_fit_the_screen_and_keyboard_focus_starts_at_the_skip_link(
    page, live_server, width
):
    """What the accessibility statement says is checked: nothing spills off the side of a small
    phone's screen or a laptop's, and the first Tab reaches the skip link."""
    page.set_viewport_size({"width": width, "height": 800})
    for path in (
        "/",
        "/opportunities",
        "/contracts",
        "/accessibility",
        "/privacy",
        "/cookies",
        "/contact",
        "/sign-in",
        "/register",
    ):
        page.goto(live_server.url + path)
        spill = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert spill <= 0, f"{path} spills {spill} px off the side at {width} px wide"
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Skip to main content", (path, focused)
