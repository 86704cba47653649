"""Staying admitted: a supplier suspended for an expired certificate is reinstated once it uploads
a current one; leaving a whole DPS; the directory shows only the contact details chosen."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine
from bs4 import BeautifulSoup

from app.extensions import db
from app.organisations.services import InvalidDetails, clean_supplier_details
from dps.models import LotMembership, MembershipStatus
from dps.services import applying, deciding, expiry, standing
from tests.conftest import Browserless
from tests.dps.helpers import complete_answers, make_admin, make_dps, make_supplier, upload
from tests.dps.services.test_application_lifecycle import MONDAY, _fill
from tests.factories import PASSWORD


@pytest.fixture
def admitted(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        _fill(user, application, complete_answers(user, org, insurance_expiry="2027-01-31"))
        applying.choose_lots(user, application, [lots[0].id, lots[2].id])
        applying.submit_application(
            user, application, declaration_name="R", declaration_role="CEO", confirmed=True
        )
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        deciding.decide_lot(admin, application, lots[2].id, "admitted", "Good")
    return admin, dps, lots, user, org


def _statuses():
    return {m.status for m in db.session.execute(sa.select(LotMembership)).scalars()}


def test_expired_certificate_suspends_until_replaced(admitted):
    admin, dps, lots, user, org = admitted
    with time_machine.travel("2027-02-01 08:00:00+00:00", tick=False):
        result = expiry.process_document_expiry()
        assert result["suspended"] == 1
        assert _statuses() == {MembershipStatus.SUSPENDED}
        reason = db.session.execute(sa.select(LotMembership.status_reason)).scalars().first()
        assert "expired on 31 January 2027" in reason
        # Running again changes nothing.
        assert expiry.process_document_expiry()["suspended"] == 0
    with time_machine.travel("2027-02-02 09:00:00+00:00", tick=False):
        upload(user, org, "insurance_certificate", "el-2028.pdf", date(2028, 1, 31))
        result = expiry.process_document_expiry()
    assert result["reinstated"] == 1
    assert _statuses() == {MembershipStatus.ADMITTED}


def test_a_supplier_suspended_by_the_operator_is_not_reinstated_by_the_job(admitted):
    admin, dps, lots, user, org = admitted
    standing.suspend_supplier(admin, org, dps, "Complaint under investigation")
    with time_machine.travel("2026-12-20 09:00:00+00:00", tick=False):
        assert expiry.process_document_expiry()["reinstated"] == 0
    assert _statuses() == {MembershipStatus.SUSPENDED}


def _signed_in(app, email):
    client = app.test_client()
    forms = Browserless(client)
    forms.post("/sign-in", {"email": email, "password": PASSWORD})
    return client, forms


def test_leave_a_whole_dps(admitted, app):
    admin, dps, lots, user, org = admitted
    client, forms = _signed_in(app, user.email)
    page = client.get(f"/organisations/{org.id}/lots")
    assert f"/organisations/{org.id}/dps/{dps.id}/leave" in page.get_data(as_text=True)
    url = f"/organisations/{org.id}/dps/{dps.id}/leave"
    confirm = BeautifulSoup(client.get(url).data, "lxml")
    assert "Are you sure you want to leave" in confirm.h1.text
    assert forms.post(url).status_code == 302
    assert _statuses() == {MembershipStatus.LEFT}
    assert client.get(url).status_code == 404  # nothing left to leave


def test_another_organisation_cannot_leave_for_it(admitted, app):
    admin, dps, lots, user, org = admitted
    other, _ = make_supplier("other@example.org", "Other CIC")
    client, forms = _signed_in(app, other.email)
    assert client.get(f"/organisations/{org.id}/dps/{dps.id}/leave").status_code in (403, 404)


def test_directory_shows_only_chosen_contact_details(admitted, client):
    admin, dps, lots, user, org = admitted
    org.website = "https://riverside.example"
    db.session.commit()
    page = BeautifulSoup(client.get(f"/suppliers/{org.id}").data, "lxml")
    assert "has not chosen to show contact details" in page.select_one("#contact").text
    org.directory_email = "hello@riverside.example"
    org.directory_show_website = True
    db.session.commit()
    page = BeautifulSoup(client.get(f"/suppliers/{org.id}").data, "lxml")
    contact = page.select_one("#contact").text
    assert "hello@riverside.example" in contact and "https://riverside.example" in contact
    assert "Phone" not in contact


def test_contact_choices_are_checked(app):
    details = {
        "name": "Riverside",
        "supplier_type": "cio",
        "charity_number": "1123456",
        "address": "1 Road",
        "postcode": "LS1 1AA",
        "local_authority_code": "LDS",
        "staff_band": "1-9",
        "turnover_band": "under_100k",
        "description": "We help",
        "directory_email": "not an email",
        "directory_phone": "call me",
    }
    with pytest.raises(InvalidDetails) as exc:
        clean_supplier_details(details)
    assert set(exc.value.errors) == {"directory_email", "directory_phone"}
    details.update(
        directory_email="Hello@Riverside.example",
        directory_phone="0113 496 0000",
        directory_show_website="y",
    )
    values = clean_supplier_details(details)
    assert values["directory_email"] == "hello@riverside.example"
    assert values["directory_show_website"] is False  # no website to show
