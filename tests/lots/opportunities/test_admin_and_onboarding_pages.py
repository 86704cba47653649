"""A buyer organisation asks to be approved, the operator approves it, it joins a DPS and can
create an opportunity; the operator sets what a lot covers."""

import time_machine

from app.extensions import db
from lots.opportunities import buyers
from lots.opportunities.models import BuyerStatus, DpsBuyer
from tests.dps.helpers import make_admin, make_dps
from tests.factories import make_organisation, make_user
from tests.lots.helpers import NOW
from tests.lots.pages import (
    banner,
    error_summary,
    input_value,
    soup,
    summary_rows,
    table_rows,
    text,
)


def test_a_buyer_is_approved_joins_a_dps_and_can_create_an_opportunity(app, person):
    admin = make_admin()
    dps, lots = make_dps(admin)
    owner = make_user(email="gareth@pennine.example", name="Gareth Hughes")
    organisation = make_organisation(
        "buyer", owner=owner, name="Pennine Housing Association", buyer_type="housing_association"
    )
    with time_machine.travel(NOW, tick=False):
        gareth = person("gareth@pennine.example")
        area = gareth.get("/buyer")
        assert area.status_code == 302  # one buyer organisation: straight to its area
        area = gareth.get(area.headers["Location"])
        assert "must approve your organisation" in text(soup(area).find(id="buyer-status"))
        approval_url = f"/buyer/{organisation.id}/approval"
        assert input_value(gareth.get(approval_url), "contact_email") == "gareth@pennine.example"
        bad = gareth.post(
            approval_url,
            {"contact_name": "Gareth Hughes", "contact_email": "not an email", "contact_phone": ""},
        )
        assert error_summary(bad) == [
            "Enter an email address in the correct format, like name@example.com"
        ]
        assert input_value(bad, "contact_email") == "not an email"
        asked = gareth.post(
            approval_url,
            {
                "contact_name": "Gareth Hughes",
                "contact_email": "procurement@pennine.example",
                "contact_phone": "0113 496 0001",
            },
        )
        assert asked.status_code == 302
        assert "asked the DPS operator" in banner(gareth.get(asked.headers["Location"]))
        assert gareth.get(f"/buyer/{organisation.id}/join").status_code == 200
        refused = gareth.post(
            f"/buyer/{organisation.id}/join", {"dps_id": str(dps.id)}, form_url="/sign-out"
        )
        assert error_summary(refused) == [
            "Your organisation must be approved before it can join a DPS"
        ]

        # Only the operator sees the queue.
        assert gareth.get("/admin/buyers").status_code == 403
        ada = person("ada@operator.example")
        queue = ada.get("/admin/buyers")
        assert table_rows(queue, "pending")[0][:2] == [
            "Pennine Housing Association",
            "Gareth Hughes, procurement@pennine.example",
        ]
        decide_url = f"/admin/buyers/{organisation.id}"
        assert summary_rows(ada.get(decide_url), "buyer")["Type of buyer"] == "Housing association"
        no_reason = ada.post(decide_url, {"decision": "reject", "reason": ""})
        assert error_summary(no_reason) == ["Enter the reason. The buyer will see it"]
        approved = ada.post(decide_url, {"decision": "approve", "reason": ""})
        assert approved.status_code == 302
        queue = ada.get("/admin/buyers")
        assert "Pennine Housing Association has been approved." in banner(queue)
        assert text(soup(queue).find(id="pending")) == "No buyers are waiting for a decision."
        assert table_rows(queue, "approved")[0][0] == "Pennine Housing Association"
        nav = [text(a) for a in soup(queue).select(".govuk-service-navigation__link")]
        assert "Administration" in nav

        joined = gareth.post(f"/buyer/{organisation.id}/join", {"dps_id": str(dps.id)})
        assert joined.status_code == 302
        area = gareth.get(joined.headers["Location"])
        assert "has joined Community Services DPS" in banner(area)
        new = gareth.get(f"/buyer/{organisation.id}/opportunities/new")
        choices = [text(label) for label in soup(new).select(".govuk-radios__label")]
        assert "Lot 1: Befriending (Community Services DPS)" in choices
    assert buyers.profile(organisation.id).status == BuyerStatus.APPROVED
    assert db.session.query(DpsBuyer).filter_by(organisation_id=organisation.id).count() == 1


def test_the_operator_sets_what_a_lot_covers(app, person):
    admin = make_admin()
    dps, lots = make_dps(admin)
    lot = lots[0]
    ada = person("ada@operator.example")
    url = f"/admin/lots/{lot.id}/scope"
    assert person().get(url).status_code == 302
    bad = ada.post(url, {"cpv_codes": "85312000-9\n12345", "areas": ["region:TLE"]})
    assert error_summary(bad) == ["12345 is not a CPV code, like 85311000-2"]
    assert input_value(bad, "cpv_codes") == "85312000-9\n12345"
    assert ada.post(url, {"cpv_codes": "85312000-9", "areas": []}).status_code == 200
    saved = ada.post(
        url, {"cpv_codes": "85312000-9\r\n85311000-2\r\n", "areas": ["region:TLE", "region:TLD"]}
    )
    assert saved.status_code == 302
    facts = summary_rows(ada.get(saved.headers["Location"]), "lot-facts")
    assert facts["Where"] == "North West Yorkshire and The Humber"
    assert "Social work services without accommodation" in facts["What it covers"]
    page = ada.get(url)
    assert sorted(box["value"] for box in soup(page).select("input[name=areas][checked]")) == [
        "region:TLD",
        "region:TLE",
    ]
    assert ada.post(url, {"cpv_codes": "85312000-9", "areas": ["national:UK"]}).status_code == 302
    assert summary_rows(ada.get(f"/lots/{lot.id}"), "lot-facts")["Where"] == "The whole UK"
    supplier = make_user(email="sam@example.org")
    assert person(supplier.email).get(url).status_code == 403
