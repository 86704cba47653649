"""Signing in and out."""

from tests.app.accounts.helpers import (
    audit_types,
    banner,
    error_summary,
    heading,
    page,
    path_of,
    with_next,
)
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user
from tests.reading import audit_events

WRONG = "Enter a correct email address and password"


def test_sign_in_takes_a_confirmed_person_to_their_organisations(client, auth):
    user = make_user("sam@example.org")
    response = auth.sign_in("SAM@example.org ", PASSWORD)
    assert response.status_code == 302
    assert path_of(response.location) == "/organisations"
    assert client.get("/account").status_code == 200
    [event] = audit_events("sign_in")
    assert event.actor_id == user.id
    assert event.detail["ip"] == "127.0.0.1"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, auth):
    make_user("sam@example.org")
    wrong_password = auth.sign_in("sam@example.org", "not the right password")
    unknown_email = auth.sign_in("nobody@example.org", "not the right password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert heading(response) == "Sign in"
        assert error_summary(response) == [WRONG]
    # Nothing on either page tells them apart, bar the address typed into the form.
    assert (
        page(wrong_password).select_one("main form").get_text()
        == page(unknown_email).select_one("main form").get_text()
    )
    assert client.get("/account").status_code == 302


def test_failed_sign_ins_are_audited_with_the_address_tried(auth):
    user = make_user("sam@example.org")
    auth.sign_in("sam@example.org", "not the right password")
    auth.sign_in("nobody@example.org", "not the right password")
    known, unknown = audit_events("sign_in_failed")
    assert (known.subject_id, known.detail["email"]) == (user.id, "sam@example.org")
    assert (unknown.subject_id, unknown.detail["email"]) == (None, "nobody@example.org")
    assert audit_types() == ["sign_in_failed", "sign_in_failed"]


def test_signing_in_before_confirming_is_refused_with_a_way_forward(client, auth):
    make_user("new@example.org", confirmed=False)
    response = auth.sign_in("new@example.org", PASSWORD)
    assert response.status_code == 200
    assert error_summary(response) == ["Confirm your email address first: use the link we sent you"]
    links = {a.get_text(strip=True): a["href"] for a in page(response).select("main a")}
    assert links["Get a new confirmation link"] == "/confirm/resend"
    assert client.get("/account").status_code == 302
    assert "sign_in" not in audit_types()


def test_empty_answers_are_explained(forms):
    response = forms.post("/sign-in", {"email": "", "password": ""})
    assert response.status_code == 200
    assert error_summary(response) == ["Enter your email address", "Enter your password"]


def test_sign_out_ends_the_session(client, auth):
    make_user("sam@example.org")
    auth.sign_in("sam@example.org")
    assert heading(client.get("/sign-out")) == "Sign out"
    response = auth.sign_out()
    assert path_of(response.location) == "/"
    assert "You have signed out" in banner(client.get("/"))
    account = client.get("/account")
    assert path_of(account.location).startswith("/sign-in")
    assert audit_types() == ["sign_in", "sign_out"]


def test_a_signed_out_person_is_sent_to_sign_in_and_back_again(client, auth):
    make_user("sam@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert path_of(response.location) == "/sign-in?next=%2Faccount"
    assert "Sign in to continue" in banner(client.get(response.location))
    signed_in = Browserless(client).post(
        with_next("/sign-in", "/account"), {"email": "sam@example.org", "password": PASSWORD}
    )
    assert path_of(signed_in.location) == "/account"
