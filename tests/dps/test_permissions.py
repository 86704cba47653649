"""Who may do what in the DPS (dps.permissions), asked directly, and the services' guards."""

from datetime import date

import pytest
from flask_login import AnonymousUserMixin

from app.errors import NotAllowed, ServiceError
from dps import permissions
from dps.services import applying, setup, standing
from tests.dps.helpers import make_admin, make_dps, make_supplier
from tests.factories import make_organisation, make_user


@pytest.fixture
def people(app):
    """(operator, member of a supplier, the supplier, a stranger)."""
    operator = make_admin()
    member, supplier = make_supplier()
    stranger = make_user(email="stranger@example.org", name="Stan Stranger")
    return operator, member, supplier, stranger


def test_only_the_operator_operates(people):
    operator, member, _supplier, stranger = people
    assert permissions.may_operate(operator)
    assert not permissions.may_operate(member)
    assert not permissions.may_operate(stranger)
    assert not permissions.may_operate(AnonymousUserMixin())
    assert not permissions.may_operate(None)
    permissions.require_operator(operator)
    with pytest.raises(NotAllowed, match="Only the DPS operator can do this") as refusal:
        permissions.require_operator(member)
    assert refusal.value.field is None
    with pytest.raises(NotAllowed, match="can decide applications"):
        permissions.require_operator(stranger, "Only the DPS operator can decide applications")


def test_members_act_for_their_organisation_and_the_operator_only_sees(people):
    operator, member, supplier, stranger = people
    assert permissions.may_act_for(member, supplier.id)
    assert permissions.may_see_for(member, supplier.id)
    assert not permissions.may_act_for(operator, supplier.id)
    assert permissions.may_see_for(operator, supplier.id)
    assert not permissions.may_act_for(stranger, supplier.id)
    assert not permissions.may_see_for(stranger, supplier.id)
    permissions.require_acting_for(member, supplier.id)
    with pytest.raises(NotAllowed, match="not a member of this organisation"):
        permissions.require_acting_for(operator, supplier.id)


def test_only_members_of_a_supplier_may_apply_for_it(people):
    _operator, member, supplier, stranger = people
    buyer = make_organisation(kind="buyer", owner=stranger)
    assert permissions.may_apply_for(member, supplier)
    assert not permissions.may_apply_for(stranger, supplier)
    assert not permissions.may_apply_for(stranger, buyer)  # a member, but of a buyer
    permissions.require_applying_for(member, supplier)
    with pytest.raises(NotAllowed):
        permissions.require_applying_for(stranger, supplier)
    with pytest.raises(ServiceError, match="Only supplier organisations") as refusal:
        permissions.require_applying_for(stranger, buyer)
    assert not isinstance(refusal.value, NotAllowed)


def test_an_application_is_seen_by_its_members_and_the_operator_and_changed_by_members(people):
    operator, member, supplier, stranger = people
    dps, _lots = make_dps(operator)
    application = applying.start_application(member, supplier, dps)
    assert permissions.may_see_application(member, application)
    assert permissions.may_change_application(member, application)
    assert permissions.may_see_application(operator, application)
    assert not permissions.may_change_application(operator, application)
    assert not permissions.may_see_application(stranger, application)
    assert not permissions.may_change_application(stranger, application)


def test_services_guard_with_the_permissions(people):
    operator, member, supplier, _stranger = people
    with pytest.raises(NotAllowed, match="set up a DPS"):
        setup.create_dps(
            member,
            name="Not mine to make",
            slug="not-mine",
            summary="-",
            description="-",
            who_may_join="-",
            regime="procurement_act_2023",
            starts_on=date(2026, 1, 1),
            ends_on=date(2030, 12, 31),
        )
    dps, _lots = make_dps(operator)
    with pytest.raises(NotAllowed, match="set up a DPS"):
        setup.add_lot(member, dps, number=9, title="Mine", description="-", max_value_pence=1)
    with pytest.raises(NotAllowed, match="Only the DPS operator"):
        standing.suspend_supplier(member, supplier, dps, "I suspend myself")
    with pytest.raises(NotAllowed, match="not a member"):
        standing.leave_lots(operator, supplier, [])
