"""The operator's brand, never the Crown's (issue 20): no page carries the crown, the Royal Arms,
"Crown copyright" or GDS Transport; the brand comes from configuration and its colours are checked
for contrast before the app will start."""

from pathlib import Path

import pytest

from app import create_app
from app.brand import BrandError, contrast, from_config
from tests.app.accounts.helpers import fresh_client
from tests.brand import crown_marks
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_organisation, make_user

ROOT = Path(__file__).resolve().parents[2]
SKIP = {"/sign-out", "/healthz", "/brand.css", "/brand/logo.svg", "/dev/outbox"}


def _pages(app):
    """Every page a GET reaches without arguments in its address."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.rule not in SKIP:
            if not rule.rule.startswith(("/assets", "/static")):
                yield rule.rule


def _sign_in(client, email):
    response = Browserless(client).post("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_no_page_carries_the_crown_the_royal_arms_or_crown_copyright(app):
    admin = make_user("admin@example.org", admin=True)
    owner = make_user("owner@example.org")
    make_organisation(owner=owner)
    visitors = {"signed out": fresh_client(app)}
    for who, user in (("administrator", admin), ("supplier", owner)):
        visitors[who] = fresh_client(app)
        _sign_in(visitors[who], user.email)

    seen, found = 0, []
    for who, client in visitors.items():
        for path in _pages(app):
            response = client.get(path)
            assert response.status_code < 500, f"{path} as {who}: {response.status_code}"
            if response.mimetype == "text/html":
                seen += 1
                marks = crown_marks(response.get_data(as_text=True))
                found += [f"{path} as {who}: {mark}" for mark in marks]
    assert seen > 40
    assert not found, "\n".join(found)


def test_the_checker_finds_each_mark():
    assert crown_marks("<footer>© Crown copyright</footer>") == ["“Crown copyright”"]
    assert crown_marks('<a class="govuk-footer__copyright-logo">') == [
        "the Royal Arms in the footer"
    ]
    assert crown_marks('<link rel="icon" href="/assets/images/favicon.ico">') == [
        "GOV.UK's crown favicon"
    ]
    assert crown_marks("<p>A page</p>") == []


def test_the_stylesheet_uses_the_systems_fonts_not_gds_transport():
    built = ROOT / "app" / "static" / "build" / "govuk.css"
    assert built.is_file(), "run `make assets` to build app/static/build/govuk.css"
    css = built.read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "system-ui" in css
    assert ".govuk-button" in css  # every component is still there


def test_pages_show_the_operator_and_its_colours(make_app):
    branded = make_app(
        OPERATOR_NAME="Northgate Housing",
        OPERATOR_URL="https://northgate.example",
        BRAND_COLOUR="#4b0b5d",
        BRAND_PHASE="Alpha",
        BRAND_FOOTER_LINKS='[{"text": "Our terms", "href": "https://northgate.example/terms"}]',
    )
    client = fresh_client(branded)
    html = client.get("/").get_data(as_text=True)
    assert "Northgate Housing" in html
    assert "Alpha" in html
    assert 'href="https://northgate.example/terms"' in html
    assert 'content="#4b0b5d"' in html  # the browser's theme colour
    css = client.get("/brand.css")
    assert css.mimetype == "text/css"
    assert "--app-brand-colour:#4b0b5d" in css.get_data(as_text=True)
    logo = client.get("/brand/logo.svg")
    assert logo.mimetype == "image/svg+xml" and b"<svg" in logo.data


def test_without_a_phase_there_is_no_phase_banner(make_app):
    html = fresh_client(make_app(BRAND_PHASE="")).get("/").get_data(as_text=True)
    assert "govuk-phase-banner" not in html


def test_contrast_is_measured_as_wcag_defines_it():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _config(app, **overrides):
    return {**app.config, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"BRAND_COLOUR": "#ffdd00"}, r"BRAND_TEXT_COLOUR #ffffff on the header has a contrast"),
        ({"BRAND_LINK_COLOUR": "#777777"}, r"BRAND_LINK_COLOUR #777777 on the page .* 4.48:1"),
        ({"BRAND_COLOUR": "teal"}, r"BRAND_COLOUR must be a colour written #rrggbb"),
        ({"BRAND_LOGO_PATH": "/no/such/logo.svg"}, r"is not a file"),
        ({"BRAND_LOGO_PATH": __file__}, r"must be an SVG file"),
        ({"BRAND_FOOTER_LINKS": "[{"}, r"must be JSON"),
        ({"BRAND_FOOTER_LINKS": '[{"text": "x"}]'}, r"must be a list of"),
    ],
)
def test_a_brand_that_fails_is_refused_with_the_reason(app, overrides, message):
    with pytest.raises(BrandError, match=message):
        from_config(_config(app, **overrides))


def test_the_app_will_not_start_with_colours_that_fail_contrast(test_config):
    with pytest.raises(BrandError, match="contrast"):
        create_app("test", {**test_config, "BRAND_COLOUR": "#ffdd00"})


def test_the_demo_runs_as_a_fictional_operator(sqlite_app):
    html = sqlite_app.test_client().get("/").get_data(as_text=True)
    assert "Three Rivers Community Partnership (demo)" in html
