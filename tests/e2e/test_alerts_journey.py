"""Email alerts as people use them: a supplier person chooses how often, which lots, two local
authorities (adding the second with "Add another local authority", no JavaScript needed) and
keywords; a member of the public follows a search from the search page, confirms their address
from the emailed link, and later stops every alert from an alert email's unsubscribe link
without signing in. In Chromium, every page checked with axe-core."""

import re

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

SUPPLIER = "rosa@riverside.example"
PUBLIC = "pat.public@example.org"


@pytest.fixture
def alert_world(live_server):
    """A DPS whose first lot (health and social work in Yorkshire) has a buyer and an admitted
    supplier. Returns the label of another lot the supplier might join, and a function that
    publishes an opportunity in Leeds (sending its alerts at once, as the worker would)."""
    with live_server.app.app_context():
        from tests.notifications.alerting import admit, supplier, world

        admin, dps, lots, buyer_user, buyer = world()
        _, organisation = supplier("Riverside Community Care CIO", SUPPLIER)
        admit(organisation, lots[0])
        other_lot, ids = lots[1].label, (buyer_user.id, buyer.id, lots[0].id)

    def publish():
        with live_server.app.app_context():
            from app.accounts.models import User
            from app.extensions import db
            from app.organisations.models import Organisation
            from dps.models import Lot
            from tests.notifications.alerting import publish as publish_in_leeds

            user_id, buyer_id, lot_id = ids
            publish_in_leeds(
                db.session.get(User, user_id),
                db.session.get(Organisation, buyer_id),
                db.session.get(Lot, lot_id),
            )

    return other_lot, publish


def test_a_supplier_chooses_alerts_and_the_public_follow_then_stop_a_search(
    page, browser, live_server, alert_world, outbox_link, axe
):
    other_lot, publish = alert_world

    # A supplier person: Your account → Email alerts → Change.
    sign_in(page, live_server, SUPPLIER)
    axe(page)
    page.get_by_role("link", name="Your account").click()
    axe(page)
    page.get_by_role("link", name="Email alerts about new opportunities").click()
    assert page.locator("h1").inner_text() == "Email alerts"
    axe(page)
    page.get_by_role("link", name="Change alerts for Riverside Community Care CIO").click()
    assert page.locator("h1").inner_text() == "Your email alerts"
    axe(page)

    page.get_by_label("A daily summary").check()
    page.get_by_label(re.compile(re.escape(other_lot))).check()
    page.get_by_label("Local authority 1").select_option(label="Leeds")
    page.get_by_label("Keywords").fill("befriending, lunch club")
    page.get_by_role("button", name="Add another local authority").click()
    # The page comes back with everything as chosen, and the new box ready to use.
    assert page.get_by_label("Local authority 1").input_value() == "LDS"
    assert page.get_by_label("Keywords").input_value() == "befriending, lunch club"
    assert page.get_by_label("A daily summary").is_checked()
    assert page.evaluate("document.activeElement.id") == "local_authorities-1-code"
    axe(page)
    page.get_by_label("Local authority 2").select_option(label="Bradford")
    # Enter in a box saves, as "Save your alert settings" does (it does not add another row).
    page.get_by_label("Keywords").press("Enter")

    assert page.locator("h1").inner_text() == "Email alerts"
    assert (
        "Your alert settings are saved" in page.locator(".govuk-notification-banner").inner_text()
    )
    card = page.locator(".govuk-summary-card").first.inner_text()
    for words in ("A daily summary", other_lot, "Bradford, Leeds", "befriending, lunch club"):
        assert words in card
    axe(page)
    page.get_by_role("link", name="Change alerts for Riverside Community Care CIO").click()
    assert page.get_by_label("Local authority 1").input_value() == "BRD"
    assert page.get_by_label("Local authority 2").input_value() == "LDS"

    # A member of the public, never signed in, in a browser of their own.
    context = browser.new_context()
    public = context.new_page()
    public.goto(live_server.url + "/opportunities")
    axe(public)
    public.get_by_label("Search", exact=True).fill("befriending")
    public.get_by_role("button", name="Apply filters").click()
    axe(public)
    public.get_by_role("link", name="Get emails about searches like this").click()
    assert public.locator("h1").inner_text() == "Get emails about opportunities like these"
    assert "befriending" in public.locator("main").inner_text()
    axe(public)
    public.get_by_label("Email address").fill("not an address")
    public.get_by_role("button", name="Get emails").click()
    assert (
        "Enter an email address in the correct format"
        in public.locator(".govuk-error-summary").inner_text()
    )
    axe(public)
    public.get_by_label("Email address").fill(PUBLIC)
    public.get_by_label("At once, one email for each opportunity").check()
    public.get_by_role("button", name="Get emails").click()
    assert public.locator("h1").inner_text() == "Check your email"
    axe(public)

    public.goto(outbox_link(PUBLIC, "/alerts/confirm/"))
    assert "Your alert is confirmed" in public.locator("main").inner_text()
    axe(public)

    # An opportunity about befriending is published: the alert email arrives.
    publish()
    public.goto(outbox_link(PUBLIC, "/alerts/manage/"))
    assert public.locator("h1").inner_text() == "Your opportunity alerts"
    axe(public)
    public.goto(outbox_link(PUBLIC, "/alerts/unsubscribe/"))
    assert public.locator("h1").inner_text() == "Stop opportunity alerts"
    assert PUBLIC in public.locator("main").inner_text()
    axe(public)
    public.get_by_role("button", name="Stop alerts").click()
    assert "You have unsubscribed" in public.locator("main").inner_text()
    axe(public)
    context.close()

    with live_server.app.app_context():
        import sqlalchemy as sa

        from app.extensions import db
        from notifications.models import AlertKind, AlertSubscription

        searches = (
            db.session.execute(
                sa.select(AlertSubscription).where(AlertSubscription.kind == AlertKind.SEARCH)
            )
            .scalars()
            .all()
        )
        assert [(s.email, s.unsubscribed_at is not None) for s in searches] == [(PUBLIC, True)]
