"""The rules of an organisation's details, tested through the services."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from app.extensions import db
from app.organisations import services
from app.organisations.models import Organisation, Role
from tests.app.organisations.helpers import BUYER, SUPPLIER, role_of
from tests.factories import make_organisation, make_user
from tests.reading import audit_events


def supplier_errors(**changes):
    with pytest.raises(services.InvalidDetails) as caught:
        services.clean_supplier_details({**SUPPLIER, **changes})
    return caught.value.errors


# --- Creating and changing -----------------------------------------------------------------------


def test_create_supplier_cleans_details_and_makes_the_creator_owner(app):
    user = make_user()
    organisation = services.create_supplier(user, SUPPLIER)

    assert organisation.is_supplier
    assert organisation.name == "Riverside Community Care CIO"
    assert organisation.trading_name is None
    assert organisation.postcode == "LS3 1HS"
    assert organisation.region_code == "TLE"  # derived from Leeds
    assert organisation.website == "https://www.riverside-care.example"
    assert role_of(user, organisation) == Role.OWNER
    [event] = audit_events("create_organisation")
    assert (event.actor_id, event.organisation_id, event.subject_type, event.subject_id) == (
        user.id,
        organisation.id,
        "organisations",
        organisation.id,
    )
    assert event.detail["kind"] == "supplier"


def test_create_buyer(app):
    user = make_user()
    organisation = services.create_buyer(user, BUYER)
    assert organisation.is_buyer and organisation.buyer_type == "local_authority"
    assert organisation.region_code == "TLE"
    assert organisation.supplier_type is None
    assert role_of(user, organisation) == Role.OWNER
    assert len(audit_events("create_organisation")) == 1


def test_every_problem_with_a_supplier_is_reported_at_once(app):
    with pytest.raises(services.InvalidDetails) as caught:
        services.create_supplier(make_user(), {})
    assert caught.value.errors == {
        "name": "Enter the legal name of your organisation",
        "supplier_type": "Select the type of organisation",
        "address": "Enter your organisation’s address",
        "postcode": "Enter a postcode",
        "local_authority_code": "Select your local authority",
        "staff_band": "Select how many staff your organisation employs",
        "turnover_band": "Select your organisation’s annual turnover",
        "description": "Describe what your organisation does",
    }
    assert db.session.execute(sa.select(sa.func.count(Organisation.id))).scalar_one() == 0
    assert audit_events("create_organisation") == []


def test_every_problem_with_a_buyer_is_reported_at_once(app):
    with pytest.raises(services.InvalidDetails) as caught:
        services.create_buyer(make_user(), {"buyer_type": "bank", "region_code": "XX"})
    assert set(caught.value.errors) == {"name", "buyer_type", "region_code"}


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1234567", "1234567"),
        ("200001", "200001"),
        ("12345678", "12345678"),
        ("1234567-1", "1234567-1"),
        ("1234567-12", "1234567-12"),
        (" 1234 567 ", "1234567"),
        ("SC012345", "SC012345"),
        ("sc 012345", "SC012345"),
        ("NIC123456", "NIC123456"),
        ("nic100002", "NIC100002"),
    ],
)
def test_charity_numbers_in_each_format_are_accepted(app, typed, stored):
    assert (
        services.clean_supplier_details({**SUPPLIER, "charity_number": typed})["charity_number"]
        == stored
    )


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "123456789",
        "1234567-",
        "1234567-1234",
        "1234567/1",
        "SC12345",
        "SC0123456",
        "SO012345",
        "NI123456",
        "NIC12345",
        "NIC1234567",
        "CHARITY",
        "12a4567",
    ],
)
def test_charity_numbers_in_other_formats_are_refused(app, typed):
    assert supplier_errors(charity_number=typed) == {
        "charity_number": (
            "Enter a charity number in the correct format, like 1234567, SC012345 or NIC123456"
        )
    }


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("31234R", "31234R"),
        ("31234 r", "31234R"),
        ("8765", "8765"),
        ("2446R(S)", "2446RS"),
        ("2446RS", "2446RS"),
        ("rs007372", "RS007372"),
        ("", None),
    ],
)
def test_mutuals_public_register_numbers_are_accepted(app, typed, stored):
    cleaned = services.clean_supplier_details(
        {**SUPPLIER, "supplier_type": "community_benefit_society", "society_number": typed}
    )
    assert cleaned["society_number"] == stored


@pytest.mark.parametrize("typed", ["R1234", "1234567R", "31234RSX", "RS12345", "IP 12/34", "CO-OP"])
def test_mutuals_public_register_numbers_in_other_formats_are_refused(app, typed):
    assert supplier_errors(society_number=typed) == {
        "society_number": (
            "Enter a Mutuals Public Register number in the correct format, like 31234R or RS007372"
        )
    }


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("01234567", "01234567"),
        ("12345678", "12345678"),
        ("SC123456", "SC123456"),
        ("sc123456", "SC123456"),
        ("NI123456", "NI123456"),
        ("OC 123456", "OC123456"),
        (" 0123 4567 ", "01234567"),
    ],
)
def test_company_numbers_in_each_format_are_accepted(app, typed, stored):
    assert (
        services.clean_supplier_details({**SUPPLIER, "company_number": typed})["company_number"]
        == stored
    )


@pytest.mark.parametrize(
    "typed",
    [
        "1234567",
        "123456789",
        "SC12345",
        "SC1234567",
        "S1234567",
        "SCO12345",
        "1234567A",
        "ABCDEFGH",
    ],
)
def test_company_numbers_in_other_formats_are_refused(app, typed):
    assert supplier_errors(company_number=typed) == {
        "company_number": (
            "Enter a company number in the correct format, like 01234567 or SC123456"
        )
    }


@pytest.mark.parametrize(
    "supplier_type, field",
    [
        ("charity", "charity_number"),
        ("cio", "charity_number"),
        ("cic", "company_number"),
        ("company_limited_by_guarantee", "company_number"),
        ("social_enterprise_company", "company_number"),
    ],
)
def test_a_type_that_is_registered_needs_its_number(app, supplier_type, field):
    errors = supplier_errors(supplier_type=supplier_type, charity_number="", company_number="")
    assert list(errors) == [field]
    assert errors[field].startswith("Enter your")


@pytest.mark.parametrize(
    "supplier_type",
    ["community_benefit_society", "cooperative", "mutual", "community_group", "other"],
)
def test_other_types_need_no_number(app, supplier_type):
    values = services.clean_supplier_details(
        {**SUPPLIER, "supplier_type": supplier_type, "charity_number": "", "company_number": ""}
    )
    assert values["charity_number"] is None and values["company_number"] is None


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        (" bt1  5gs ", "BT1 5GS"),
    ],
)
def test_postcodes_are_normalised(app, typed, stored):
    assert services.clean_supplier_details({**SUPPLIER, "postcode": typed})["postcode"] == stored


@pytest.mark.parametrize("typed", ["SW1A", "12345", "SW1A 1A", "ZZZ 1AA", "LS1 AAA", "LS1-4AB"])
def test_postcodes_that_are_not_full_uk_postcodes_are_refused(app, typed):
    assert supplier_errors(postcode=typed) == {
        "postcode": "Enter a full UK postcode, like SW1A 1AA"
    }


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("https://www.example.org", "https://www.example.org"),
        ("http://example.org/about", "http://example.org/about"),
        ("example.co.uk", "https://example.co.uk"),
    ],
)
def test_websites_are_web_addresses(app, typed, stored):
    assert services.clean_supplier_details({**SUPPLIER, "website": typed})["website"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        "ftp://example.org",
        "javascript:alert(1)",
        "not a website",
        "http://localhost",
        "https://user:pw@example.org",
        "https://exa mple.org",
    ],
)
def test_other_websites_are_refused(app, typed):
    assert list(supplier_errors(website=typed)) == ["website"]


def test_description_has_a_word_limit(app):
    assert services.clean_supplier_details({**SUPPLIER, "description": "word " * 150})
    assert supplier_errors(description="word " * 151) == {
        "description": "Description must be 150 words or fewer"
    }


@pytest.mark.parametrize("code", ["KEN", "WYCA", "NOPE", ""])
def test_local_authority_must_be_a_current_council_covering_one_area(app, code):
    # Kent County Council is upper tier; WYCA a combined authority.
    assert supplier_errors(local_authority_code=code) == {
        "local_authority_code": "Select your local authority"
    }


def test_region_follows_the_local_authority(app):
    assert (
        services.clean_supplier_details({**SUPPLIER, "local_authority_code": "BST"})["region_code"]
        == "TLK"
    )
    assert (
        services.clean_supplier_details({**SUPPLIER, "local_authority_code": "GLG"})["region_code"]
        == "TLM"
    )


def test_an_owner_updates_the_profile_and_the_change_is_audited(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    services.update_organisation(
        owner,
        organisation,
        {
            **SUPPLIER,
            "name": "Riverside Care CIO",
            "local_authority_code": "MAN",
            "charity_number": "1187654",
        },
    )

    db.session.expire_all()
    organisation = db.session.get(Organisation, organisation.id)
    assert organisation.name == "Riverside Care CIO"
    assert organisation.region_code == "TLD"
    [event] = audit_events("update_organisation")
    assert "name" in event.detail["changed"] and "region_code" in event.detail["changed"]
    assert event.organisation_id == organisation.id


def test_saving_without_changes_writes_no_event(app):
    owner = make_user()
    organisation = services.create_buyer(owner, BUYER)
    services.update_organisation(owner, organisation, BUYER)
    assert audit_events("update_organisation") == []


def test_a_member_cannot_update_the_profile(app):
    member = make_user("mo@example.org")
    organisation = make_organisation(members=[member])
    with pytest.raises(Forbidden):
        services.update_organisation(member, organisation, SUPPLIER)
    assert audit_events("update_organisation") == []


def test_the_kind_of_an_organisation_never_changes(app):
    owner = make_user()
    organisation = services.create_buyer(owner, BUYER)
    with pytest.raises(services.InvalidDetails) as caught:
        services.update_organisation(owner, organisation, SUPPLIER)
    assert set(caught.value.errors) == {"buyer_type", "region_code"}  # checked as a buyer
    assert audit_events("update_organisation") == []
