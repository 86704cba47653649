"""The security the foundation promises: CSRF, safe redirects, sign-in rate limits, cookies,
sessions, headers and permissions."""

import pytest

import config
from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.urls import is_safe_redirect
from tests.app.accounts.helpers import (
    audit_types,
    error_summary,
    fresh_client,
    heading,
    is_govuk_page,
    page,
    path_of,
    with_next,
)
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user

WRONG = "Enter a correct email address and password"


@pytest.fixture
def client(app):
    """Each request in its own app context, as in production (see FreshContextClient)."""
    return fresh_client(app)


def sign_in(client, email="sam@example.org", password=PASSWORD, url="/sign-in"):
    return Browserless(client).post(url, {"email": email, "password": password})


def session_cookie(response):
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def attributes(set_cookie):
    return {part.strip().split("=")[0].lower(): part.strip() for part in set_cookie.split(";")[1:]}


def csp(response):
    policy = response.headers["Content-Security-Policy"]
    return {d.strip().split()[0]: d.strip().split()[1:] for d in policy.split(";") if d.strip()}


def nonce_of(response):
    [nonce] = [
        s[len("'nonce-") : -1] for s in csp(response)["script-src"] if s.startswith("'nonce-")
    ]
    return nonce


# CSRF


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(client):
    make_user("sam@example.org")
    response = client.post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert heading(response) == "Your form has expired"
    assert "Nothing has been saved" in page(response).find("main").get_text()
    assert client.get("/account").status_code == 302
    assert audit_types() == []


def test_a_form_posted_with_a_forged_csrf_token_is_refused(client):
    response = client.post(
        "/register",
        data={
            "csrf_token": "forged",
            "name": "Nia New",
            "email": "new@example.org",
            "password": "tangerine lighthouse walrus",
        },
    )
    assert response.status_code == 400
    assert heading(response) == "Your form has expired"
    assert db.session.query(User).count() == 0


# Redirects after sign-in


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        " //evil.example",
        "https:evil.example",
        "http://localhost@evil.example/",
    ],
)
def test_sign_in_never_sends_a_person_to_another_site(client, target):
    make_user("sam@example.org")
    response = sign_in(client, url=with_next("/sign-in", target))
    assert response.status_code == 302
    assert path_of(response.location) == "/organisations"


def test_sign_in_follows_a_next_page_on_this_site(client):
    make_user("sam@example.org")
    response = sign_in(client, url=with_next("/sign-in", "/account?tab=1"))
    assert path_of(response.location) == "/account?tab=1"


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/account", True),
        ("/organisations/3?tab=members#people", True),
        ("", False),
        (None, False),
        ("account", False),
        (" /account", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("/ok\nLocation: x", False),
        ("https://localhost/account", False),
    ],
)
def test_is_safe_redirect_allows_only_paths_on_this_site(target, safe):
    assert is_safe_redirect(target) is safe


# Rate limits on signing in


def test_the_sixth_failed_sign_in_for_one_account_is_refused(app, client):
    assert app.config["SIGNIN_LIMIT_PER_ACCOUNT"] == "5 per 15 minutes"
    make_user("sam@example.org")
    for _ in range(5):
        response = sign_in(client, password="not the right password")
        assert response.status_code == 200
        assert error_summary(response) == [WRONG]

    refused = sign_in(client, password="not the right password")
    assert refused.status_code == 429
    assert heading(refused) == "Too many attempts"
    message = page(refused).find("main").find("p").get_text(" ", strip=True)
    assert message.startswith("You have tried too many times. Wait 15 minutes")
    # Even the right password waits: the account is being guessed at.
    assert sign_in(client, email="Sam@Example.org").status_code == 429
    assert client.get("/account").status_code == 302

    # Another account from the same address is not held up by it.
    make_user("kim@example.org")
    other = sign_in(client, email="kim@example.org")
    assert other.status_code == 302
    assert path_of(other.location) == "/organisations"


def test_successful_sign_ins_do_not_count_towards_the_account_limit(client):
    make_user("sam@example.org")
    for _ in range(6):
        assert sign_in(client).status_code == 302
    for _ in range(5):
        assert sign_in(client, password="not the right password").status_code == 200
    assert sign_in(client, password="not the right password").status_code == 429


def test_too_many_sign_ins_from_one_address_are_refused(app, make_app):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    client = fresh_client(limited)
    for n in range(3):
        response = sign_in(client, email=f"person{n}@example.org")
        assert response.status_code == 200
        assert error_summary(response) == [WRONG]
    refused = sign_in(client, email="person9@example.org")
    assert refused.status_code == 429
    assert heading(refused) == "Too many attempts"
    # Only signing in is limited: the rest of the site still works from that address.
    assert client.get("/sign-in").status_code == 200


