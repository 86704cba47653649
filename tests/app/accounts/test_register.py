"""Creating an account and confirming its email address."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from tests.app.accounts.helpers import (
    audit_types,
    banner,
    email_text,
    error_summary,
    fresh_client,
    heading,
    links_in,
    main_text,
    path_of,
)
from tests.conftest import Browserless
from tests.factories import make_user
from tests.reading import audit_events, emails

NEW_PASSWORD = "tangerine lighthouse walrus"


def register(forms, email="new@example.org", name="Nia New", password=NEW_PASSWORD):
    return forms.post("/register", {"name": name, "email": email, "password": password})


def users():
    return db.session.execute(sa.select(User)).scalars().all()


def test_register_emails_a_link_that_confirms_the_address_and_signs_in(app, client, forms, auth):
    response = register(forms, email="New@Example.org")
    assert response.status_code == 302
    assert path_of(response.location) == "/register/check-your-email"
    check = client.get(response.location)
    assert heading(check) == "Check your email"
    assert "new@example.org" in main_text(check)
    assert "If you open it on this device within 1 hour, you will be signed in" in main_text(check)

    [user] = users()
    assert user.email == "new@example.org"
    assert not user.is_confirmed

    [message] = emails("confirm_email")
    assert message.recipient == "new@example.org"
    assert "Hello Nia New" in email_text(message)
    [link] = [path for path in links_in(message) if path.startswith("/confirm/")]

    # Not confirmed yet: signing in is refused.
    assert auth.sign_in("new@example.org", NEW_PASSWORD).status_code == 200

    # Followed in the browser that registered: confirmed and signed in.
    confirmed = client.get(link)
    assert confirmed.status_code == 302
    assert path_of(confirmed.location) == "/organisations"
    assert "Your email address is confirmed and you are signed in" in banner(
        client.get(confirmed.location)
    )
    db.session.refresh(user)
    assert user.is_confirmed
    account = client.get("/account")
    assert account.status_code == 200
    assert "new@example.org" in main_text(account)

    # The password signs in too, from another browser.
    elsewhere = fresh_client(app)
    signed_in = Browserless(elsewhere).post(
        "/sign-in", {"email": "new@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert path_of(signed_in.location) == "/organisations"
    assert elsewhere.get("/account").status_code == 200
    assert audit_types() == ["register_account", "confirm_email", "sign_in", "sign_in"]


def test_registering_stores_an_argon2id_hash_not_the_password(forms):
    register(forms)
    [user] = users()
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


def test_registering_is_audited_with_the_new_account_as_actor(forms):
    register(forms)
    [user] = users()
    [event] = audit_events("register_account")
    assert (event.actor_id, event.subject_type, event.subject_id) == (user.id, "users", user.id)


def test_a_confirmation_link_that_has_been_tampered_with_does_not_work(client, forms):
    register(forms)
    [message] = emails("confirm_email")
    [link] = [path for path in links_in(message) if path.startswith("/confirm/")]
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 404
    assert heading(response) == "This link does not work"
    [user] = users()
    assert not user.is_confirmed


def test_a_confirmation_link_expires(app, client, forms, time_machine):
    register(forms)
    [message] = emails("confirm_email")
    [link] = [path for path in links_in(message) if path.startswith("/confirm/")]
    time_machine.move_to(utcnow() + timedelta(seconds=app.config["CONFIRM_TOKEN_MAX_AGE"] + 60))
    response = client.get(link)
    assert response.status_code == 400
    assert heading(response) == "This link has expired"
    assert "7 days" in main_text(response)
    [user] = users()
    assert not user.is_confirmed


def test_registering_an_existing_email_looks_the_same_and_emails_the_owner_instead(client, forms):
    make_user("sam@example.org")
    fresh = register(forms, email="nia@example.org")
    fresh_page = main_text(client.get(fresh.location))

    existing = register(forms, email="SAM@example.org", name="Someone Else")
    assert existing.status_code == fresh.status_code == 302
    assert existing.location == fresh.location
    existing_page = main_text(client.get(existing.location))
    assert heading(client.get(existing.location)) == "Check your email"
    # Word for word the same page, apart from the address it names.
    assert existing_page.replace("sam@example.org", "ADDRESS") == fresh_page.replace(
        "nia@example.org", "ADDRESS"
    )

    assert [u.email for u in users()] == ["sam@example.org", "nia@example.org"]
    assert [m.recipient for m in emails("confirm_email")] == ["nia@example.org"]
    [warning] = emails("account_exists")
    assert warning.recipient == "sam@example.org"
    assert {"/sign-in", "/forgot-password"} <= set(links_in(warning))
    # The existing account is untouched: its owner still signs in with their own password.
    [sam] = [u for u in users() if u.email == "sam@example.org"]
    assert sam.name == "Sam Supplier"


@pytest.mark.parametrize(
    "password, message",
    [
        ("short pw", "Password must be 10 characters or more"),
        ("password123", "Password is too easy to guess. Try three random words"),
        ("QWERTYUIOP", "Password is too easy to guess. Try three random words"),
        ("new@example.org", "Password is too easy to guess. Try three random words"),
        ("x" * 129, "Password must be 128 characters or fewer"),
    ],
)
def test_password_rules_are_explained(forms, password, message):
    response = register(forms, email="new@example.org", password=password)
    assert response.status_code == 200
    assert heading(response) == "Create an account"
    assert error_summary(response) == [message]
    assert users() == []
    assert emails() == []


def test_missing_answers_are_each_explained(forms):
    response = forms.post("/register", {"name": "", "email": "not-an-email", "password": ""})
    assert response.status_code == 200
    assert error_summary(response) == [
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a password",
    ]
    assert users() == []


def test_resend_gives_a_new_link_only_to_an_unconfirmed_account(client, forms):
    make_user("waiting@example.org", confirmed=False)
    make_user("done@example.org")
    for address in ("waiting@example.org", "done@example.org", "nobody@example.org"):
        response = forms.post("/confirm/resend", {"email": address})
        assert response.status_code == 302
        assert heading(client.get(response.location)) == "Check your email"
    assert [m.recipient for m in emails()] == ["waiting@example.org"]
    [link] = [p for p in links_in(emails()[0]) if p.startswith("/confirm/")]
    assert path_of(client.get(link).location) == "/sign-in"
