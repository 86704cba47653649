"""What comes in from outside (app/incoming.py): a NUL byte (or a lone surrogate) in a query
parameter, a form field, an uploaded file's name or a JSON body is removed before anything reads
it, on PostgreSQL and SQLite alike; in a route's own argument it is a 404. Every form the app has
is tried in tests/app/test_hostile_input.py."""

import io

import sqlalchemy as sa
from flask import request

from app.accounts.models import User
from app.extensions import db
from tests.app.accounts.helpers import fresh_client
from tests.conftest import Browserless
from tests.pages import input_value, soup

PASSWORD = "tangerine lighthouse walrus"


def register(client, name):
    return Browserless(client).post(
        "/register", {"name": name, "email": "nia@example.org", "password": PASSWORD}
    )


def test_a_nul_in_the_search_box_signed_out_searches_for_what_was_typed(app):
    response = fresh_client(app).get("/opportunities?q=lunch%00%20clubs")
    assert response.status_code == 200
    assert input_value(response, "q") == "lunch clubs"


def test_registering_with_a_nul_in_the_name_keeps_the_name_without_it(app):
    response = register(fresh_client(app), "Nia\x00 New")
    assert response.status_code == 302
    user = db.session.execute(sa.select(User)).scalar_one()
    assert user.name == "Nia New"


def test_on_sqlite_too_what_is_stored_has_no_nul(sqlite_app):
    """SQLite would store the NUL; the request removes it first, so both databases hold the same."""
    client = sqlite_app.test_client()
    register(client, "Nia\x00 New")
    assert db.session.execute(sa.select(User.name)).scalar_one() == "Nia New"


def test_a_nul_in_a_routes_own_argument_is_not_found(app):
    client = fresh_client(app)
    for url in ("/dps/leeds%00", "/invitations/abc%00def", "/alerts/unsubscribe/x%00"):
        assert client.get(url).status_code == 404, url


def test_a_json_body_loses_nul_and_lone_surrogates_in_its_strings_and_keys(app):
    body = b'{"na\\u0000me": ["a\\u0000b", {"k": "\\ud800c"}], "n": 1, "ok": null}'
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        assert request.get_json() == {"name": ["ab", {"k": "c"}], "n": 1, "ok": None}
        assert request.json == {"name": ["ab", {"k": "c"}], "n": 1, "ok": None}


def test_form_fields_query_parameters_and_file_names_lose_nul(app):
    data = {"a\x00": ["x\x00y", "z"], "file": (io.BytesIO(b"%PDF-1.4"), "rep\x00ort.pdf")}
    with app.test_request_context("/?q=%00q&q=r", method="POST", data=data):
        assert request.form.getlist("a") == ["xy", "z"]
        assert request.args.getlist("q") == ["q", "r"]
        assert request.files["file"].filename == "report.pdf"
        assert request.values["q"] == "q"


def test_a_page_that_kept_what_was_typed_shows_it_without_the_nul(app):
    """A form that refuses for another reason redisplays what was typed, cleaned."""
    response = register(fresh_client(app), "Nia\x00 New" + "x" * 400)
    assert response.status_code == 200
    box = soup(response).find("input", attrs={"name": "name"})
    assert box["value"].startswith("Nia New")
