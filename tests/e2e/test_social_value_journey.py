"""A supplier's social value return in the browser, from its organisation's page to the buyer
accepting it, then the figures on the buyer's dashboard and the public place page: in Chromium,
with axe-core on every page, and at 375 pixels wide."""

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def contract_due(live_server):
    """West Yorkshire, and a Leeds City Council contract whose first quarter is due now."""
    from app.extensions import db
    from lots.awards.schedule import add_months, make_schedule, today
    from tests.insight.helpers import contract, place_world

    with live_server.app.app_context():
        world = place_world()
        c = contract(
            world,
            "Leeds City Council",
            0,
            {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100"},
            start=add_months(today(), -3),
        )
        make_schedule(c, "quarterly")
        db.session.commit()
        ids = {x.measure_id: x.id for x in c.commitments}
        found = {
            "supplier": world.suppliers[0][1].id,
            "buyer": world.buyers["Leeds City Council"][1].id,
            "measures": ids,
        }
        db.session.remove()
    return found


def test_a_supplier_submits_a_return_and_the_buyer_accepts_it(page, live_server, axe, contract_due):
    ids = contract_due["measures"]
    sign_in(page, live_server, "k@kirkstall.example")
    with page.expect_navigation():
        page.get_by_role("link", name="Kirkstall Care CIC").click()
    axe(page)
    page.get_by_role("link", name="Social value returns").click()
    axe(page)
    page.locator("#to-do a").first.click()
    assert page.locator("h1").inner_text().startswith("Social value return")
    axe(page)
    page.locator(f"#value-{ids['SV-EMP-01']}").fill("2")
    page.locator(f"#postcodes-{ids['SV-EMP-01']}").fill("BD1 1JS\nLS16 8AA")
    page.locator(f"#value-{ids['SV-COM-01']}").fill("26.5")
    page.locator(f"#council-{ids['SV-COM-01']}").select_option("BRD")
    page.locator(f"#value-{ids['SV-FW-01']}").fill("150")
    page.get_by_label("Note").fill("Payroll and the volunteering rota")
    page.get_by_role("button", name="Submit return").click()
    # 150% is refused; what was typed is kept.
    assert "Enter a percentage from 0 to 100" in page.locator(".govuk-error-summary").inner_text()
    assert page.locator(f"#council-{ids['SV-COM-01']}").input_value() == "BRD"
    axe(page)
    page.locator(f"#value-{ids['SV-FW-01']}").fill("100")
    page.get_by_role("button", name="Submit return").click()
    assert "Your return is submitted" in page.locator(".govuk-notification-banner").inner_text()
    lines = page.locator("#return-lines").inner_text()
    assert "BD1 1, LS16 8" in lines and "Bradford" in lines and "1JS" not in page.content()
    axe(page)
    return_url = page.url

    page.context.clear_cookies()
    sign_in(page, live_server, "bea@leeds.example")
    page.goto(return_url)
    page.get_by_label("Accept it").check()
    page.get_by_role("button", name="Save decision").click()
    assert "The return is accepted" in page.locator(".govuk-notification-banner").inner_text()
    axe(page)

    page.goto(f"{live_server.url}/organisations/{contract_due['buyer']}")
    page.get_by_role("link", name="Social value dashboard").click()
    assert page.locator("#total-SV-COM-01 td").nth(2).inner_text() == "26.5"
    axe(page)
    page.get_by_role("link", name="West Yorkshire").click()
    assert page.locator("h1").inner_text() == "West Yorkshire"
    landing = page.locator("#landing-SV-EMP-01").inner_text()
    assert "Most deprived 10% of neighbourhoods\t1\t50%" in landing
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
