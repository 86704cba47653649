"""Owners give colleagues buyer roles; members cannot; the roles then decide what they may do."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from lots.opportunities.models import BuyerRole
from lots.opportunities.permissions import buyer_roles
from tests.conftest import Browserless
from tests.factories import PASSWORD
from tests.lots.helpers import make_colleague, setup_world


@pytest.fixture
def world(app):
    admin, dps, lots, owner, buyer = setup_world()
    user, membership = make_colleague(buyer)
    return owner, user, buyer, membership


def _as(app, email):
    client = app.test_client()
    forms = Browserless(client)
    forms.post("/sign-in", {"email": email, "password": PASSWORD})
    return client, forms


def test_owner_gives_a_colleague_roles(world, app):
    owner, colleague, buyer, membership = world
    assert buyer_roles(colleague, buyer.id) == set()
    client, forms = _as(app, owner.email)
    url = f"/buyer/{buyer.id}/roles"
    response = forms.post(url, {"membership_id": membership.id, "roles": ["evaluator", "approver"]})
    assert response.status_code == 302
    saved = set(
        db.session.execute(
            sa.select(BuyerRole.role).where(BuyerRole.membership_id == membership.id)
        ).scalars()
    )
    assert {r.value for r in saved} == {"evaluator", "approver"}
    page = BeautifulSoup(client.get(url).data, "lxml")
    checked = {i["value"] for i in page.select("input[name=roles][checked]")}
    assert checked == {"evaluator", "approver"}


def test_unknown_role_is_refused_with_a_message(world, app):
    owner, colleague, buyer, membership = world
    client, forms = _as(app, owner.email)
    response = forms.post(
        f"/buyer/{buyer.id}/roles", {"membership_id": membership.id, "roles": ["emperor"]}
    )
    assert response.status_code == 200
    summary = BeautifulSoup(response.data, "lxml").select_one(".govuk-error-summary")
    assert "Choose roles from the list" in summary.text


def test_a_member_cannot_change_roles(world, app):
    owner, colleague, buyer, membership = world
    client, forms = _as(app, colleague.email)
    page = BeautifulSoup(client.get(f"/buyer/{buyer.id}/roles").data, "lxml")
    assert not page.select("input[name=roles]")
    response = forms.post(
        f"/buyer/{buyer.id}/roles",
        {"membership_id": membership.id, "roles": ["buyer"]},
        form_url="/account/change-password",
    )
    assert response.status_code == 403
