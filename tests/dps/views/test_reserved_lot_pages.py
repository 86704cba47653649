"""A supplier meets the supported-employment question on the pages: the section asks the share of
its workforce that is disabled or disadvantaged, with evidence; the lot page says why the lot is
reserved; less than 30% is explained on the check page and stops the application."""

from dps.services import setup
from tests.dps.helpers import PDF
from tests.dps.views.pages import error_summary, post_section, section_url
from tests.dps.views.test_application_pages import start
from tests.pages import soup, text


def test_a_supplier_answers_the_supported_employment_question(client, forms, auth, world):
    admin, dps, lots, user, org = world
    lot = setup.add_lot(
        admin,
        dps,
        number=5,
        title="Supported employment: grounds maintenance",
        description="Grounds",
        max_value_pence=50_000_000,
        reserved_for="supported_employment",
    )
    auth.sign_in(user.email)
    application = start(forms)
    page = client.get(section_url(application, "reserved_lots"))
    assert page.status_code == 200
    labels = [text(label) for label in soup(page).select("label, legend")]
    assert "Is your organisation a supported employment provider?" in labels
    assert "What percentage of your workforce are disabled or disadvantaged?" in labels

    answers = {
        "supported_employment": "yes",
        "workforce_disadvantaged_percent": "25",
        "workforce_evidence": "10 of our 40 staff, from our HR records",
        "workforce_evidence_document": "upload",
        "public_service_mutual": "no",
    }
    saved = post_section(
        forms,
        application,
        "reserved_lots",
        answers,
        files={"workforce_evidence_document": (PDF, "workforce.pdf")},
    )
    assert saved.status_code == 302, error_summary(saved)
    forms.post(f"/applications/{application.id}/lots", {"lots": [str(lot.id)]})
    problems = dict(error_summary(client.get(f"/applications/{application.id}/check")))
    reason = next(m for m, href in problems.items() if href == f"#lot-{lot.id}")
    assert reason == (
        "Lot 5: Supported employment: grounds maintenance is reserved for supported employment "
        "providers, where at least 30% of the workforce are disabled or disadvantaged. You told "
        "us 25%."
    )

    too_much = post_section(
        forms,
        application,
        "reserved_lots",
        {**answers, "workforce_disadvantaged_percent": "140"},
    )
    assert error_summary(too_much)[0] == (
        "Workforce disabled or disadvantaged (%) must be 100 or less",
        "#workforce_disadvantaged_percent",
    )

    lot_page = client.get(f"/lots/{lot.id}")
    why = soup(lot_page).find(id="lot-facts")
    assert "at least 30% of the workforce are disabled or disadvantaged" in text(why)
