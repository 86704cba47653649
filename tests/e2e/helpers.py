"""What the browser journeys share."""

from tests.factories import PASSWORD


def sign_in(page, live_server, email):
    """Sign in through the form, as a person does, and land on their organisations."""
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Your organisations"
