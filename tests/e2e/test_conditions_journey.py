"""A supplier answers a homecare patch's conditions of membership in its application (an office
outside the patch is refused, then one inside it with its lease), checks and submits; the
operator sees each condition checked, confirms the lease and the charter's evidence; the public
page of the patch set shows each patch, its area and who holds it; the operator's attempt to add
a condition to the established market is refused with the law's reason. In Chromium, axe on
every page."""

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(live_server):
    """A DPS with a set of two patches (an office in the area, the London Living Wage, the UNISON
    Ethical Care Charter), and a supplier's draft application for the Newham patch with its
    selection questionnaire answered."""
    from app.extensions import db
    from dps.models import ConditionKind
    from lots.opportunities.patches import Patch, create_patch_set
    from tests.dps.helpers import answered_application, make_admin, make_dps, make_supplier

    with live_server.app.app_context():
        admin = make_admin()
        dps, _lots = make_dps(admin)
        newham, _tower_hamlets = create_patch_set(
            admin,
            dps,
            group="East London homecare",
            description="Homecare visits",
            max_value_pence=50_000_000,
            cpv_codes=["85312000-9"],
            patches=[Patch("Newham", ("NWM",)), Patch("Tower Hamlets", ("TWH",))],
            conditions=(
                {"kind": ConditionKind.OFFICE_IN_AREA},
                {"kind": ConditionKind.LIVING_WAGE, "london": True},
                {"kind": ConditionKind.CHARTER, "title": "UNISON Ethical Care Charter"},
            ),
        )
        user, org = make_supplier()
        application = answered_application(dps, [newham.id], user, org)
        ids = {
            "application": application.id,
            "lot": newham.id,
            "email": user.email,
            "dps": dps.id,
        }
        db.session.remove()
    return ids


def test_a_supplier_answers_its_patchs_conditions(page, live_server, axe, draft, tmp_path):
    lease = tmp_path / "lease.pdf"
    lease.write_bytes(PDF + b"lease")
    charter = tmp_path / "charter.pdf"
    charter.write_bytes(PDF + b"charter")

    sign_in(page, live_server, draft["email"])
    page.goto(f"{live_server.url}/applications/{draft['application']}")
    page.locator("#task-list").get_by_role("link", name="Conditions of membership").click()
    assert page.locator("h1").inner_text() == "Conditions of membership"
    axe(page)

    page.get_by_label("Address of your office in the area").fill("2 Mile End Road")
    page.get_by_label("Postcode").fill("E1 6AN")  # Tower Hamlets, not Newham
    page.get_by_label("Your lease or other evidence of the office").set_input_files(str(lease))
    page.locator("input[name$='-accredited'][value='no']").check()
    page.get_by_label("The lowest hourly rate you pay anyone working on this work").fill("16.00")
    page.locator("input[name$='-signed'][value='yes']").check()
    page.get_by_label("Your evidence").set_input_files(str(charter))
    page.get_by_role("button", name="Save and continue").click()

    # Saved, and on to checking: the office is not in the patch, so it cannot be sent yet.
    assert page.locator("h1").inner_text() == (
        "Check your answers before submitting your application"
    )
    summary = page.locator(".govuk-error-summary")
    assert "E1 6AN is not in the area (it is in Tower Hamlets)" in summary.inner_text()
    axe(page)
    page.locator("#condition-answers").get_by_role("link", name="Change").first.click()
    assert page.get_by_label("Postcode").input_value() == "E1 6AN"  # nothing typed is lost
    assert "You uploaded lease.pdf" in page.locator(".app-condition").first.inner_text()
    page.get_by_label("Address of your office in the area").fill("21 Broadway, Stratford")
    page.get_by_label("Postcode").fill("E15 4BQ")
    page.get_by_role("button", name="Save and continue").click()

    assert not page.locator(".govuk-error-summary").count()
    assert "21 Broadway, Stratford, E15 4BQ" in page.locator("#condition-answers").inner_text()
    page.get_by_label("Your role in the organisation").fill("Chief executive")
    page.get_by_label("I confirm that I have read the declaration").check()
    page.get_by_role("button", name="Accept and submit application").click()
    assert "Application submitted" in page.locator("h1").inner_text()
    axe(page)

    # The operator sees each condition checked against the patch and confirms the evidence.
    page.context.clear_cookies()
    sign_in(page, live_server, "ada@operator.example")
    page.goto(f"{live_server.url}/admin/applications/{draft['application']}")
    conditions = page.locator("#conditions ~ div")
    assert "E15 4BQ is in Newham" in page.locator("main").inner_text()
    axe(page)
    confirm = page.get_by_role("button", name="Confirm the evidence")
    while confirm.count():
        # Wait for the page the confirmation leads back to: counted while it loads, the
        # buttons and the conditions both read as none.
        with page.expect_navigation():
            confirm.first.click()
    assert conditions.count() >= 3
    assert "Confirm the evidence" not in page.locator(f"#eligibility-{draft['lot']}").inner_text()

    # The market is established under the 2023 Act: a new condition is refused, with the reason.
    page.goto(f"{live_server.url}/admin/dps/{draft['dps']}")
    page.get_by_role("button", name="Add a condition of membership").click()
    assert page.locator("h1").inner_text() == "Add a condition of membership"
    assert "fixed for its life" in page.locator("#fixed-for-life").inner_text()
    axe(page)
    page.get_by_role("radio", name="A charter suppliers sign up to").check()
    page.get_by_label("Name of the charter, or the yes or no question").fill("Good Work Charter")
    page.locator("input[name=lots]").first.check()
    page.get_by_role("button", name="Add the condition").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "conditions of membership of this dynamic market are fixed for its life" in summary
    assert (
        page.get_by_label("Name of the charter, or the yes or no question").input_value()
        == "Good Work Charter"
    )
    axe(page)

    # Anyone can see the patches, their areas and who holds them, without a map.
    page.goto(f"{live_server.url}/lots/{draft['lot']}/patches")
    assert page.locator("#patches tbody tr").count() == 2
    axe(page)
