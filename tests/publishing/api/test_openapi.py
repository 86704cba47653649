"""The OpenAPI document: valid OpenAPI 3.1, the documentation page made from it, and a
property-based test (schemathesis) that calls every route of the API through WSGI with data
generated from the document, and finds no 500 and no response the document does not allow."""

import contextvars
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import schemathesis
import time_machine
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import OpenAPIV31SpecValidator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lots.opportunities import services
from tests.lots.helpers import NOW, admitted_supplier, ready_draft
from tests.publishing.api.conftest import Api


def test_the_document_is_valid_openapi_3_1(app, api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(spec).validate()  # raises on the first fault
    assert {"/api/v1/opportunities", "/api/v1/drafts/{opportunity_id}/publish"} <= set(
        spec["paths"]
    )
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    # Nullable fields are written the 3.1 way (a type list), never 3.0's "nullable".
    assert "nullable" not in response.get_data(as_text=True)


def test_the_document_written_when_first_read_describes_every_route_once(make_app):
    """The routes are served from the start; their description waits until the document is
    first read (publishing.api.OpenApi). Read from several threads at once, it is written once,
    lists every route of the API, and reads the same every time."""
    app = make_app()
    api_ext = app.extensions["publishing_api"]
    assert api_ext._undescribed, "the description is written when the app is made"
    # Nor are flask-smorest's default responses (one per HTTP status) and headers, or the
    # token's security scheme (read here without writing the rest).
    unread = api_ext._spec.components
    assert not unread.responses_lazy and not unread.headers_lazy and not unread.security_schemes
    routes = {
        re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    with ThreadPoolExecutor(4) as pool:
        documents = list(pool.map(lambda _: api_ext.spec.to_dict(), range(8)))
    assert all(document == documents[0] for document in documents)
    assert routes and routes == set(documents[0]["paths"])
    assert [tag["name"] for tag in documents[0]["tags"]] == ["api"]
    assert not api_ext._undescribed
    written = api_ext._spec.components
    assert "UNPROCESSABLE_ENTITY" in written.responses_lazy and "PAGINATION" in written.headers_lazy
    assert documents[0]["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_documentation_page_is_made_from_the_document(app, api, person):
    spec = api.get("/api/v1/openapi.json").get_json()
    page = person().get("/api")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    assert soup.h1.get_text() == "API documentation"
    assert "&lt;" not in page.get_data(as_text=True)  # no markup escaped into text
    shown = {code.get_text() for code in soup.select("section p code")}
    assert shown == set(spec["paths"])
    parameters = {code.get_text() for code in soup.select("section td code")}
    assert {"page", "q", "opportunity_id", "lot_id", "acknowledge_bank_holiday"} <= parameters
    for name in spec["components"]["schemas"]:
        assert soup.find(id=f"schema-{name}") is not None
    for link in soup.select('a[href^="#"]'):
        assert soup.find(id=link["href"][1:]) is not None, link["href"]
    assert not soup.find("script", src=lambda s: s and "//" in s)  # nothing from another site
    footer = BeautifulSoup(person().get("/").get_data(as_text=True), "lxml").footer
    assert footer.find("a", href="/api") is not None


@pytest.fixture
def api_world(app, make_app, make_token):
    """Something of each kind for the routes to find, and a token that may do everything."""
    from tests.lots.helpers import setup_world

    fuzzed = make_app(API_RATE_LIMIT="100000 per minute")
    admin, dps, lots, owner, buyer = setup_world()
    supplier = admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        published = ready_draft(owner, buyer, lots[0])
        services.publish(owner, published)
        draft = ready_draft(owner, buyer, lots[1], title="A draft of our own")
    _, secret = make_token(owner, buyer, "read_drafts", "create_drafts", "publish")
    known = {
        "opportunity_id": [published.id, draft.id],
        "dps_id": [dps.id],
        "lot_id": [lot.id for lot in lots],
        "organisation_id": [supplier.id],
    }
    return fuzzed, secret, known


def _with_known_ids(strategy, known):
    """Half the time, a path's id names something that is there (a route's 200 is checked too)."""

    def pick(pair):
        case, choices = pair
        for name, value in choices.items():
            if value is not None and name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        lot = choices["lot_id"]
        if lot is not None and isinstance(case.body, dict) and "lot_id" in case.body:
            case.body["lot_id"] = lot  # a new draft under a lot the buyer has joined
        return case

    choices = st.fixed_dictionaries(
        {name: st.one_of(st.none(), st.sampled_from(ids)) for name, ids in known.items()}
    )
    return st.tuples(strategy, choices).map(pick)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 3}  # per route: fast


def test_the_api_keeps_to_its_document(api_world):
    """Every route, with data generated from the document that fits it and that does not, with
    the token (so the drafts' routes are reached too), each request in its own app context as in
    production. (schemathesis drives hypothesis here directly: its pytest plugin's
    ``parametrize`` does not yet run on pytest 9.)"""
    fuzzed, secret, known = api_world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 15  # GET and POST /drafts, GET and PATCH a draft

    answered = Counter()

    def call(case):
        response = contextvars.Context().run(
            case.call_and_validate,
            headers={"Authorization": f"Bearer {secret}"},
            checks=CHECKS,
        )
        answered[(case.operation.label, response.status_code)] += 1

    with time_machine.travel(NOW, tick=True):
        for operation in operations:
            for mode, examples in EXAMPLES.items():
                run = settings(
                    max_examples=examples,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )(
                    given(case=_with_known_ids(operation.as_strategy(generation_mode=mode), known))(
                        call
                    )
                )
                try:
                    run()
                except Unsatisfiable:
                    # Nothing of the route can be wrong (no parameters, no body): nothing to try.
                    assert mode == GenerationMode.NEGATIVE, operation.label
    print(sorted(answered.items()))
    # It reached each route, and got past the checks of its input to an answer of each kind.
    assert {label for label, _ in answered} == {o.label for o in operations}
    statuses = {status for _, status in answered}
    assert {200, 404, 422} <= statuses


__all__ = ["Api"]
