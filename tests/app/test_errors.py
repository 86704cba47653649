"""Every error is a GOV.UK page with the right status and a heading, never Werkzeug's default."""

import pytest
import sqlalchemy as sa
from flask import abort

from app.extensions import db
from tests.app.accounts.helpers import fresh_client, heading, is_govuk_page, page, path_of
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user


@pytest.fixture
def client(app):
    return fresh_client(app)


def check_error_page(response, status, title):
    assert response.status_code == status
    assert is_govuk_page(response), response.get_data(as_text=True)[:500]
    assert heading(response) == title
    html = page(response)
    assert html.title.get_text(strip=True).startswith(title)
    # A way on: the contact address and the start page.
    links = {a["href"] for a in html.select("main a")}
    assert "/" in links and any(href.startswith("mailto:") for href in links)
    text = response.get_data(as_text=True)
    assert "Werkzeug" not in text and "Traceback" not in text


@pytest.fixture
def failing_app(make_app, app):
    """An app with routes that fail in each way, on the test services."""
    failing = make_app()

    @failing.route("/boom")
    def boom():
        raise RuntimeError("something broke")

    @failing.route("/abort/<int:status>")
    def aborts(status):
        abort(status)

    return failing


def test_400_bad_request(failing_app):
    check_error_page(
        fresh_client(failing_app).get("/abort/400"), 400, "There is a problem with your request"
    )


def test_400_expired_form(client):
    check_error_page(
        client.post("/sign-in", data={"email": "a@example.org"}), 400, "Your form has expired"
    )


def test_403_forbidden(failing_app):
    check_error_page(
        fresh_client(failing_app).get("/abort/403"),
        403,
        "You do not have permission to see this page",
    )


def test_404_not_found(client):
    check_error_page(client.get("/no-such-page"), 404, "Page not found")


def test_405_method_not_allowed_keeps_the_allow_header(client):
    response = client.put("/")
    check_error_page(response, 405, "Sorry, you cannot do that here")
    assert "GET" in response.headers["Allow"]


def test_413_request_too_large(make_app, app):
    small = make_app(MAX_CONTENT_LENGTH=10)
    response = fresh_client(small).post(
        "/sign-in", data={"email": "someone@example.org", "password": "x" * 100}
    )
    check_error_page(response, 413, "The file is too large")


def test_the_request_size_limit_leaves_room_for_the_largest_upload(app):
    assert app.config["MAX_CONTENT_LENGTH"] > app.config["MAX_UPLOAD_BYTES"]
    assert app.config["MAX_CONTENT_LENGTH"] <= app.config["MAX_UPLOAD_BYTES"] + 2 * 1024 * 1024


@pytest.mark.parametrize(
    "limit, wait",
    [
        ("1 per 15 minutes", "Wait 15 minutes"),
        ("1 per hour", "Wait 60 minutes"),
        ("1 per day", "Wait 24 hours"),
    ],
)
def test_429_too_many_requests_says_how_long_to_wait(make_app, app, limit, wait):
    limited = make_app(SIGNIN_LIMIT_PER_ADDRESS=limit)
    forms = Browserless(fresh_client(limited))
    forms.post("/sign-in", {"email": "a@example.org", "password": "x"})
    response = forms.post("/sign-in", {"email": "a@example.org", "password": "x"})
    check_error_page(response, 429, "Too many attempts")
    assert f"{wait}, then try again" in page(response).find("main").get_text()


def test_500_unexpected_error(failing_app, caplog):
    response = fresh_client(failing_app).get("/boom")
    check_error_page(response, 500, "Sorry, there is a problem with the service")
    assert "something broke" not in response.get_data(as_text=True)
    assert "unhandled error on GET /boom" in caplog.text


@pytest.mark.parametrize("status", [401, 410, 415, 422, 501, 503])
def test_other_errors_get_the_service_page_too(failing_app, status):
    response = fresh_client(failing_app).get(f"/abort/{status}")
    assert response.status_code == status
    assert is_govuk_page(response)
    assert heading(response)


def test_errors_for_json_clients_are_json(failing_app):
    client = fresh_client(failing_app)
    response = client.get("/boom", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.get_json()["error"]["title"] == "Sorry, there is a problem with the service"
    response = client.get("/abort/403", headers={"Accept": "application/json"})
    assert response.get_json()["error"]["status"] == 403


def test_a_failed_transaction_does_not_break_the_error_page(failing_app, app):
    @failing_app.route("/bad-sql")
    def bad_sql():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))

    make_user("sam@example.org")
    client = fresh_client(failing_app)
    Browserless(client).post("/sign-in", {"email": "sam@example.org", "password": PASSWORD})
    # The page loads the signed-in person (for the navigation) after the statement has failed.
    response = client.get("/bad-sql")
    check_error_page(response, 500, "Sorry, there is a problem with the service")
    assert "Sign out" in page(response).select_one(".app-header__account").get_text()
    assert client.get("/account").status_code == 200


def test_a_redirect_is_not_treated_as_an_error(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert path_of(response.location).startswith("/sign-in")


@pytest.mark.parametrize(
    "url",
    [
        "/opportunities/99999999999999999999999",
        "/opportunities/99999999999999999999999/bid",
        "/contracts/2147483648",
    ],
)
def test_an_id_no_database_holds_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_an_organisation_filter_no_database_holds_is_ignored(client):
    assert client.get("/contracts?buyer=99999999999999999999999").status_code == 200
