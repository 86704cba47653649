"""Parties' identifiers in OCDS releases (org-id.guide schemes): Companies House (GB-COH), the
charity registers of England and Wales (GB-CHC), Scotland (GB-SC) and Northern Ireland
(GB-NIC), and the Mutuals Public Register (GB-MPR) for co-operatives and community benefit
societies; the main one first, the others as additional identifiers, in a release that
validates against OCDS 1.1.5."""

import pytest

from app.organisations.models import Organisation, OrganisationKind, SupplierType
from publishing import releases, standard


def organisation(**numbers):
    return Organisation(
        id=7,
        kind=OrganisationKind.SUPPLIER,
        supplier_type=SupplierType.COOPERATIVE,
        name="Calder Valley Co-operative Limited",
        postcode="HX7 8AD",
        **numbers,
    )


@pytest.mark.parametrize(
    "numbers, scheme, number",
    [
        ({"company_number": "SC123456"}, "GB-COH", "SC123456"),  # a Scottish company
        ({"charity_number": "1187654"}, "GB-CHC", "1187654"),
        ({"charity_number": "SC012345"}, "GB-SC", "SC012345"),  # a Scottish charity
        ({"charity_number": "NIC100002"}, "GB-NIC", "NIC100002"),
        ({"society_number": "31234R"}, "GB-MPR", "31234R"),
        ({"society_number": "RS007372"}, "GB-MPR", "RS007372"),
    ],
)
def test_each_register_gives_its_scheme(app, numbers, scheme, number):
    with app.test_request_context():
        entry = releases.party(organisation(**numbers), ["supplier"])
    assert entry["identifier"] == {
        "scheme": scheme,
        "id": number,
        "legalName": "Calder Valley Co-operative Limited",
    }
    assert entry["id"] == f"{scheme}-{number}"
    assert "additionalIdentifiers" not in entry


def test_a_society_that_is_also_a_scottish_charity_has_both(app):
    with app.test_request_context():
        entry = releases.party(
            organisation(charity_number="SC045678", society_number="2446RS"), ["supplier"]
        )
    assert (entry["id"], entry["identifier"]["scheme"]) == ("GB-SC-SC045678", "GB-SC")
    assert [(i["scheme"], i["id"]) for i in entry["additionalIdentifiers"]] == [
        ("GB-MPR", "2446RS")
    ]


def test_no_register_number_gives_the_products_own_id(app):
    with app.test_request_context():
        entry = releases.party(organisation(), ["supplier"])
    assert "identifier" not in entry
    assert entry["id"] == f"{app.config['OCDS_OCID_PREFIX']}-org-7"


def test_a_release_with_every_scheme_validates(app):
    with app.test_request_context():
        parties = [
            releases.party(
                organisation(company_number="01234567", society_number="31234R"), ["buyer"]
            ),
            releases.party(organisation(charity_number="SC012345"), ["supplier"]),
            releases.party(organisation(charity_number="NIC100002"), ["tenderer"]),
            releases.party(organisation(society_number="8765"), ["tenderer"]),
        ]
    for n, entry in enumerate(parties):
        entry["id"] = f"{entry['id']}-{n}"  # four parties made from one organisation id
    release = {
        "ocid": "ocds-vcsedp-VCSE-2026-000001",
        "id": "ocds-vcsedp-VCSE-2026-000001-UK4-1",
        "date": "2026-12-05T12:00:00+00:00",
        "tag": ["tender"],
        "initiationType": "tender",
        "parties": parties,
        "buyer": {"id": parties[0]["id"], "name": parties[0]["name"]},
    }
    assert standard.errors(release) == []
    assert {p["identifier"]["scheme"] for p in parties} == {"GB-COH", "GB-SC", "GB-NIC", "GB-MPR"}