def test_the_address_limit_counts_per_address(app, make_app):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS="2 per 15 minutes")
    first, second = fresh_client(limited), fresh_client(limited)
    for _ in range(2):
        sign_in(first, email="a@example.org")
    assert sign_in(first, email="a@example.org").status_code == 429
    elsewhere = Browserless(second).post(
        "/sign-in",
        {"email": "b@example.org", "password": "x"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert elsewhere.status_code == 200


def test_every_rate_limit_is_on_a_post_as_the_limiter_skips_pages_that_are_read(app):
    # ``app.extensions._reading`` lets every GET and HEAD past the limiter unresolved: a limit
    # on either would never count. (Flask-Limiter keeps the declared limits in its manager.)
    from app.extensions import limiter

    declared = [
        (route, limit)
        for route, limits in limiter.limit_manager._decorated_limits.items()
        for limit in limits
    ]
    assert len(declared) >= 6  # signing in, emailed links, following a search
    manager = limiter.limit_manager
    declared += [("default", limit) for limit in manager.default_limits]
    declared += [("application", limit) for limit in manager.application_limits]
    declared += [
        (blueprint, limit)
        for blueprint, limits in manager._blueprint_limits.items()
        for limit in limits
    ]
    for route, limit in declared:
        assert limit.methods, route
        assert not {"get", "head"} & {method.lower() for method in limit.methods}, route


def test_reading_a_page_never_counts_towards_a_limit(app, make_app):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS="2 per 15 minutes")
    client = fresh_client(limited)
    for _ in range(5):
        assert client.get("/sign-in").status_code == 200
    for n in range(2):
        assert sign_in(client, email=f"person{n}@example.org").status_code == 200
    assert sign_in(client, email="person9@example.org").status_code == 429


# Cookies and sessions


def test_the_session_cookie_is_httponly_samesite_lax_and_secure(app, client):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    make_user("sam@example.org")
    response = sign_in(client)
    assert response.status_code == 302
    flags = attributes(session_cookie(response))
    assert "httponly" in flags
    assert flags["samesite"] == "SameSite=Lax"
    assert "secure" in flags


def test_in_development_the_session_cookie_is_not_secure_and_there_is_no_hsts(app, test_config):
    dev = create_app("development", dict(test_config))
    try:
        assert dev.config["SESSION_COOKIE_SECURE"] is False
        client = fresh_client(dev)
        make_user("sam@example.org")
        response = sign_in(client)
        assert response.status_code == 302
        flags = attributes(session_cookie(response))
        assert "secure" not in flags
        assert "httponly" in flags
        assert flags["samesite"] == "SameSite=Lax"
        assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    finally:
        with dev.app_context():
            db.engine.dispose()


def test_signing_in_starts_a_fresh_session(client):
    make_user("sam@example.org")
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value

    sign_in(client)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


# Headers


def test_pages_carry_the_security_headers(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def _check_scripts_carry_the_nonce(response):
    nonce = nonce_of(response)
    assert len(nonce) >= 16
    scripts = page(response).find_all("script")
    inline = [s for s in scripts if not s.get("src")]
    modules = [s for s in scripts if s.get("type") == "module"]
    assert inline and modules
    assert {s.get("nonce") for s in scripts} == {nonce}


def test_the_csp_nonce_matches_the_scripts_on_the_page_and_changes_each_time(client):
    first, second = client.get("/sign-in"), client.get("/sign-in")
    _check_scripts_carry_the_nonce(first)
    _check_scripts_carry_the_nonce(second)
    assert nonce_of(first) != nonce_of(second)


def test_error_pages_carry_a_working_nonce_too(client, make_app):
    _check_scripts_carry_the_nonce(client.get("/no-such-page"))
    refused = client.post("/sign-in", data={})  # refused by CSRF before any view runs
    assert refused.status_code == 400
    _check_scripts_carry_the_nonce(refused)
    limited = fresh_client(make_app(SIGNIN_LIMIT_PER_ADDRESS="1 per 15 minutes"))
    sign_in(limited, email="a@example.org")
    too_many = sign_in(limited, email="a@example.org")
    assert too_many.status_code == 429
    _check_scripts_carry_the_nonce(too_many)


def test_hsts_is_sent_in_test_and_production_settings(app):
    assert app.config["HSTS"] is True
    assert config.ProductionConfig.HSTS is True
    assert config.DevelopmentConfig.HSTS is False


# Permissions


def test_a_supplier_cannot_see_the_audit_log(client):
    make_user("sam@example.org")
    sign_in(client)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert heading(response) == "You do not have permission to see this page"
    assert is_govuk_page(response)


def test_a_signed_out_person_is_sent_to_sign_in_from_the_audit_log(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302
    assert path_of(response.location) == "/sign-in?next=%2Fadmin%2Faudit"


def test_an_administrator_can_see_the_audit_log(client):
    make_user("ops@example.org", admin=True)
    sign_in(client, email="ops@example.org")
    assert client.get("/admin/audit").status_code == 200


def test_a_json_client_gets_a_json_error(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "error": {
            "status": 404,
            "title": "Page not found",
            "message": "If you typed the web address, check it is correct.",
        }
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_emailed_links_are_rate_limited_per_address_asked_for(make_app):
    """Nobody can flood someone else's inbox with reset or confirmation links."""
    app = make_app(EMAIL_LINK_LIMIT_PER_ACCOUNT="2 per hour")
    forms = Browserless(app.test_client())
    for _ in range(2):
        assert forms.post("/forgot-password", {"email": "victim@example.org"}).status_code == 200
    refused = forms.post("/forgot-password", {"email": "victim@example.org"})
    assert refused.status_code == 429
    assert forms.post("/forgot-password", {"email": "other@example.org"}).status_code == 200
    for _ in range(2):
        forms.post("/confirm/resend", {"email": "victim2@example.org"})
    assert forms.post("/confirm/resend", {"email": "victim2@example.org"}).status_code == 429
