"""Forgotten passwords, reset links and changing a password."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from app.accounts.models import User
from app.extensions import db
from app.timeutil import utcnow
from tests.app.accounts.helpers import (
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
from tests.factories import PASSWORD, make_user
from tests.reading import audit_events, emails

NEW_PASSWORD = "marmalade otter lantern"


@pytest.fixture
def other_client(app):
    """A second browser, signed in separately."""
    return fresh_client(app)


def sign_in(client, email="sam@example.org", password=PASSWORD):
    return Browserless(client).post("/sign-in", {"email": email, "password": password})


def reset_link(recipient="sam@example.org"):
    [message] = emails("reset_password", recipient)
    [link] = [p for p in links_in(message) if p.startswith("/reset-password/")]
    return link


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


# Forgotten password


def test_forgotten_password_page_is_the_same_for_an_unknown_email_and_sends_nothing(forms):
    make_user("sam@example.org")
    known = forms.post("/forgot-password", {"email": "sam@example.org"})
    unknown = forms.post("/forgot-password", {"email": "nobody@example.org"})
    for response in (known, unknown):
        assert response.status_code == 200
        assert heading(response) == "Check your email"
    assert main_text(known).replace("sam@example.org", "ADDRESS") == main_text(unknown).replace(
        "nobody@example.org", "ADDRESS"
    )
    assert [m.recipient for m in emails()] == ["sam@example.org"]
    assert "60 minutes" in email_text(emails()[0])


def test_a_reset_link_sets_a_new_password_and_works_only_once(client, forms, auth):
    user = make_user("sam@example.org")
    forms.post("/forgot-password", {"email": "sam@example.org"})
    link = reset_link()

    form = client.get(link)
    assert form.status_code == 200
    assert heading(form) == "Choose a new password"
    response = forms.post(link, {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert path_of(response.location) == "/sign-in"
    assert "Your password has been changed" in banner(client.get(response.location))

    assert reload(user).password_hash.startswith("$argon2id$")
    assert error_summary(auth.sign_in("sam@example.org", PASSWORD)) == [
        "Enter a correct email address and password"
    ]
    assert path_of(auth.sign_in("sam@example.org", NEW_PASSWORD).location) == "/organisations"

    again = client.get(link)
    assert again.status_code == 404
    assert heading(again) == "This link does not work"
    assert client.post(link, data={"password": "another good password"}).status_code in (400, 404)
    assert [
        e.event_type
        for e in audit_events()
        if e.event_type in ("request_password_reset", "reset_password")
    ] == ["request_password_reset", "reset_password"]


def test_a_reset_link_expires(app, client, forms, time_machine):
    user = make_user("sam@example.org")
    forms.post("/forgot-password", {"email": "sam@example.org"})
    link = reset_link()
    time_machine.move_to(utcnow() + timedelta(seconds=app.config["RESET_TOKEN_MAX_AGE"] + 1))
    response = client.get(link)
    assert response.status_code == 400
    assert heading(response) == "This link has expired"
    assert "1 hour" in main_text(response)
    before = reload(user).password_hash
    posted = client.post(link, data={"password": NEW_PASSWORD})
    assert posted.status_code == 400
    assert reload(user).password_hash == before


def test_a_short_reset_max_age_is_honoured(make_app, app, time_machine):
    short = make_app(RESET_TOKEN_MAX_AGE=120)
    client = fresh_client(short)
    make_user("sam@example.org")
    sent = Browserless(client).post("/forgot-password", {"email": "sam@example.org"})
    assert "The link works for 2 minutes" in main_text(sent)
    with short.app_context():
        link = reset_link()
        assert "2 minutes" in email_text(emails("reset_password")[0])
    assert client.get(link).status_code == 200
    time_machine.move_to(utcnow() + timedelta(seconds=121))
    expired = client.get(link)
    assert heading(expired) == "This link has expired"
    assert "Links to reset your password work for 2 minutes" in main_text(expired)


def test_resetting_the_password_signs_out_every_other_session(client, forms, other_client):
    user = make_user("sam@example.org")
    sign_in(other_client)
    assert other_client.get("/account").status_code == 200
    version = user.session_version

    forms.post("/forgot-password", {"email": "sam@example.org"})
    forms.post(reset_link(), {"password": NEW_PASSWORD})

    assert reload(user).session_version == version + 1
    response = other_client.get("/account")
    assert response.status_code == 302
    assert path_of(response.location).startswith("/sign-in")


def test_a_reset_password_must_meet_the_rules(forms):
    user = make_user("sam@example.org")
    forms.post("/forgot-password", {"email": "sam@example.org"})
    link = reset_link()
    response = forms.post(link, {"password": "sam@example.org"})
    assert response.status_code == 200
    assert error_summary(response) == ["Password is too easy to guess. Try three random words"]
    assert reload(user).session_version == user.session_version
    # The link still works: nothing was changed.
    assert forms.post(link, {"password": NEW_PASSWORD}).status_code == 302


def test_following_a_reset_link_confirms_the_address(forms):
    user = make_user("new@example.org", confirmed=False)
    forms.post("/forgot-password", {"email": "new@example.org"})
    forms.post(reset_link("new@example.org"), {"password": NEW_PASSWORD})
    assert reload(user).is_confirmed


# Changing a password


def test_changing_password_needs_the_current_one(client, auth, forms):
    user = make_user("sam@example.org")
    auth.sign_in("sam@example.org")
    before = user.password_hash
    response = forms.post(
        "/account/change-password",
        {"current_password": "not my password", "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert heading(response) == "Change your password"
    assert error_summary(response) == ["Your current password is not correct"]
    assert reload(user).password_hash == before
    assert emails() == []
    assert audit_events("change_password") == []


@pytest.mark.parametrize(
    "password, message",
    [
        ("too short", "Password must be 10 characters or more"),
        ("1234567890", "Password is too easy to guess. Try three random words"),
        ("Sam@Example.org", "Password is too easy to guess. Try three random words"),
    ],
)
def test_a_changed_password_must_meet_the_rules(auth, forms, password, message):
    make_user("sam@example.org")
    auth.sign_in("sam@example.org")
    response = forms.post(
        "/account/change-password", {"current_password": PASSWORD, "password": password}
    )
    assert error_summary(response) == [message]


def test_changing_password_keeps_this_session_and_signs_out_the_others(
    client, auth, forms, other_client
):
    user = make_user("sam@example.org")
    sign_in(other_client)
    auth.sign_in("sam@example.org")

    response = forms.post(
        "/account/change-password", {"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert path_of(response.location) == "/account"
    account = client.get("/account")
    assert account.status_code == 200
    assert "Your password has been changed" in banner(account)

    elsewhere = other_client.get("/account")
    assert elsewhere.status_code == 302
    assert path_of(elsewhere.location).startswith("/sign-in")

    changed = reload(user)
    assert changed.password_hash.startswith("$argon2id$")
    [message] = emails("password_changed")
    assert message.recipient == "sam@example.org"
    assert "/forgot-password" in links_in(message)
    [event] = audit_events("change_password")
    assert event.actor_id == user.id
    # The new password works, the old one does not.
    assert path_of(sign_in(other_client, password=NEW_PASSWORD).location) == "/organisations"


def test_changing_password_needs_a_signed_in_person(client):
    response = client.get("/account/change-password")
    assert response.status_code == 302
    assert path_of(response.location).startswith("/sign-in")


@pytest.mark.parametrize("env", ["production", "development"])
def test_outside_the_test_suite_passwords_take_the_full_argon2id_cost(env):
    """The cheap parameters the suite uses never reach a real deployment."""
    script = (
        "from app.accounts import passwords; h = passwords._hasher; "
        "print(h.time_cost, h.memory_cost, h.parallelism)"
    )
    environ = {**os.environ, "APP_ENV": env}
    out = subprocess.run(
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["3", "65536", "4"]
