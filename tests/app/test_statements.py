"""The privacy notice and the accessibility statement: the controller, the records kept and for
how long, and the testing dates come from configuration and from the constants the code applies,
so the pages cannot drift from what the service does."""

from lots.awards import retention
from tests.pages import section, soup, text

OPERATOR = {
    "OPERATOR_NAME": "Calder Valley Community Partnership",
    "OPERATOR_ADDRESS": "Unit 2, Mill Lane, Hebden Bridge, HX7 8AA",
    "OPERATOR_EMAIL": "privacy@calder.example",
    "DPO_NAME": "Ifeoma Ndukwe",
    "DPO_EMAIL": "dpo@calder.example",
    "ICO_REGISTRATION": "ZB123456",
}


def kept(response):
    """{what: {Lawful basis, Why, How long}} from the notice's lists of what is kept."""
    page = soup(response)
    found = {}
    for heading in page.select("#kept ~ h3"):
        rows = heading.find_next_sibling("dl").select(".govuk-summary-list__row")
        found[text(heading)] = {
            text(row.select_one("dt")): text(row.select_one("dd")) for row in rows
        }
    return found


def test_the_privacy_notice_names_the_configured_controller(app, make_app):
    page = make_app(**OPERATOR).test_client().get("/privacy")
    assert page.status_code == 200
    assert "Calder Valley Community Partnership runs this service and is the data controller" in (
        section(page, "controller") + text(soup(page).find(id="controller").find_next("p"))
    )
    assert [line.strip() for line in soup(page).find(id="controller-address").stripped_strings] == [
        "Unit 2",
        "Mill Lane",
        "Hebden Bridge",
        "HX7 8AA",
    ]
    emails = {a["href"] for a in soup(page).select("main a[href^=mailto]")}
    assert {"mailto:privacy@calder.example", "mailto:dpo@calder.example"} <= emails
    assert "Ifeoma Ndukwe" in section(page, "dpo")
    assert "ZB123456" in text(soup(page).find("main"))
    # The right to complain to the ICO.
    ico = section(page, "ico")
    assert "0303 123 1113" in ico and "Wycliffe House" in ico
    assert soup(page).select_one("#ico a")["href"] == "https://ico.org.uk/make-a-complaint/"


def test_the_privacy_notice_states_the_retention_policy_the_code_applies(app, make_app):
    records = kept(app.test_client().get("/privacy"))
    call_offs = next(v for k, v in records.items() if k.startswith("Call-offs"))
    assert app.config["RECORDS_RETENTION_YEARS"] == 3
    assert call_offs["How long"].startswith("3 years after the contract ends")
    for erased in retention.ERASED:
        assert erased in call_offs["How long"]
    assert retention.DELETED in call_offs["How long"]
    assert "Section 98 of the Procurement Act 2023" in call_offs["Why"]
    assert call_offs["Lawful basis"] == "Legal obligation (UK GDPR Article 6(1)(c))"
    # Every kind of record the packages keep is there, each with its basis and period.
    assert len(records) == 6
    assert all(row["Lawful basis"] and row["How long"] for row in records.values())
    alerts = next(v for k, v in records.items() if k.startswith("Email alerts"))
    assert alerts["Lawful basis"].startswith("Consent")

    # The period is the configuration the expiry job reads: change one, the page follows.
    other = kept(make_app(RECORDS_RETENTION_YEARS=6).test_client().get("/privacy"))
    call_offs = next(v for k, v in other.items() if k.startswith("Call-offs"))
    assert call_offs["How long"].startswith("6 years after the contract ends")


def test_the_accessibility_statement_says_how_and_when_it_was_tested(app, make_app):
    served = make_app(
        ACCESSIBILITY_TESTED_ON="2027-03-15",
        ACCESSIBILITY_STATEMENT_ON="2027-03-22",
        PERMANENT_SESSION_LIFETIME=4 * 3600,
        **OPERATOR,
    )
    page = served.test_client().get("/accessibility")
    assert page.status_code == 200
    assert "last tested on 15 March 2027" in section(page, "tested-on")
    assert "last reviewed on 22 March 2027" in section(page, "prepared-on")
    how = section(page, "how-tested")
    assert "axe-core" in how and "375 pixels" in how and "1280 pixels" in how
    # What does not meet WCAG 2.2 AA, from what the service does (the session's lifetime).
    assert "signed out 4 hours after you sign in" in section(page, "not-accessible")
    assert "partially compliant" in section(page, "compliance")
    enforcement = text(soup(page).find(id="enforcement").find_next("p"))
    assert "Equality and Human Rights Commission" in enforcement
    assert "Calder Valley Community Partnership" in text(soup(page).find("main"))
