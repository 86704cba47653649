"""The organisation pages, as a person uses them."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.organisations import invitations
from app.organisations.models import Membership, Organisation, Role
from app.outbox.models import OutboxMessage
from app.timeutil import utcnow
from tests.app.organisations.helpers import SUPPLIER
from tests.app.organisations.pages import (
    change_links,
    checked_radio,
    error_summary,
    input_value,
    links,
    summary_list,
)
from tests.factories import make_membership, make_organisation, make_user
from tests.pages import banner, heading, soup, table_rows, text

SUPPLIER_FORM = {
    **SUPPLIER,
    "name": "Riverside Community Care CIO",
    "trading_name": "Riverside Care",
    "website": "https://www.riverside-care.example",
}


@pytest.fixture
def owner(app):
    return make_user("olu@example.org", name="Olu Owner")


@pytest.fixture
def member(app):
    return make_user("mo@example.org", name="Mo Member")


@pytest.fixture
def organisation(owner, member):
    return make_organisation(owner=owner, members=[member])


def membership_of(user, organisation):
    db.session.expire_all()  # the pages changed rows in their own sessions
    return db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    ).scalar_one_or_none()


def invitation_link():
    message = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == "invite_member")
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    return urlsplit(message.personalisation["accept_url"]).path


# --- Signed out, and who may see what ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/organisations",
        "/organisations/new",
        "/organisations/new/supplier",
        "/organisations/new/buyer",
        "/organisations/1",
        "/organisations/1/edit",
        "/organisations/1/invite",
        "/organisations/1/members/1/remove",
        "/organisations/1/members/1/make-owner",
        "/organisations/1/invitations/1/revoke",
    ],
)
def test_signed_out_people_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == [path]


def test_signed_out_posts_are_sent_to_sign_in(client, forms, owner, organisation):
    token = forms.csrf("/sign-in")  # a real token, so it is the sign-in check that refuses
    for path in (
        f"/organisations/{organisation.id}/invite",
        "/organisations/new/buyer",
        f"/organisations/{organisation.id}/members/1/remove",
    ):
        response = client.post(
            path,
            data={
                "csrf_token": token,
                "email": "x@example.org",
                "name": "X",
                "buyer_type": "nhs_body",
                "region_code": "TLE",
            },
        )
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert db.session.execute(sa.select(sa.func.count(OutboxMessage.id))).scalar_one() == 0
    assert db.session.execute(sa.select(sa.func.count(Organisation.id))).scalar_one() == 1
    assert membership_of(owner, organisation).role == Role.OWNER


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/{org}/edit",
        "/organisations/{org}/invite",
        "/organisations/{org}/members/{mine}/remove",
        "/organisations/{org}/members/{owner}/remove",
        "/organisations/{org}/members/{mine}/make-owner",
    ],
)
def test_a_member_cannot_act_as_owner(client, auth, owner, member, organisation, path):
    url = path.format(
        org=organisation.id,
        mine=membership_of(member, organisation).id,
        owner=membership_of(owner, organisation).id,
    )
    auth.sign_in(member.email)
    page = client.get(url)
    assert page.status_code == 403
    assert heading(page) == "You do not have permission to see this page"
    # Posting (with a valid CSRF token from another page) is refused too, and changes nothing.
    token = soup(client.get("/organisations/new")).find("input", attrs={"name": "csrf_token"})[
        "value"
    ]
    response = client.post(
        url, data={"csrf_token": token, "email": "x@example.org", "role": "member", **SUPPLIER_FORM}
    )
    assert response.status_code == 403, heading(response)
    assert membership_of(owner, organisation).role == Role.OWNER
    assert membership_of(member, organisation).role == Role.MEMBER
    assert db.session.get(Organisation, organisation.id).name == "Riverside Community Care CIO"


def test_a_member_sees_the_organisation_without_owner_actions(client, auth, member, organisation):
    auth.sign_in(member.email)
    page = client.get(f"/organisations/{organisation.id}")
    assert page.status_code == 200
    assert heading(page) == "Riverside Community Care CIO"
    assert change_links(page) == []
    assert "Invite someone" not in links(page)
    assert [row[:3] for row in table_rows(page, "members")] == [
        ["Olu Owner", "olu@example.org", "Owner"],
        ["Mo Member (you)", "mo@example.org", "Member"],
    ]


def test_someone_from_another_organisation_cannot_see_it(client, auth, organisation):
    outsider = make_user("out@example.org")
    make_organisation(owner=outsider, name="Other CIO")
    auth.sign_in(outsider.email)
    for path in ("", "/edit", "/invite"):
        page = client.get(f"/organisations/{organisation.id}{path}")
        assert page.status_code == 403
        assert "Riverside" not in page.get_data(as_text=True)


def test_an_organisation_that_does_not_exist_is_not_found(client, auth, owner):
    auth.sign_in(owner.email)
    assert client.get("/organisations/999").status_code == 404


def test_a_membership_of_another_organisation_is_not_found(client, auth, owner, organisation):
    other = make_organisation(
        owner=make_user("out@example.org"), name="Other CIO", members=[make_user("x@example.org")]
    )
    theirs = (
        db.session.execute(sa.select(Membership).where(Membership.organisation_id == other.id))
        .scalars()
        .first()
    )
    auth.sign_in(owner.email)
    assert (
        client.get(f"/organisations/{organisation.id}/members/{theirs.id}/remove").status_code
        == 404
    )


def test_a_supplier_user_cannot_read_the_audit_log(client, auth, owner, organisation):
    auth.sign_in(owner.email)
    page = client.get("/admin/audit")
    assert page.status_code == 403
    assert heading(page) == "You do not have permission to see this page"


def test_an_administrator_can_see_an_organisation_but_not_manage_it(client, auth, organisation):
    admin = make_user("ada@example.org", admin=True)
    auth.sign_in(admin.email)
    page = client.get(f"/organisations/{organisation.id}")
    assert page.status_code == 200
    assert change_links(page) == []
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == 403


# --- Adding organisations ------------------------------------------------------------------------


def test_an_owner_adds_a_supplier_through_the_pages(client, auth, forms, owner):
    auth.sign_in(owner.email)
    page = client.get("/organisations")
    assert "You do not belong to any organisations yet." in text(soup(page))
    assert links(page)["Add an organisation"] == "/organisations/new"

    response = forms.post("/organisations/new", {"kind": "supplier"})
    assert response.headers["Location"] == "/organisations/new/supplier"

    response = forms.post("/organisations/new/supplier", SUPPLIER_FORM)
    assert response.status_code == 302
    # Next, the DPSs it can apply to join (tests/dps/views/test_join_pages.py), then its page.
    match = re.fullmatch(r"/organisations/(\d+)/join", response.headers["Location"])
    assert match, response.headers["Location"]
    offer = client.get(response.headers["Location"])
    assert banner(offer) == "Success Riverside Care has been added. You are its owner."
    assert heading(offer) == "Apply to join a dynamic purchasing system"
    page = client.get(f"/organisations/{match.group(1)}")
    assert heading(page) == "Riverside Care"
    details = summary_list(page)
    assert details["Legal name"] == "Riverside Community Care CIO"
    assert details["Type"] == "Charitable incorporated organisation (CIO)"
    assert details["Charity number"] == "1187654"
    assert details["Company number"] == "Not given"
    assert details["Address"] == "12 Kirkstall Road Leeds LS3 1HS"
    assert details["Local authority"] == "Leeds"
    assert details["Region"] == "Yorkshire and The Humber"
    assert details["Paid staff"] == "10 to 49"
    assert details["Annual turnover"] == "£100,000 to £1 million"
    assert len(change_links(page)) == len(details)
    assert [row[:3] for row in table_rows(page, "members")] == [
        ["Olu Owner (you)", "olu@example.org", "Owner"]
    ]

    listing = client.get("/organisations")
    assert table_rows(listing, "organisations") == [["Riverside Care", "Supplier", "Owner"]]


def test_choosing_nothing_on_the_kind_page_shows_an_error(forms, auth, owner):
    auth.sign_in(owner.email)
    page = forms.post("/organisations/new", {})
    assert page.status_code == 200
    assert error_summary(page) == [
        ("Select whether your organisation is a supplier or a buyer", "#kind")
    ]
    assert soup(page).title.get_text().startswith("Error: ")


def test_supplier_form_errors_are_summarised_and_what_was_typed_is_kept(forms, auth, owner):
    auth.sign_in(owner.email)
    typed = {
        **SUPPLIER_FORM,
        "charity_number": "12-AB",
        "postcode": "LS1",
        "local_authority_code": "",
        "website": "not a website",
        "description": "word " * 151,
    }
    page = forms.post("/organisations/new/supplier", typed)

    assert page.status_code == 200
    assert error_summary(page) == [
        (
            "Enter a charity number in the correct format, like 1234567, SC012345 or NIC123456",
            "#charity_number",
        ),
        ("Enter a full UK postcode, like SW1A 1AA", "#postcode"),
        ("Select your local authority", "#local_authority_code"),
        ("Description must be 150 words or fewer", "#description"),
        ("Enter a website address in the correct format, like https://www.example.org", "#website"),
    ]
    # Each message is also shown by its field, and every field keeps what was typed.
    message = soup(page).find(id="charity_number-error")
    assert "Enter a charity number in the correct format" in text(message)
    assert input_value(page, "name") == "Riverside Community Care CIO"
    assert input_value(page, "charity_number") == "12-AB"
    assert input_value(page, "postcode") == "LS1"
    assert input_value(page, "website") == "not a website"
    assert input_value(page, "address") == "12 Kirkstall Road\nLeeds"
    assert checked_radio(page, "supplier_type") == "cio"
    assert checked_radio(page, "staff_band") == "10-49"
    assert db.session.execute(sa.select(sa.func.count(Organisation.id))).scalar_one() == 0


def test_a_charity_without_its_number_is_told_to_give_it(forms, auth, owner):
    auth.sign_in(owner.email)
    page = forms.post(
        "/organisations/new/supplier",
        {**SUPPLIER_FORM, "supplier_type": "charity", "charity_number": ""},
    )
    assert error_summary(page) == [
        ("Enter your charity number: a registered charity or CIO has one", "#charity_number")
    ]
    assert checked_radio(page, "supplier_type") == "charity"


def test_an_empty_supplier_form_lists_every_missing_answer(forms, auth, owner):
    auth.sign_in(owner.email)
    page = forms.post("/organisations/new/supplier", {})
    assert [href for _message, href in error_summary(page)] == [
        "#name",
        "#supplier_type",
        "#address",
        "#postcode",
        "#local_authority_code",
        "#staff_band",
        "#turnover_band",
        "#description",
    ]
    # The links go somewhere: each href is the id of a field on the page.
    for _message, href in error_summary(page):
        assert soup(page).find(id=href[1:]) is not None


def test_local_authority_is_a_select_sorted_by_name(client, auth, owner):
    auth.sign_in(owner.email)
    page = client.get("/organisations/new/supplier")
    assert heading(page) == "Add a supplier organisation"
    assert soup(page).title.get_text().startswith("Add a supplier organisation – ")
    options = soup(page).find("select", attrs={"name": "local_authority_code"}).find_all("option")
    names = [option.get_text() for option in options[1:]]
    assert options[0]["value"] == ""
    assert len(names) == 361
    assert names == sorted(names, key=str.casefold)
    assert "Leeds" in names and "Kent" not in names


def test_an_owner_adds_a_buyer(client, forms, auth, owner):
    auth.sign_in(owner.email)
    response = forms.post("/organisations/new", {"kind": "buyer"})
    assert response.headers["Location"] == "/organisations/new/buyer"
    page = forms.post("/organisations/new/buyer", {"name": "Leeds City Council"})
    assert error_summary(page) == [
        ("Select the type of organisation", "#buyer_type"),
        ("Select the region where your organisation is based", "#region_code"),
    ]
    assert input_value(page, "name") == "Leeds City Council"

    response = forms.post(
        "/organisations/new/buyer",
        {"name": "Leeds City Council", "buyer_type": "local_authority", "region_code": "TLE"},
    )
    page = client.get(response.headers["Location"])
    assert heading(page) == "Leeds City Council"
    assert summary_list(page) == {
        "Name": "Leeds City Council",
        "Type": "Local authority",
        "Region": "Yorkshire and The Humber",
    }


def test_an_owner_changes_the_profile(client, forms, auth, owner, organisation):
    auth.sign_in(owner.email)
    url = f"/organisations/{organisation.id}/edit"
    page = client.get(url)
    assert input_value(page, "name") == "Riverside Community Care CIO"
    assert input_value(page, "local_authority_code") == "LDS"
    assert checked_radio(page, "supplier_type") == "cio"

    bad = forms.post(url, {**SUPPLIER_FORM, "supplier_type": "cic", "company_number": ""})
    assert error_summary(bad) == [
        ("Enter your company number: a company, including a CIC, has one", "#company_number")
    ]

    response = forms.post(
        url,
        {
            **SUPPLIER_FORM,
            "trading_name": "",
            "company_number": "sc123456",
            "local_authority_code": "MAN",
        },
    )
    page = client.get(response.headers["Location"])
    assert banner(page) == "Success Your changes have been saved."
    details = summary_list(page)
    assert details["Company number"] == "SC123456"
    assert details["Local authority"] == "Manchester"
    assert details["Region"] == "North West"


# --- Invitations ---------------------------------------------------------------------------------


def test_an_invited_person_signs_in_and_accepts(client, forms, auth, owner, organisation):
    auth.sign_in(owner.email)
    url = f"/organisations/{organisation.id}/invite"
    response = forms.post(url, {"email": "Nia@Example.org", "role": "member"})
    page = client.get(response.headers["Location"])
    assert banner(page) == "Success We have sent an invitation to nia@example.org."
    assert [row[:2] for row in table_rows(page, "invitations")] == [["nia@example.org", "Member"]]
    auth.sign_out()

    link = invitation_link()
    nia = make_user("nia@example.org", name="Nia Newbie")
    page = client.get(link)
    assert heading(page) == "Sign in to accept your invitation"
    sign_in = links(page)["Sign in"]
    assert parse_qs(urlsplit(sign_in).query)["next"] == [link]

    response = forms.post(
        sign_in, {"email": nia.email, "password": "correct horse battery"}, form_url="/sign-in"
    )
    assert response.headers["Location"] == link
    page = client.get(link)
    assert heading(page) == "Join Riverside Community Care CIO"
    assert "Olu Owner has invited you" in text(soup(page))

    response = forms.post(link)
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    page = client.get(response.headers["Location"])
    assert banner(page) == "Success You have joined Riverside Community Care CIO."
    assert ["Nia Newbie (you)", "nia@example.org", "Member"] in [
        row[:3] for row in table_rows(page, "members")
    ]
    assert table_rows(page, "invitations") == []

    # The link is used up.
    again = client.get(link)
    assert again.status_code == 302  # already a member: straight to the organisation


def test_the_wrong_person_cannot_accept(client, forms, auth, owner, organisation):
    invitations.invite_member(owner, organisation, "nia@example.org")
    link = invitation_link()
    stranger = make_user("stranger@example.org")
    auth.sign_in(stranger.email)

    page = client.get(link)
    assert page.status_code == 403
    assert heading(page) == "This invitation is for a different email address"
    assert "nia@example.org" in text(soup(page))
    response = forms.post(link, form_url="/organisations/new")
    assert response.status_code == 403
    assert membership_of(stranger, organisation) is None


def test_an_expired_invitation_says_so(client, auth, owner, organisation):
    invitations.invite_member(owner, organisation, "nia@example.org")
    link = invitation_link()
    make_user("nia@example.org")
    later = utcnow() + timedelta(days=8)
    with time_machine.travel(later, tick=False):
        auth.sign_in("nia@example.org")
        page = client.get(link)
    assert page.status_code == 410
    assert heading(page) == "This invitation has expired"
    assert "Ask an owner of Riverside Community Care CIO to invite you again" in text(soup(page))


def test_a_used_invitation_says_so_to_someone_else(client, auth, owner, organisation):
    _invitation, token = invitations.invite_member(owner, organisation, "nia@example.org")
    invitations.accept_invitation(make_user("nia@example.org"), token)
    stranger = make_user("stranger@example.org")
    auth.sign_in(stranger.email)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert heading(page) == "This invitation has already been used"


def test_a_cancelled_invitation_says_so(client, auth, owner, organisation):
    invitation, token = invitations.invite_member(owner, organisation, "nia@example.org")
    invitations.revoke_invitation(owner, invitation)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert heading(page) == "This invitation has been cancelled"


def test_a_made_up_invitation_link_is_not_found(client):
    page = client.get("/invitations/made-up")
    assert page.status_code == 404
    assert heading(page) == "This invitation link does not work"


def test_invite_form_errors(forms, auth, owner, member, organisation):
    auth.sign_in(owner.email)
    url = f"/organisations/{organisation.id}/invite"
    page = forms.post(url, {"email": "not an email", "role": "member"})
    assert error_summary(page) == [
        ("Enter an email address in the correct format, like name@example.com", "#email")
    ]
    assert input_value(page, "email") == "not an email"

    page = forms.post(url, {"email": member.email, "role": "member"})
    assert error_summary(page) == [
        ("mo@example.org is already a member of Riverside Community Care CIO", "#email")
    ]


def test_an_owner_cancels_an_invitation(client, forms, auth, owner, organisation):
    invitation, _token = invitations.invite_member(owner, organisation, "nia@example.org")
    auth.sign_in(owner.email)
    page = client.get(f"/organisations/{organisation.id}")
    cancel = links(page)["Cancel invitation to nia@example.org"]
    confirm = client.get(cancel)
    assert heading(confirm) == "Cancel the invitation to nia@example.org?"
    response = forms.post(cancel)
    page = client.get(response.headers["Location"])
    assert banner(page) == "Success The invitation to nia@example.org has been cancelled."
    assert table_rows(page, "invitations") == []
    db.session.expire_all()
    assert invitation.revoked_at is not None


# --- Removing people and handing over ------------------------------------------------------------


def test_an_owner_removes_a_member(client, forms, auth, owner, member, organisation):
    auth.sign_in(owner.email)
    page = client.get(f"/organisations/{organisation.id}")
    remove = links(page)["Remove Mo Member"]
    confirm = client.get(remove)
    assert heading(confirm) == "Are you sure you want to remove Mo Member?"
    response = forms.post(remove)
    page = client.get(response.headers["Location"])
    assert banner(page) == "Success Mo Member has been removed from Riverside Community Care CIO."
    assert [row[0] for row in table_rows(page, "members")] == ["Olu Owner (you)"]
    assert membership_of(member, organisation) is None


def test_the_only_owner_cannot_leave(client, forms, auth, owner, organisation):
    auth.sign_in(owner.email)
    leave = links(client.get(f"/organisations/{organisation.id}"))[
        "Leave Riverside Community Care CIO"
    ]
    page = forms.post(leave)
    assert page.status_code == 200
    assert error_summary(page) == [
        (
            "Riverside Community Care CIO must have an owner. Make someone else an owner first",
            "#submit",
        )
    ]
    assert membership_of(owner, organisation).role == Role.OWNER


def test_an_owner_hands_over_ownership(client, forms, auth, owner, member, organisation):
    auth.sign_in(owner.email)
    make_owner = links(client.get(f"/organisations/{organisation.id}"))["Make owner Mo Member"]
    confirm = client.get(make_owner)
    assert heading(confirm) == "Make Mo Member an owner?"
    response = forms.post(make_owner)
    page = client.get(response.headers["Location"])
    assert banner(page) == (
        "Success Mo Member is now an owner of Riverside Community Care CIO. You are now a member."
    )
    assert [row[:3] for row in table_rows(page, "members")] == [
        ["Mo Member", "mo@example.org", "Owner"],
        ["Olu Owner (you)", "olu@example.org", "Member"],
    ]
    # The former owner is a member now: no more owner actions.
    assert change_links(page) == []
    assert client.get(f"/organisations/{organisation.id}/invite").status_code == 403


def test_a_second_owner_can_leave(client, forms, auth, owner, organisation):
    other = make_user("oti@example.org", name="Oti Other")
    make_membership(organisation, other, "owner")
    auth.sign_in(other.email)
    leave = links(client.get(f"/organisations/{organisation.id}"))[
        "Leave Riverside Community Care CIO"
    ]
    assert heading(client.get(leave)).endswith(
        "Are you sure you want to leave Riverside Community Care CIO?"
    )
    response = forms.post(leave)
    assert response.headers["Location"] == "/organisations"
    page = client.get("/organisations")
    assert banner(page) == "Success You have left Riverside Community Care CIO."
    assert membership_of(other, organisation) is None


def test_names_are_shown_as_text_not_markup(client, auth, owner):
    organisation = make_organisation(
        owner=owner,
        name="<b>Bold</b> & Co",
        members=[make_user("x@example.org", name="<i>Ivy</i>")],
    )
    auth.sign_in(owner.email)
    for path in ("/organisations", f"/organisations/{organisation.id}"):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert "<b>Bold</b>" not in html and "<i>Ivy</i>" not in html
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    assert links(client.get("/organisations"))["<b>Bold</b> & Co"] == (
        f"/organisations/{organisation.id}"
    )
    assert "Remove <i>Ivy</i>" in links(client.get(f"/organisations/{organisation.id}"))


@pytest.mark.parametrize(
    "path, questions",
    [
        ("/organisations/new", ["What kind of organisation are you adding?"]),
        (
            "/organisations/new/supplier",
            [
                "Type of organisation",
                "How many paid staff does your organisation have?",
                "What is your organisation’s annual turnover?",
                "What is your organisation’s balance sheet total?",
            ],
        ),
        ("/organisations/new/buyer", ["Type of organisation", "Region"]),
    ],
)
def test_every_group_of_radios_asks_its_question(client, auth, owner, path, questions):
    auth.sign_in(owner.email)
    page = soup(client.get(path))
    assert [text(legend) for legend in page.select("fieldset legend")] == questions
    hints = [text(hint) for hint in page.select(".govuk-hint")]
    assert "None" not in hints and "" not in hints
    # Every input has a visible label or sits in a fieldset with a legend.
    for field in page.select("input:not([type=hidden]), select, textarea"):
        assert page.find("label", attrs={"for": field["id"]}) is not None, field


def test_the_invite_form_asks_what_they_can_do(client, auth, owner, organisation):
    auth.sign_in(owner.email)
    page = soup(client.get(f"/organisations/{organisation.id}/invite"))
    assert [text(legend) for legend in page.select("fieldset legend")] == ["What can they do?"]
    assert page.find("input", attrs={"name": "role", "checked": True})["value"] == "member"


# --- Links to the organisation's other pages -------------------------------------------------------


def test_an_organisations_page_links_to_its_documents_and_back(client, auth, owner):
    supplier = make_organisation(owner=owner)
    buyer = make_organisation("buyer", owner=owner)
    auth.sign_in(owner.email)

    supplier_page = client.get(f"/organisations/{supplier.id}")
    assert soup(supplier_page).find(id="documents-link")["href"] == (
        f"/organisations/{supplier.id}/documents"
    )
    # A supplier is also offered the DPSs it can apply to join; a buyer is not.
    assert soup(supplier_page).find(id="join-link")["href"] == f"/organisations/{supplier.id}/join"
    buyer_page = client.get(f"/organisations/{buyer.id}")
    assert soup(buyer_page).find(id="documents-link")["href"] == (
        f"/organisations/{buyer.id}/documents"
    )
    assert soup(buyer_page).find(id="join-link") is None

    library = client.get(f"/organisations/{supplier.id}/documents")
    assert heading(library) == "Documents"
    back = soup(library).select_one(".govuk-back-link")
    assert (back["href"], text(back)) == (
        f"/organisations/{supplier.id}",
        "Riverside Community Care CIO",
    )
