"""The community wish list's pages: a group posts a wish (errors in the summary, what was typed
kept), the operator approves or takes it down with a reason, and the public sees only approved
wishes, without the contact's details."""

import pytest

from app.extensions import db
from app.places import wishes
from app.places.models import Wish, WishStatus
from tests.factories import make_user
from tests.insight.helpers import place_world
from tests.lots.helpers import supplier
from tests.pages import error_links, heading, soup

TYPED = {
    "organisation": "",
    "title": "Volunteers to paint the community centre",
    "description": "The hall and kitchen need two coats before the winter lunch club.",
    "measure": "SV-COM-01",
    "quantity": "40",
    "local_authority_code": "LDS",
    "area": "Gipton Community Centre",
    "contact_name": "Mo Ahmed",
    "contact_email": "mo@gipton.example",
    "contact_phone": "",
}


@pytest.fixture
def world(app):
    w = place_world()
    w.group_user, w.group = supplier("Gipton Community Centre Group", "mo@gipton.example")
    return w


def _post(forms, world, **change):
    data = {**TYPED, "organisation": str(world.group.id), **change}
    return forms.post("/wishes/new", data)


def test_a_group_posts_a_wish_and_the_public_sees_it_once_approved(world, client, auth, forms):
    auth.sign_in("mo@gipton.example")
    page = client.get("/wishes/new")
    assert heading(page) == "Post a wish in West Yorkshire"
    refused = _post(forms, world, quantity="lots")
    assert refused.status_code == 200
    assert error_links(refused) == ["#quantity"]
    html = soup(refused)
    assert html.find("input", {"name": "area"})["value"] == "Gipton Community Centre"
    assert html.find("option", {"value": "SV-COM-01"}).has_attr("selected")
    posted = _post(forms, world)
    assert posted.status_code == 302 and posted.headers["Location"].endswith("/wishes/yours")
    wish = db.session.query(Wish).one()
    assert wish.status == WishStatus.PENDING
    assert "Waiting for approval" in client.get("/wishes/yours").get_data(as_text=True)

    auth.sign_out()
    assert TYPED["title"] not in client.get("/wishes").get_data(as_text=True)
    assert client.get(f"/wishes/{wish.id}").status_code == 404

    auth.sign_in(world.admin.email)
    assert TYPED["title"] in client.get("/admin/wishes").get_data(as_text=True)
    decided = forms.post(f"/admin/wishes/{wish.id}", {"decision": "approve"})
    assert decided.status_code == 302
    auth.sign_out()

    public = client.get("/wishes").get_data(as_text=True)
    assert TYPED["title"] in public
    place = client.get("/places/west-yorkshire/wishes")
    assert soup(place).find(id=f"wish-{wish.id}") is not None
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "Gipton Community Centre, Leeds" in page
    assert "mo@gipton.example" not in page  # the contact is for signed-in people only
    make_user("bidder@example.org", "A Bidder")
    auth.sign_in("bidder@example.org")
    assert "mo@gipton.example" in client.get(f"/wishes/{wish.id}").get_data(as_text=True)


def test_taking_a_wish_down_needs_a_reason_the_group_sees(world, client, auth, forms):
    wish = wishes.post_wish(world.group_user, world.group, world.place, TYPED)
    auth.sign_in(world.admin.email)
    refused = forms.post(f"/admin/wishes/{wish.id}", {"decision": "reject", "reason": ""})
    assert refused.status_code == 200
    assert error_links(refused) == ["#reason"]
    no_choice = forms.post(f"/admin/wishes/{wish.id}", {})
    assert error_links(no_choice) == ["#decision"]
    forms.post(
        f"/admin/wishes/{wish.id}",
        {"decision": "reject", "reason": "Say which group the hall belongs to"},
    )
    auth.sign_out()
    auth.sign_in("mo@gipton.example")
    yours = client.get("/wishes/yours").get_data(as_text=True)
    assert "Not approved" in yours and "Say which group the hall belongs to" in yours


def test_only_the_operator_moderates_and_only_members_post(world, client, auth, forms):
    wish = wishes.post_wish(world.group_user, world.group, world.place, TYPED)
    auth.sign_in("mo@gipton.example")
    assert client.get("/admin/wishes").status_code == 403
    assert client.get(f"/admin/wishes/{wish.id}").status_code == 403
    auth.sign_out()
    auth.sign_in("k@kirkstall.example")
    # Not its organisation: refused, and nothing is posted.
    refused = _post(forms, world)
    assert refused.status_code == 200 and error_links(refused)
    assert db.session.query(Wish).count() == 1


def test_a_group_withdraws_a_wish(world, client, auth, forms):
    wish = wishes.post_wish(world.group_user, world.group, world.place, TYPED)
    auth.sign_in("mo@gipton.example")
    forms.post(f"/wishes/{wish.id}/withdraw", form_url="/wishes/yours")
    db.session.refresh(wish)
    assert wish.status == WishStatus.WITHDRAWN


def test_the_start_page_sends_a_new_group_to_add_itself(world, client, auth):
    make_user("new@group.example", "New Person")
    auth.sign_in("new@group.example")
    start = soup(client.get("/wishes/start"))
    assert start.find(id="add-group")["href"] == "/organisations/new/supplier?for=wishes"
    form = soup(client.get("/organisations/new/supplier?for=wishes"))
    assert form.find("input", {"value": "community_group"}).has_attr("checked")
    assert client.get("/wishes/new").headers["Location"].endswith("/wishes/start")


def test_with_several_places_the_group_chooses_one_first(world, client, auth):
    from app.places import services as places

    places.create_place(world.admin, "Leeds", "Leeds")
    auth.sign_in("mo@gipton.example")
    assert heading(client.get("/wishes/new")) == "Where is the need?"
    assert error_links(client.get("/wishes/new?chosen=yes")) == ["#place"]
    assert heading(client.get("/wishes/new?chosen=yes&place=leeds")) == "Post a wish in Leeds"
