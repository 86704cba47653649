"""Register, answer the whole selection questionnaire with uploads, submit; the operator admits;
the supplier sees "Admitted". In Chromium, with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PDF + name.encode())
    return str(path)


def _radio(page, name, value):
    page.locator(f"input[name='{name}'][value='{value}']").check()


def _revealed(page, name, value):
    """The radio's conditional questions show once it is checked, and the radio carries no
    aria-expanded (not allowed on a radio; app.js takes off what GOV.UK Frontend sets)."""
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    assert radio.is_checked()
    assert radio.get_attribute("aria-expanded") is None
    expect(page.locator(f"#{radio.get_attribute('aria-controls')}")).to_be_visible()
    assert not page.locator(".govuk-radios__input[aria-expanded]").count()


def _date(page, qid, day, month, year):
    page.locator(f"input[name='{qid}-day']").fill(day)
    page.locator(f"input[name='{qid}-month']").fill(month)
    page.locator(f"input[name='{qid}-year']").fill(year)


def _file(page, qid, tmp_path):
    page.locator(f"input[name='{qid}-file']").set_input_files(_pdf(tmp_path, f"{qid}.pdf"))


def _section(page, title, axe):
    """The section "Save and continue" led to; the first one is chosen from the task list."""
    if page.locator("#task-list").count():
        page.locator("#task-list").get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title
    axe(page)


def _save(page):
    page.get_by_role("button", name="Save and continue").click()
    errors = page.locator(".govuk-error-summary")
    assert not errors.count(), errors.inner_text()


@pytest.fixture
def demo_dps(live_server):
    """The DPS with its lots, made by the operator through the services."""
    from app.extensions import db
    from tests.dps.helpers import make_admin, make_dps

    with live_server.app.app_context():
        admin = make_admin()
        make_dps(admin)
        db.session.remove()


def test_apply_be_admitted_and_see_it(page, live_server, outbox_link, axe, demo_dps, tmp_path):
    # Register and confirm, then add the organisation.
    page.goto(live_server.url + "/register")
    page.get_by_label("Your full name").fill("Rita Owner")
    page.get_by_label("Email address").fill("rita@riverside.example")
    page.get_by_label("Create a password").fill("willow kettle meadow")
    page.get_by_role("button", name="Create account").click()
    page.goto(outbox_link("rita@riverside.example", "/confirm/"))  # signs in
    assert page.locator("h1").inner_text() == "Your organisations"
    with live_server.app.app_context():
        from app.accounts.models import User
        from app.extensions import db
        from app.organisations.models import (
            Membership,
            Organisation,
            OrganisationKind,
            Role,
            SupplierType,
        )

        user = db.session.execute(
            db.select(User).where(User.email == "rita@riverside.example")
        ).scalar_one()
        org = Organisation(
            kind=OrganisationKind.SUPPLIER,
            name="Riverside Community Care CIO",
            supplier_type=SupplierType.CIO,
            charity_number="1123456",
        )
        db.session.add(org)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.OWNER))
        db.session.commit()
        db.session.remove()

    page.goto(live_server.url + "/dps/community-services")
    axe(page)
    page.locator("#start").click()
    assert page.locator("h1").inner_text().startswith("Apply to join")
    axe(page)

    _section(page, "About your organisation", axe)
    page.locator("input[name='contact_name']").fill("Rita Owner")
    page.locator("input[name='contact_role']").fill("Chief executive")
    page.locator("input[name='contact_phone']").fill("0113 496 0000")
    _radio(page, "years_operating", "over_3")
    _radio(page, "part_of_group", "no")
    _save(page)

    _section(page, "Mandatory exclusion grounds", axe)
    page.locator("input[name='convictions'][value='none']").check()
    _radio(page, "tax_breach", "no")
    _save(page)

    _section(page, "Discretionary exclusion grounds", axe)
    page.locator("input[name='discretionary_grounds'][value='none']").check()
    _save(page)

    _section(page, "Economic and financial standing", axe)
    page.locator("input[name='annual_turnover']").fill("250,000")
    _radio(page, "has_accounts", "yes")
    _revealed(page, "has_accounts", "yes")
    _file(page, "accounts_document", tmp_path)
    _save(page)

    _section(page, "Insurance", axe)
    _radio(page, "employers_liability", "held")
    page.locator("input[name='employers_liability_amount']").fill("5000000")
    _date(page, "employers_liability_expiry", "31", "3", "2027")
    _file(page, "employers_liability_certificate", tmp_path)
    _radio(page, "public_liability", "will_obtain")
    _radio(page, "professional_indemnity", "not_applicable")
    _save(page)

    _section(page, "Policies", axe)
    _radio(page, "safeguarding_policy", "yes")
    _file(page, "safeguarding_document", tmp_path)
    _radio(page, "equality_policy", "no")
    _radio(page, "health_safety_policy", "under_5_staff")
    _radio(page, "data_protection_policy", "yes")
    _radio(page, "turnover_over_36m", "no")
    _save(page)

    _section(page, "Real Living Wage", axe)
    _radio(page, "real_living_wage", "accredited")
    _save(page)

    _section(page, "VCSE status", axe)
    _radio(page, "is_vcse", "yes")
    _radio(page, "vcse_protection", "charity")
    _file(page, "governing_document", tmp_path)
    _save(page)

    # The supplier meets the supported-employment question (the 30% rule of section 32).
    _section(page, "Supported employment and public service mutuals", axe)
    _radio(page, "supported_employment", "yes")
    page.locator("input[name='workforce_disadvantaged_percent']").fill("40")
    page.locator("textarea[name='workforce_evidence']").fill(
        "10 of our 25 staff, from our HR records on 1 October 2026"
    )
    _file(page, "workforce_evidence_document", tmp_path)
    _radio(page, "public_service_mutual", "no")
    _save(page)
    # On to the lots; the task list, one link away, counts 9 sections done.
    assert page.locator("h1").inner_text() == "Which lots do you want to apply for?"
    page.get_by_role("link", name="Go to your task list").click()
    assert "You have completed 9 of" in page.locator("main").inner_text()
    axe(page)

    page.locator("#task-list").get_by_role("link", name="Choose lots").click()
    axe(page)
    page.get_by_label(re.compile("Lot 1: Befriending")).check()
    page.get_by_label(re.compile("Lot 2: Community meals")).check()
    page.get_by_role("button", name=re.compile("Save|Continue")).first.click()
    # Everything answered: straight to checking the answers, signed in Rita's name already.
    assert page.locator("h1").inner_text().startswith("Check your answers")
    axe(page)
    assert page.get_by_label("Your full name").input_value() == "Rita Owner"
    page.get_by_label("Your role in the organisation").fill("Chief executive")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Accept and submit application").click()
    expect(page.locator(".govuk-panel")).to_be_visible()
    receipt = page.locator("main").inner_text()
    assert re.search(r"[0-9a-f]{64}", receipt)
    axe(page)

    # The operator admits one lot and rejects the other, with reasons.
    page.context.clear_cookies()
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill("ada@operator.example")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/admin/applications")
    axe(page)
    page.get_by_role("link", name=re.compile("Riverside")).first.click()
    axe(page)
    for lot_title, decision, reason in (
        ("Lot 1: Befriending", "admitted", "Meets every criterion"),
        ("Lot 2: Community meals (VCSE only)", "rejected", "Needs a food hygiene rating"),
    ):
        block = page.locator(".app-lot-decision", has_text=lot_title)
        block.locator(f"input[type=radio][value='{decision}']").check()
        block.locator("textarea").fill(reason)
        with page.expect_navigation():  # counted while the next page loads, none would show
            block.get_by_role("button", name="Save decision").click()
        assert not page.locator(".govuk-error-summary").count()
    axe(page)

    # The supplier signs in again and sees its lots.
    page.context.clear_cookies()
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill("rita@riverside.example")
    page.get_by_label("Password", exact=True).fill("willow kettle meadow")
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/applications/1")
    text = page.locator("main").inner_text()
    assert "Admitted" in text and "Meets every criterion" in text
    assert "Needs a food hygiene rating" in text
    axe(page)

    # Applying again, the lot it holds is shown but cannot be chosen; the hint saying why stays
    # readable (axe checks its contrast: GOV.UK Frontend alone fades it to half opacity).
    page.goto(live_server.url + "/dps/community-services")
    page.locator("#start").click()
    page.locator("#task-list").get_by_role("link", name="Choose lots").click()
    held = page.get_by_label(re.compile("Lot 1: Befriending"))
    assert held.is_disabled()
    assert "You already hold this lot" in page.locator("main").inner_text()
    axe(page)
