"""The alert pages as a person uses them: the account page's link, a supplier person's settings
(with the error summary), following a search from the search page (confirmed by email first)."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.outbox.models import OutboxMessage
from app.reference import geography
from notifications import preferences
from notifications.models import AlertFrequency, AlertSubscription
from tests.lots.pages import error_summary
from tests.notifications.alerting import admit, alerted, prefer, publish, supplier, world
from tests.pages import banner, error_links, heading, soup, text


def _settings_url(org):
    return f"/account/alerts/organisations/{org.id}"


def test_the_account_page_links_to_alert_settings_with_the_defaults(app, client, auth):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    admit(org, lots[0])
    auth.sign_in("pat@test.example")
    account = client.get("/account")
    link = soup(account).find("a", string=re.compile("Email alerts"))
    assert link["href"] == "/account/alerts"
    overview = client.get("/account/alerts")
    assert heading(overview) == "Email alerts"
    words = text(soup(overview).find("main"))
    assert "Lots your organisation is admitted to" in words
    assert "At once, one email for each opportunity" in words


def test_a_supplier_person_chooses_what_to_hear_about(app, client, auth, forms, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    auth.sign_in("pat@test.example")
    page = client.get(_settings_url(org))
    assert heading(page) == "Your email alerts"
    response = forms.post(
        _settings_url(org),
        {
            "frequency": "instant",
            "lot_ids": [str(lots[0].id)],
            "cpv_divisions": ["85"],
            "regions": ["TLE"],
            "local_authorities-0-code": "",
            "min_value": "10,000",
            "max_value": "£60000",
            "keywords": "befriending,  lunch club",
        },
        follow_redirects=True,
    )
    assert banner(response) == "Success Your alert settings are saved"
    row = db.session.execute(sa.select(AlertSubscription)).scalar_one()
    assert (
        row.frequency,
        row.admitted_lots,
        row.lot_ids,
        row.cpv_divisions,
        row.area_codes,
        row.min_value_pence,
        row.max_value_pence,
        row.keywords,
    ) == (
        AlertFrequency.INSTANT,
        False,
        [lots[0].id],
        ["85"],
        ["TLE"],
        1_000_000,
        6_000_000,
        "befriending, lunch club",
    )
    # Shown back as chosen.
    again = client.get(_settings_url(org))
    assert soup(again).find("input", {"name": "keywords"})["value"] == "befriending, lunch club"
    assert soup(again).find("input", {"name": "regions", "value": "TLE"}).has_attr("checked")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["pat@test.example"]


def test_settings_errors_are_summarised(app, client, auth, forms):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    auth.sign_in("pat@test.example")
    response = forms.post(
        _settings_url(org), {"frequency": "instant", "min_value": "lots", "max_value": "100"}
    )
    assert response.status_code == 400
    assert error_summary(response) == ["Lowest value (£) must be an amount in pounds, like 25000"]
    response = forms.post(
        _settings_url(org), {"frequency": "instant", "min_value": "500", "max_value": "100"}
    )
    assert error_summary(response) == ["The lowest value must be less than the highest value"]
    response = forms.post(_settings_url(org), {})
    assert error_summary(response) == ["Choose how often you want emails"]
    assert db.session.execute(sa.select(AlertSubscription)).first() is None


def test_only_members_choose_an_organisation_s_alerts(app, client, auth):
    admin, dps, lots, buyer_user, buyer = world()
    supplier("Test CIC", "pat@test.example")
    other_user, other = supplier("Other CIC", "oz@other.example")
    auth.sign_in("pat@test.example")
    assert client.get(_settings_url(other)).status_code == 403
    auth.sign_out()
    assert client.get(_settings_url(other)).status_code == 302  # to sign in


def test_anyone_follows_a_search_after_confirming_their_address(
    app, client, forms, run_jobs, at_now
):
    admin, dps, lots, buyer_user, buyer = world()
    results = client.get("/opportunities?q=befriending&region=TLE&sort=newest")
    link = soup(results).find("a", id="follow-search")
    assert link.get_text(strip=True) == "Get emails about searches like this"
    page = client.get(link["href"])
    assert heading(page) == "Get emails about opportunities like these"
    assert "befriending" in text(soup(page).find("main"))

    bad = forms.post(link["href"], {"email": "not an address", "frequency": "instant"})
    assert error_summary(bad) == [
        "Enter an email address in the correct format, like name@example.com"
    ]
    done = forms.post(link["href"], {"email": "Pub@Example.org", "frequency": "instant"})
    assert done.headers["Location"].endswith("/opportunities/alerts/check-your-email")
    sub = db.session.execute(sa.select(AlertSubscription)).scalar_one()
    assert (sub.email, sub.keywords, sub.area_codes, sub.confirmed_at) == (
        "pub@example.org",
        "befriending",
        ["TLE"],
        None,
    )
    assert sub.search_args == {"q": "befriending", "region": "TLE"}

    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == []  # not confirmed yet

    confirm = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "confirm_search_alert")
    ).scalar_one()
    url = confirm.personalisation["confirm_url"]
    assert client.get(url.replace("http://localhost", "")[:-2] + "zz").status_code == 404
    confirmed = client.get(url.replace("http://localhost", ""))
    assert confirmed.status_code == 200
    assert "Your alert is confirmed" in text(soup(confirmed).find("main"))
    publish(buyer_user, buyer, lots[0], title="Befriending in Leeds, again")
    run_jobs()
    assert alerted() == ["pub@example.org"]


def test_a_signed_in_person_follows_with_their_own_address_at_once(app, client, auth, forms):
    admin, dps, lots, buyer_user, buyer = world()
    auth.sign_in(buyer_user.email)
    url = "/opportunities/alerts/new?cpv=85"
    page = client.get(url)
    assert soup(page).find("input", {"name": "email"})["value"] == buyer_user.email
    response = forms.post(
        url, {"email": buyer_user.email, "frequency": "weekly"}, follow_redirects=True
    )
    assert banner(response).endswith("You will get emails about new opportunities like these")
    sub = db.session.execute(sa.select(AlertSubscription)).scalar_one()
    assert sub.confirmed_at is not None and sub.user_id == buyer_user.id
    assert (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.template == "confirm_search_alert")
        ).first()
        is None
    )
    assert "Health and social work services" in text(soup(response).find("main"))


def test_confirmation_emails_to_one_address_are_limited(app, client, forms):
    url = "/opportunities/alerts/new?q=meals"
    for _ in range(3):
        assert (
            forms.post(url, {"email": "target@example.org", "frequency": "daily"}).status_code
            == 302
        )
    assert forms.post(url, {"email": "target@example.org", "frequency": "daily"}).status_code == 429
    assert len(alerted("confirm_search_alert")) == 3


# --- Several local authorities -------------------------------------------------------------------


def _chosen_authorities(response):
    """[(label, chosen code)] of each "Local authority N" select, in order."""
    page = soup(response)
    rows = []
    for select in page.select("select[name^=local_authorities-]"):
        label = page.find("label", attrs={"for": select["id"]})
        chosen = select.find("option", selected=True)
        rows.append((text(label), chosen["value"] if chosen else ""))
    return rows


def test_the_service_stores_several_local_authorities_with_regions(app):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    row = preferences.save_preferences(
        user,
        org,
        frequency="daily",
        admitted_lots=True,
        regions=["TLD"],
        local_authorities=["LDS", "", "BRD", "LDS"],
    )
    assert row.area_codes == ["BRD", "LDS", "TLD"]  # blanks dropped, each once
    assert [words for label, words in preferences.describe(row) if label == "Where"] == [
        "Bradford, Leeds, North West"
    ]


def test_the_service_refuses_an_unknown_local_authority_by_its_place(app):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    with pytest.raises(preferences.PreferencesError) as refused:
        preferences.save_preferences(
            user, org, frequency="daily", admitted_lots=True, local_authorities=["LDS", "NOWHERE"]
        )
    assert str(refused.value) == (
        "Local authority 2 is not one we know: choose a local authority from the list"
    )
    assert (refused.value.field, refused.value.index) == ("local_authorities", 1)
    with pytest.raises(preferences.PreferencesError) as refused:
        preferences.save_preferences(
            user, org, frequency="daily", admitted_lots=True, regions=["LDS"]
        )
    assert (str(refused.value), refused.value.field) == ("Choose regions from the list", "regions")
    too_many = [
        la.code for la in geography.local_authorities()[: preferences.MAX_LOCAL_AUTHORITIES + 1]
    ]
    with pytest.raises(preferences.PreferencesError, match="20 local authorities or fewer"):
        preferences.save_preferences(
            user, org, frequency="daily", admitted_lots=True, local_authorities=too_many
        )
    assert db.session.execute(sa.select(AlertSubscription)).first() is None


def test_a_supplier_person_adds_several_local_authorities(
    app, client, auth, forms, run_jobs, at_now
):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    other, other_org = supplier("Other CIC", "oz@other.example")
    auth.sign_in("pat@test.example")
    page = client.get(_settings_url(org))
    assert _chosen_authorities(page) == [("Local authority 1", "")]
    assert soup(page).find("button", id="add-local-authority").get_text(strip=True) == (
        "Add another local authority"
    )

    typed = {
        "frequency": "daily",
        "keywords": "befriending",
        "min_value": "1000",
        "local_authorities-0-code": "BRD",
    }
    added = forms.post(_settings_url(org), {**typed, "action": "add"})
    assert added.status_code == 200 and error_summary(added) == []
    assert _chosen_authorities(added) == [("Local authority 1", "BRD"), ("Local authority 2", "")]
    assert soup(added).find("select", id="local_authorities-1-code").has_attr("autofocus")
    assert soup(added).find("input", {"name": "keywords"})["value"] == "befriending"
    assert soup(added).find("input", {"name": "frequency", "value": "daily"}).has_attr("checked")
    assert db.session.execute(sa.select(AlertSubscription)).first() is None  # not saved yet

    three = {**typed, "local_authorities-1-code": "MAN", "local_authorities-2-code": "LDS"}
    removed = forms.post(_settings_url(org), {**three, "action": "remove-1"})
    assert _chosen_authorities(removed) == [
        ("Local authority 1", "BRD"),
        ("Local authority 2", "LDS"),
    ]
    remove = soup(removed).find("button", {"value": "remove-0"})
    assert text(remove) == "Remove local authority 1"

    saved = forms.post(
        _settings_url(org), {**typed, "local_authorities-1-code": "LDS"}, follow_redirects=True
    )
    assert banner(saved) == "Success Your alert settings are saved"
    assert "Bradford, Leeds" in text(soup(saved).find("main"))
    row = db.session.execute(sa.select(AlertSubscription)).scalar_one()
    assert row.area_codes == ["BRD", "LDS"]
    again = client.get(_settings_url(org))
    assert _chosen_authorities(again) == [
        ("Local authority 1", "BRD"),
        ("Local authority 2", "LDS"),
    ]

    # Matching reads the list: an opportunity in Leeds reaches Pat (Bradford or Leeds), not
    # someone who chose Manchester only.
    prefer(other, other_org, area_codes=["MAN"])
    db.session.execute(
        sa.update(AlertSubscription)
        .where(AlertSubscription.id == row.id)
        .values(frequency=AlertFrequency.INSTANT, min_value_pence=None, keywords=None)
    )
    db.session.commit()
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["pat@test.example"]


def test_an_unknown_local_authority_is_refused_and_everything_typed_is_kept(
    app, client, auth, forms
):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    auth.sign_in("pat@test.example")
    response = forms.post(
        _settings_url(org),
        {
            "frequency": "weekly",
            "regions": ["TLD"],
            "keywords": "lunch club",
            "max_value": "50000",
            "local_authorities-0-code": "LDS",
            "local_authorities-1-code": "NOWHERE",
        },
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "Local authority 2 is not one we know: choose a local authority from the list"
    ]
    assert error_links(response) == ["#local_authorities-1-code"]
    page = soup(response)
    assert page.find("select", id="local_authorities-1-code") is not None
    assert "govuk-select--error" in page.find("select", id="local_authorities-1-code")["class"]
    assert _chosen_authorities(response)[0] == ("Local authority 1", "LDS")
    assert len(_chosen_authorities(response)) == 2
    assert page.find("input", {"name": "keywords"})["value"] == "lunch club"
    assert page.find("input", {"name": "max_value"})["value"] == "50000"
    assert page.find("input", {"name": "regions", "value": "TLD"}).has_attr("checked")
    assert page.find("input", {"name": "frequency", "value": "weekly"}).has_attr("checked")
    assert db.session.execute(sa.select(AlertSubscription)).first() is None
