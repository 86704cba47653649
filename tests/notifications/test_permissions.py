"""Who may choose and stop alerts (notifications.permissions)."""

from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from notifications.models import AlertKind
from notifications.permissions import may_choose_alerts, may_stop_search
from tests.factories import make_organisation, make_user


@pytest.fixture
def people(app):
    owner = make_user("olu@riverside.example", name="Olu Owner")
    member = make_user("mo@riverside.example", name="Mo Member")
    buyer_owner = make_user("bea@leeds.example", name="Bea Buyer")
    return {
        "owner": owner,
        "member": member,
        "stranger": make_user("sam@elsewhere.example"),
        "admin": make_user("ada@operator.example", admin=True),
        "supplier": make_organisation(owner=owner, members=[member]),
        "buyer_owner": buyer_owner,
        "buyer": make_organisation("buyer", owner=buyer_owner),
    }


@pytest.mark.parametrize(
    "who, allowed", [("owner", True), ("member", True), ("stranger", False), ("admin", False)]
)
def test_people_of_a_supplier_choose_its_alerts(people, who, allowed):
    assert may_choose_alerts(people[who], people["supplier"]) is allowed


def test_nobody_chooses_alerts_for_a_buyer_or_signed_out(people):
    assert not may_choose_alerts(people["buyer_owner"], people["buyer"])
    assert not may_choose_alerts(AnonymousUserMixin(), people["supplier"])


def search(**fields):
    return SimpleNamespace(
        **{"kind": AlertKind.SEARCH, "user_id": None, "email": "sam@elsewhere.example", **fields}
    )


def test_a_saved_search_is_stopped_by_whoever_follows_it(people):
    stranger, owner = people["stranger"], people["owner"]
    # From a signed link for its address (any case), or signed in with that address.
    assert may_stop_search(search(), email="Sam@Elsewhere.example")
    assert may_stop_search(search(), user=stranger)
    # Signed in as the person who saved it, whatever the address it goes to.
    assert may_stop_search(search(user_id=owner.id, email="news@paper.example"), user=owner)
    # Nobody else.
    assert not may_stop_search(search(), email="olu@riverside.example")
    assert not may_stop_search(search(), user=owner)
    assert not may_stop_search(search())


def test_supplier_preferences_are_not_stopped_as_searches(people):
    preferences = search(kind=AlertKind.SUPPLIER, user_id=people["stranger"].id)
    assert not may_stop_search(preferences, user=people["stranger"])
    assert not may_stop_search(preferences, email="sam@elsewhere.example")
