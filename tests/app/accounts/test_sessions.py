"""Sessions held on the server, sign-in limits that a stranger cannot turn against the owner, the
client's address behind a load balancer, and signing in while Redis is down (issue 15: 2, 5, 6, 7)."""

import logging
from datetime import timedelta

import pytest
import time_machine

from app.accounts.models import SignIn
from app.extensions import db
from app.timeutil import utcnow
from tests.app.accounts.helpers import error_summary, fresh_client
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user

WRONG = "Enter a correct email address and password"
HOME = "198.51.100.7"
STRANGER = "203.0.113.66"


def sign_in(client, email="sam@example.org", password=PASSWORD, address=None, headers=None):
    environ = {"REMOTE_ADDR": address} if address else {}
    return Browserless(client).post(
        "/sign-in",
        {"email": email, "password": password},
        environ_base=environ,
        headers=headers or {},
    )


def signed_in(client):
    return client.get("/account").status_code == 200


@pytest.fixture
def client(app):
    return fresh_client(app)


# 5. Signing out ends the session on the server


def test_a_copied_cookie_stops_working_when_its_session_signs_out(app, client):
    make_user("sam@example.org")
    assert sign_in(client).status_code == 302
    thief = fresh_client(app)
    thief.set_cookie("session", client.get_cookie("session").value)
    assert signed_in(thief)

    Browserless(client).post("/sign-out", form_url="/sign-out")

    assert not signed_in(client)
    assert not signed_in(thief), "the copied cookie still signs in after sign-out"
    with app.app_context():
        [row] = db.session.query(SignIn).all()
        assert row.ended_at is not None


def test_signing_out_in_one_browser_leaves_the_others_signed_in(app, client):
    make_user("sam@example.org")
    laptop, phone = client, fresh_client(app)
    sign_in(laptop)
    sign_in(phone)
    Browserless(laptop).post("/sign-out", form_url="/sign-out")
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_a_session_ends_on_the_server_after_its_lifetime(app, client):
    make_user("sam@example.org")
    with time_machine.travel(utcnow(), tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"] - 60))
        assert signed_in(client)
        clock.shift(timedelta(seconds=120))
        assert not signed_in(client)


def test_the_session_row_keeps_no_readable_address_or_token(app, client):
    make_user("sam@example.org")
    sign_in(client, address=HOME)
    with app.app_context():
        [row] = db.session.query(SignIn).all()
        token = client.get_cookie("session").value
        assert HOME not in row.address_hash
        assert len(row.token_hash) == 64 and row.token_hash not in token


# 7. A stranger's wrong passwords do not lock the owner out


def test_a_stranger_cannot_lock_the_owner_out_of_an_address_they_used_before(app, client):
    make_user("sam@example.org")
    owner = fresh_client(app)
    assert sign_in(owner, address=HOME).status_code == 302
    Browserless(owner).post("/sign-out", form_url="/sign-out", environ_base={"REMOTE_ADDR": HOME})

    for _ in range(5):
        assert error_summary(sign_in(client, password="guess", address=STRANGER)) == [WRONG]
    # The stranger is held up, even with the right password.
    assert sign_in(client, address=STRANGER).status_code == 429
    assert sign_in(fresh_client(app), address="203.0.113.67").status_code == 429
    # The owner, from home, is not.
    assert sign_in(owner, address=HOME).status_code == 302


def test_the_owners_own_address_still_has_its_limit(app, client):
    make_user("sam@example.org")
    assert sign_in(client, address=HOME).status_code == 302
    for _ in range(5):
        assert sign_in(client, password="guess", address=HOME).status_code == 200
    assert sign_in(client, address=HOME).status_code == 429


def test_an_address_seen_long_ago_counts_as_a_strangers(app, client):
    make_user("sam@example.org")
    days = app.config["KNOWN_ADDRESS_DAYS"]
    with time_machine.travel(utcnow() - timedelta(days=days + 1), tick=False):
        assert sign_in(fresh_client(app), address=HOME).status_code == 302
    for _ in range(5):
        sign_in(client, password="guess", address=STRANGER)
    assert sign_in(fresh_client(app), address=HOME).status_code == 429


# 6. Behind a load balancer


def test_without_trusted_proxies_a_forwarded_address_changes_nothing(app, make_app):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS="2 per 15 minutes")
    client = fresh_client(limited)
    for n in range(2):
        sign_in(client, email=f"p{n}@example.org", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    refused = sign_in(client, email="p9@example.org", headers={"X-Forwarded-For": "192.0.2.99"})
    assert refused.status_code == 429


def test_behind_one_trusted_proxy_each_client_has_its_own_limit(app, make_app):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS="2 per 15 minutes", TRUSTED_PROXIES=1)
    client = fresh_client(limited)
    balancer = "10.0.0.5"

    def through_proxy(client_address, email):
        return sign_in(
            client, email=email, address=balancer, headers={"X-Forwarded-For": client_address}
        )

    for n in range(2):
        assert through_proxy("192.0.2.1", f"a{n}@example.org").status_code == 200
    assert through_proxy("192.0.2.1", "a9@example.org").status_code == 429
    # Another client behind the same balancer is not held up by the first.
    assert through_proxy("192.0.2.2", "b@example.org").status_code == 200
    # A client cannot slip past by adding its own header: only the proxy's last hop counts.
    assert through_proxy("192.0.2.2, 192.0.2.1", "c@example.org").status_code == 429


# 2. Signing in while Redis is down


def test_signing_in_works_while_redis_is_down_and_limits_still_count(
    app, make_app, throwaway_redis, caplog
):
    outage = make_app(RATELIMIT_STORAGE_URI=throwaway_redis.url(0))
    make_user("sam@example.org")
    client = fresh_client(outage)
    assert sign_in(client).status_code == 302  # counted in Redis
    throwaway_redis.stop()

    with caplog.at_level(logging.WARNING):
        assert sign_in(fresh_client(outage)).status_code == 302
    assert "falling back to in-memory storage" in caplog.text

    stranger = fresh_client(outage)
    for _ in range(5):
        assert sign_in(stranger, password="guess", address=STRANGER).status_code == 200
    assert sign_in(stranger, password="guess", address=STRANGER).status_code == 429
    for path in ("/forgot-password", "/confirm/resend"):
        response = Browserless(fresh_client(outage)).post(path, {"email": "sam@example.org"})
        assert response.status_code in (200, 302), path


# A training room behind one address


def test_a_room_behind_one_address_can_all_sign_in(app, make_app):
    room = make_app(SIGNIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    for n in range(8):
        make_user(f"trainee{n}@example.org")
    for n in range(8):
        response = sign_in(fresh_client(room), email=f"trainee{n}@example.org", address=HOME)
        assert response.status_code == 302, n
    # Failures from the address still count against its own, lower limit.
    for _ in range(3):
        assert sign_in(fresh_client(room), email="x@example.org", address=HOME).status_code == 200
    assert sign_in(fresh_client(room), email="x@example.org", address=HOME).status_code == 429


def test_every_sign_in_from_an_address_counts_against_a_higher_limit(app, make_app):
    room = make_app(SIGNIN_ATTEMPTS_PER_ADDRESS="4 per 15 minutes")
    for n in range(5):
        make_user(f"trainee{n}@example.org")
    for n in range(4):
        assert sign_in(fresh_client(room), email=f"trainee{n}@example.org").status_code == 302
    assert sign_in(fresh_client(room), email="trainee4@example.org").status_code == 429
