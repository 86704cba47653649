"""The page after adding a supplier organisation: the DPSs it can apply to join, each with a button
that starts its application (issue 20). Also where "Save and continue" and "Save and come back
later" go, and the declaration as first shown."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from dps.models import Application
from dps.services import applying, setup, standing
from dps.services.clock import today
from tests.app.organisations.helpers import SUPPLIER
from tests.dps.helpers import answered_application, make_supplier
from tests.dps.views.pages import post_section, section_url
from tests.factories import make_membership, make_organisation, make_user
from tests.pages import banner, heading, input_value, soup, text


def join_url(organisation):
    return f"/organisations/{organisation.id}/join"


def offered(response):
    """[(DPS name, its link, the start button's text or the continue link's)] as listed."""
    rows = []
    for item in soup(response).select("#dps-to-join > li"):
        name = item.select_one("h2 a")
        action = item.select_one("button") or item.select_one("p a[href^='/applications/']")
        rows.append((text(name), name["href"], text(action) if action else None))
    return rows


def test_adding_a_supplier_leads_to_the_dps_it_can_join_and_one_press_starts(
    client, forms, auth, world
):
    admin, dps, lots, user, org = world
    setup.create_dps(
        admin,
        name="Not Yet Open DPS",
        slug="not-yet-open",
        summary="Later",
        description="Later",
        who_may_join="Anyone",
        regime="procurement_act_2023",
        starts_on=today() + timedelta(days=5),
        ends_on=today() + timedelta(days=500),
    )
    auth.sign_in(user.email)

    response = forms.post(
        "/organisations/new/supplier",
        {**SUPPLIER, "name": "Hillside Care CIO"},
        form_url="/organisations/new/supplier",
    )
    match = re.fullmatch(r"/organisations/(\d+)/join", response.headers["Location"])
    assert match, response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert heading(page) == "Apply to join a dynamic purchasing system"
    assert banner(page) == "Success Hillside Care CIO has been added. You are its owner."
    assert offered(page) == [
        (
            "Community Services DPS",
            "/dps/community-services",
            "Start your application to join Community Services DPS",
        )
    ]
    assert soup(page).find(id="not-now")["href"] == f"/organisations/{match.group(1)}"

    # The person belongs to two suppliers now: the button starts the new one's application.
    button = soup(page).select_one("#dps-to-join button")
    form = button.find_parent("form")
    assert form["action"] == "/dps/community-services/apply"
    started = forms.post(
        form["action"],
        {"organisation_id": form.find("input", attrs={"name": "organisation_id"})["value"]},
        form_url=response.headers["Location"],
    )
    [application] = db.session.execute(sa.select(Application)).scalars().all()
    assert started.headers["Location"] == f"/applications/{application.id}"
    assert application.organisation_id == int(match.group(1)) != org.id

    # Back on the page, the DPS offers to carry on with that application instead.
    again = client.get(response.headers["Location"])
    assert offered(again) == [
        (
            "Community Services DPS",
            "/dps/community-services",
            "Continue your application to join Community Services DPS",
        )
    ]


def test_a_buyer_is_sent_to_its_own_page_and_strangers_find_nothing(client, auth, world):
    admin, dps, lots, user, org = world
    buyer = make_organisation("buyer", owner=user)
    auth.sign_in(user.email)
    response = client.get(join_url(buyer))
    assert response.headers["Location"] == f"/organisations/{buyer.id}"

    make_user("nosy@example.org")
    auth.sign_in("nosy@example.org")
    assert client.get(join_url(org)).status_code == 404


def test_the_operator_sees_the_offers_but_no_button(client, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(admin.email)
    page = client.get(join_url(org))
    assert offered(page) == [("Community Services DPS", "/dps/community-services", None)]


def test_an_excluded_supplier_is_told_it_cannot_apply(client, auth, world):
    admin, dps, lots, user, org = world
    standing.exclude_organisation(admin, org, "excluded", "Convicted of fraud in 2025")
    auth.sign_in(user.email)
    page = client.get(join_url(org))
    assert offered(page) == []
    assert "Your organisation has been excluded and cannot apply" in text(soup(page).main)


def test_with_no_dps_open_the_page_says_so(client, auth, app):
    user, org = make_supplier()
    auth.sign_in(user.email)
    page = client.get(join_url(org))
    assert offered(page) == []
    assert "No dynamic purchasing system is open for applications" in text(soup(page).main)


# --- Save and continue, and the declaration ------------------------------------------------------


@pytest.fixture
def draft(world):
    admin, dps, lots, user, org = world
    return applying.start_application(user, org, dps)


def test_save_and_come_back_later_still_goes_to_the_task_list(client, forms, auth, world, draft):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    response = post_section(
        forms,
        draft,
        "living_wage",
        {"real_living_wage": "accredited"},
        action="later",
    )
    assert response.headers["Location"] == f"/applications/{draft.id}"
    # "Save and continue" from the same section: the first one still to do after it, round to
    # the start.
    response = post_section(forms, draft, "living_wage", {"real_living_wage": "accredited"})
    assert response.headers["Location"] == section_url(draft, "vcse_status")


def test_changing_an_answer_from_check_answers_comes_back_to_it(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = answered_application(dps, [lots[0].id], user, org)
    auth.sign_in(user.email)
    response = post_section(forms, application, "living_wage", {"real_living_wage": "no"})
    assert response.headers["Location"] == f"/applications/{application.id}/check"


def test_the_declaration_shows_the_signed_in_persons_name_and_keeps_a_change(
    client, forms, auth, world
):
    admin, dps, lots, user, org = world
    chair = make_user("chair@riverside.example", name="Chidi Chair")
    make_membership(org, chair)
    application = answered_application(dps, [lots[0].id], user, org)
    auth.sign_in(chair.email)

    check = client.get(f"/applications/{application.id}/check")
    assert input_value(check, "declaration_name") == "Chidi Chair"

    # Emptied and sent, the box stays empty (with the message), not filled in again.
    refused = forms.post(
        f"/applications/{application.id}/check",
        {"declaration_name": "", "declaration_role": "Chair", "confirm": "y"},
        form_url=f"/applications/{application.id}/check",
    )
    assert refused.status_code == 200
    assert input_value(refused, "declaration_name") == ""

    # Signed for someone else, as the person typed it.
    response = forms.post(
        f"/applications/{application.id}/check",
        {"declaration_name": "Rita Owner", "declaration_role": "Chief executive", "confirm": "y"},
        form_url=f"/applications/{application.id}/check",
    )
    assert response.headers["Location"] == f"/applications/{application.id}/submitted"
    db.session.expire_all()
    assert db.session.get(Application, application.id).declaration_name == "Rita Owner"
