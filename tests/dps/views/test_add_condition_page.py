"""The operator's page to add a condition of membership to lots that already exist: refused, with
the law's reason in the error summary, once a Procurement Act 2023 market is established; added
under PCR 2015, with every member of the lot emailed; nothing typed lost on a mistake."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from dps.models import ConditionKind, MembershipCondition
from dps.services import deciding, lot_conditions
from tests.conftest import Browserless
from tests.dps.helpers import (
    answered_application,
    make_admin,
    make_dps,
    make_supplier,
    sign_and_submit,
)
from tests.dps.views.pages import error_summary
from tests.factories import PASSWORD
from tests.pages import banner, heading, input_value, soup, text
from tests.reading import emails

MONDAY = "2026-12-07 10:00:00+00:00"


def _operator(app, admin):
    client = app.test_client()
    forms = Browserless(client)
    forms.post("/sign-in", {"email": admin.email, "password": PASSWORD})
    return client, forms


def _legends(page):
    return [text(legend) for legend in soup(page).select("fieldset legend")]


def test_an_established_2023_act_market_refuses_a_new_condition_on_its_page(world, app):
    admin, dps, lots, _user, _org = world
    client, forms = _operator(app, admin)
    view = client.get(f"/admin/dps/{dps.id}")
    assert f"/admin/dps/{dps.id}/conditions/new" in view.get_data(as_text=True)
    url = f"/admin/dps/{dps.id}/conditions/new"
    page = client.get(url)
    assert page.status_code == 200
    assert heading(page) == "Add a condition of membership"
    assert "fixed for its life" in text(soup(page).find(id="fixed-for-life"))
    assert _legends(page) == ["What must suppliers meet?", "Which lots does it apply to?"]

    # A mistake first: nothing chosen. What was typed stays.
    page = forms.post(url, {"title": "Good Work Charter"})
    assert page.status_code == 200
    assert error_summary(page) == [
        ("Select the kind of condition", "#kind"),
        ("Select at least one lot", "#lots"),
    ]
    assert input_value(page, "title") == "Good Work Charter"

    page = forms.post(url, {"kind": "charter", "title": "Good Work Charter", "lots": lots[0].id})
    assert page.status_code == 200
    [(message, href)] = error_summary(page)
    assert message.startswith("The conditions of membership of this dynamic market are fixed")
    assert href == "#lots"
    assert input_value(page, "title") == "Good Work Charter"
    assert db.session.execute(sa.select(MembershipCondition)).first() is None


def test_under_pcr_2015_the_operator_adds_a_condition_and_members_are_told(app):
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr")
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [lots[0].id], user, org)
        sign_and_submit(user, application)
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
    client, forms = _operator(app, admin)
    url = f"/admin/dps/{dps.id}/conditions/new"
    page = client.get(url)
    assert soup(page).find(id="fixed-for-life") is None
    assert "regulation 34" in text(soup(page).find(id="rule"))
    done = forms.post(
        url,
        {
            "kind": "london_living_wage",
            "evidence_required": "y",
            "lots": [lots[0].id, lots[1].id],
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/dps/{dps.id}")
    shown = client.get(done.headers["Location"])
    assert (
        f"‘London Living Wage’ is now a condition of {lots[0].label} and {lots[1].label}."
        in banner(shown)
    )
    [condition] = lot_conditions.conditions_of_lots([lots[0].id, lots[1].id])
    assert (condition.kind, condition.london, condition.evidence_required) == (
        ConditionKind.LIVING_WAGE,
        True,
        True,
    )
    assert [e.recipient for e in emails("conditions_changed")] == [user.email]
    page = client.get(url)
    assert "London Living Wage" in text(soup(page).find(id="current-conditions"))


def test_only_the_operator_sees_the_page(world, app):
    _admin, dps, _lots, user, _org = world
    client = app.test_client()
    Browserless(client).post("/sign-in", {"email": user.email, "password": PASSWORD})
    assert client.get(f"/admin/dps/{dps.id}/conditions/new").status_code == 403
    assert app.test_client().get(f"/admin/dps/{dps.id}/conditions/new").status_code == 302
