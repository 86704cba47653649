"""Confirming the email address signs the new person in (issue 20), safely: only the link sent on
registering, only in the browser that registered, only within CONFIRM_SIGN_IN_MAX_AGE, only while
the password is the one chosen then, and only once (never after anyone has signed in). The session
is a fresh one held on the server, as signing in with a password gives."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import SignIn, User
from app.accounts.views import REGISTERING_KEY
from app.extensions import db
from app.timeutil import utcnow
from tests.app.accounts.helpers import banner, fresh_client, links_in, path_of
from tests.conftest import Browserless
from tests.reading import audit_events, emails

PASSWORD = "tangerine lighthouse walrus"
EMAIL = "nia@example.org"


@pytest.fixture
def client(app):
    return fresh_client(app)


def register(client):
    response = Browserless(client).post(
        "/register", {"name": "Nia New", "email": EMAIL, "password": PASSWORD}
    )
    assert path_of(response.location) == "/register/check-your-email"
    return confirm_link()


def confirm_link():
    message = emails("confirm_email", recipient=EMAIL)[-1]
    [link] = [path for path in links_in(message) if path.startswith("/confirm/")]
    return link


def signed_in(client):
    return client.get("/account").status_code == 200


def user():
    db.session.expire_all()
    return db.session.execute(sa.select(User).where(User.email == EMAIL)).scalar_one()


def sign_ins():
    db.session.expire_all()
    return db.session.execute(sa.select(SignIn)).scalars().all()


# --- Pages ----------------------------------------------------------------------------------------


def test_the_link_in_the_registering_browser_signs_in_with_a_fresh_session_held_on_the_server(
    app, client
):
    link = register(client)
    with client.session_transaction() as before:
        assert before.get(REGISTERING_KEY) and before.get("check_email") == EMAIL
    before_cookie = client.get_cookie("session").value

    response = client.get(link, environ_base={"REMOTE_ADDR": "198.51.100.7"})

    assert path_of(response.location) == "/organisations"
    assert "confirmed and you are signed in" in banner(client.get(response.location))
    assert signed_in(client)
    # A fresh session: nothing carried over from before, so the link's secret is spent too.
    with client.session_transaction() as after:
        assert REGISTERING_KEY not in after and "check_email" not in after
    assert client.get_cookie("session").value != before_cookie
    # The cookie from before signing in signs nobody in.
    old = fresh_client(app)
    old.set_cookie("session", before_cookie)
    assert not signed_in(old)
    # Held on the server, from the address it came from, as a password sign-in is.
    [row] = sign_ins()
    assert row.user_id == user().id and row.ended_at is None
    assert services.sessions.is_known_address(EMAIL, "198.51.100.7")
    assert user().is_confirmed and user().last_signed_in_at is not None
    confirm, sign_in = audit_events()[-2:]
    assert (confirm.event_type, sign_in.event_type) == ("confirm_email", "sign_in")
    assert sign_in.detail["by"] == "confirmation_link"
    assert sign_in.actor_id == user().id


def test_signing_out_ends_a_session_the_link_started(app, client):
    link = register(client)
    client.get(link)
    thief = fresh_client(app)
    thief.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(thief)

    Browserless(client).post("/sign-out", form_url="/sign-out")

    assert not signed_in(client) and not signed_in(thief)
    [row] = sign_ins()
    assert row.ended_at is not None


def test_the_link_signs_in_once(client):
    link = register(client)
    client.get(link)
    Browserless(client).post("/sign-out", form_url="/sign-out")

    again = client.get(link)

    assert path_of(again.location) == "/sign-in"
    assert not signed_in(client)
    assert [e.detail.get("by") for e in audit_events("sign_in")] == ["confirmation_link"]


def test_in_another_browser_the_link_only_confirms(app, client):
    link = register(client)
    other = fresh_client(app)

    response = other.get(link)

    assert path_of(response.location) == "/sign-in"
    assert "Your email address is confirmed. Sign in to continue." in banner(
        other.get(response.location)
    )
    assert not signed_in(other)
    assert user().is_confirmed and sign_ins() == []
    # Someone who opened it first elsewhere (a mail scanner, say) did not use it up.
    assert path_of(client.get(link).location) == "/organisations"
    assert signed_in(client)


def test_a_link_older_than_the_sign_in_window_only_confirms(app, client, time_machine):
    link = register(client)
    time_machine.move_to(utcnow() + timedelta(seconds=app.config["CONFIRM_SIGN_IN_MAX_AGE"] + 60))

    response = client.get(link)

    assert path_of(response.location) == "/sign-in"
    assert not signed_in(client)
    assert user().is_confirmed and sign_ins() == []


def test_after_a_password_sign_in_the_link_no_longer_signs_in(app, client):
    link = register(client)
    elsewhere = fresh_client(app)
    elsewhere.get(link)  # confirms
    Browserless(elsewhere).post("/sign-in", {"email": EMAIL, "password": PASSWORD})
    assert signed_in(elsewhere)

    assert path_of(client.get(link).location) == "/sign-in"
    assert not signed_in(client)


def test_after_the_password_is_reset_the_link_no_longer_signs_in(client):
    link = register(client)
    services.request_password_reset(EMAIL)
    [message] = emails("reset_password")
    token = message.personalisation["reset_url"].rsplit("/", 1)[1]
    services.reset_password(token, "a brand new passphrase")

    assert path_of(client.get(link).location) == "/sign-in"
    assert not signed_in(client)


def test_a_link_asked_for_again_only_confirms(client):
    register(client)
    Browserless(client).post("/confirm/resend", {"email": EMAIL})
    resent = confirm_link()

    assert path_of(client.get(resent).location) == "/sign-in"
    assert not signed_in(client)
    assert user().is_confirmed


# --- The service ----------------------------------------------------------------------------------


def _registered(browser="this browser"):
    services.register(EMAIL, "Nia New", PASSWORD, browser=browser)
    return confirm_link().rsplit("/", 1)[1]


def test_confirming_signs_in_only_with_the_registering_browsers_secret(app):
    token = _registered()
    with app.test_request_context():
        assert services.confirm_email(token, browser=None)[1] is False
        assert services.confirm_email(token, browser="another browser")[1] is False
        found, signed_in_now = services.confirm_email(token, browser="this browser")
        assert signed_in_now is True and found.email == EMAIL
        assert services.confirm_email(token, browser="this browser")[1] is False
    assert len(audit_events("confirm_email")) == 1
    assert len(audit_events("sign_in")) == 1


def test_two_tabs_following_the_link_at_once_sign_in_only_once(app):
    """The second request read the account before the first signed in: the conditional update
    still refuses it."""
    token = _registered()
    with app.test_request_context():
        stale = user()
        assert stale.last_signed_in_at is None
        # The other tab signs in and commits, behind this session's back.
        with db.engine.begin() as other:
            other.execute(
                sa.update(User).where(User.id == stale.id).values(last_signed_in_at=utcnow())
            )
        assert db.session.get(User, stale.id).last_signed_in_at is None  # still stale here
        assert services.confirm_email(token, browser="this browser")[1] is False
    assert sign_ins() == []
    assert audit_events("sign_in") == []
