"""API tokens: an owner makes one with scopes and sees it once; only its hash is stored; it is
revoked; each scope is enforced; requests are limited per token in Redis; every use is audited."""

import hashlib

import pytest
import redis as redis_lib
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.errors import NotAllowed
from app.extensions import db
from app.organisations.models import Membership, Role
from publishing.api import tokens
from publishing.api.models import ApiToken
from tests.conftest import REDIS_TEST_DB
from tests.factories import make_organisation, make_user
from tests.lots.helpers import make_colleague
from tests.publishing.api.conftest import Api, errors


def _events(event_type):
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def test_an_owner_creates_a_token_sees_it_once_and_only_its_hash_is_kept(world, person, api):
    _, _, _, owner, buyer = world
    bea = person(owner.email)
    tokens_page = f"/organisations/{buyer.id}/api-tokens"
    assert "Your organisation has no API tokens" in bea.get(tokens_page).get_data(as_text=True)

    page = bea.post(
        tokens_page + "/new",
        {"name": "Our tendering system", "scopes": ["read_drafts", "publish"]},
    )
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    secret = soup.find("textarea", id="token").get_text().strip()
    assert secret.startswith("vcse_") and len(secret) >= 40
    assert [li.get_text() for li in soup.select("#token-scopes li")] == [
        "Read drafts",
        "Publish opportunities",
    ]

    row = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.scopes == ["read_drafts", "publish"]
    stored = db.session.execute(sa.text("SELECT * FROM api_tokens")).one()
    assert not any(secret in str(value) for value in stored)
    assert not any(secret in str(e.detail) for e in db.session.scalars(sa.select(AuditEvent)))
    assert [e.organisation_id for e in _events("create_api_token")] == [buyer.id]

    listed = bea.get(tokens_page).get_data(as_text=True)
    assert secret not in listed and row.prefix in listed and "Working" in listed
    assert "&lt;" not in listed
    assert api.get("/api/v1/drafts", secret).status_code == 200


def test_the_form_says_what_is_missing(world, person):
    _, _, _, owner, buyer = world
    page = person(owner.email).post(f"/organisations/{buyer.id}/api-tokens/new", {"name": " "})
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    summary = soup.select_one(".govuk-error-summary").get_text()
    assert "Enter a name for the token" in summary
    assert "Select at least one thing the token may do" in summary
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_only_owners_of_a_buyer_manage_tokens(world, person):
    _, _, _, owner, buyer = world
    colleague, _ = make_colleague(buyer, roles=("buyer", "approver"))
    supplier_owner = make_user(email="sam@supplier.example")
    supplier_org = make_organisation("supplier", owner=supplier_owner)
    for url in (
        f"/organisations/{buyer.id}/api-tokens",
        f"/organisations/{buyer.id}/api-tokens/new",
    ):
        assert person(colleague.email).get(url).status_code == 403
        assert person().get(url).status_code == 302  # to sign in
    assert (
        person(supplier_owner.email).get(f"/organisations/{supplier_org.id}/api-tokens").status_code
        == 403
    )
    with pytest.raises(NotAllowed):
        tokens.create_token(colleague, buyer, "Mine", ["publish"])
    # The organisation's page offers the tokens to its owners only.
    organisation_page = f"/organisations/{buyer.id}"
    owners_page = BeautifulSoup(person(owner.email).get(organisation_page).data, "lxml")
    assert owners_page.find(id="api-tokens-link")["href"] == f"{organisation_page}/api-tokens"
    members_page = BeautifulSoup(person(colleague.email).get(organisation_page).data, "lxml")
    assert members_page.find(id="api-tokens-link") is None


def test_a_revoked_token_stops_working_at_once(world, person, api, make_token):
    _, _, _, owner, buyer = world
    token, secret = make_token(owner, buyer, "read_drafts")
    assert api.get("/api/v1/drafts", secret).status_code == 200

    bea = person(owner.email)
    url = f"/organisations/{buyer.id}/api-tokens/{token.id}/revoke"
    assert "Revoke the API token" in bea.get(url).get_data(as_text=True)
    assert bea.post(url).status_code == 302

    refused = api.get("/api/v1/drafts", secret)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert errors(refused) == [(None, "The API token does not work: it may have been revoked")]
    # Even where no token is needed, a token that is sent must work.
    assert api.get("/api/v1/dps", secret).status_code == 401
    assert api.get("/api/v1/dps").status_code == 200
    assert [e.subject_id for e in _events("revoke_api_token")] == [token.id]
    assert "Revoked" in bea.get(f"/organisations/{buyer.id}/api-tokens").get_data(as_text=True)


def test_a_token_stops_when_its_maker_is_no_longer_an_owner(world, api, make_token):
    _, _, _, owner, buyer = world
    _, secret = make_token(owner, buyer, "read_drafts")
    membership = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    membership.role = Role.MEMBER
    db.session.commit()
    assert api.get("/api/v1/drafts", secret).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer vcse_not-a-real-token", "Bearer something-else"],
)
def test_a_malformed_or_unknown_token_is_refused(app, api, header):
    response = api.get("/api/v1/opportunities", headers={"Authorization": header})
    assert response.status_code == 401
    assert errors(response)


def test_each_scope_allows_only_its_own_requests(world, api, make_token):
    _, _, lots, owner, buyer = world
    _, reader = make_token(owner, buyer, "read_drafts")
    _, writer = make_token(owner, buyer, "create_drafts")
    _, publisher = make_token(owner, buyer, "publish")
    new = {"lot_id": lots[0].id, "title": "Befriending"}

    assert api.get("/api/v1/drafts").status_code == 401
    assert api.post("/api/v1/drafts", json=new).status_code == 401
    assert api.post("/api/v1/drafts", reader, json=new).status_code == 403
    assert api.post("/api/v1/drafts", publisher, json=new).status_code == 403
    created = api.post("/api/v1/drafts", writer, json=new)
    assert created.status_code == 201, created.get_json()
    draft_id = created.get_json()["id"]
    assert api.get("/api/v1/drafts", writer).status_code == 403
    assert api.get("/api/v1/drafts", reader).get_json()["items"][0]["id"] == draft_id
    assert api.post(f"/api/v1/drafts/{draft_id}/publish", reader).status_code == 403
    assert api.post(f"/api/v1/drafts/{draft_id}/publish", writer).status_code == 403
    # The publisher may ask, and the service's own rules answer (this draft is not ready).
    refused = api.post(f"/api/v1/drafts/{draft_id}/publish", publisher, json={})
    assert refused.status_code == 422
    forbidden = api.post("/api/v1/drafts", reader, json=new)
    assert errors(forbidden) == [
        (None, "This token may not do this: it needs ‘Create and change drafts’")
    ]


def test_requests_are_limited_per_token_in_redis(world, make_app, make_token, redis_server):
    _, _, _, owner, buyer = world
    limited = make_app(API_RATE_LIMIT="3 per minute")
    api = Api(limited)
    first, one = make_token(owner, buyer, "read_drafts")
    first_id = first.id
    _, other = make_token(owner, buyer, "read_drafts")
    for _ in range(3):
        assert api.get("/api/v1/dps", one).status_code == 200
    refused = api.get("/api/v1/drafts", one)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "wait" in errors(refused)[0][1]
    assert api.get("/api/v1/drafts", other).status_code == 200  # each token counts apart
    assert api.get("/api/v1/dps").status_code == 200  # no token: not this limit
    keys = redis_lib.Redis.from_url(redis_server.url(REDIS_TEST_DB)).keys("*api-token*")
    assert any(f"api-token/{first_id}/".encode() in key for key in keys), keys


def test_every_use_of_a_token_is_audited(world, api, make_token):
    _, _, lots, owner, buyer = world
    token, secret = make_token(owner, buyer, "read_drafts", "create_drafts")
    api.get("/api/v1/dps", secret)
    api.post("/api/v1/drafts", secret, json={"lot_id": lots[0].id, "title": "Befriending"})
    api.post("/api/v1/drafts/1/publish", secret)  # refused: no publish scope
    api.get("/api/v1/drafts/999999", secret)  # not found
    api.get("/api/v1/dps")  # no token: not a use of one
    uses = _events("use_api_token")
    assert [(e.detail["method"], e.detail["path"], e.detail["status"]) for e in uses] == [
        ("GET", "/api/v1/dps", 200),
        ("POST", "/api/v1/drafts", 201),
        ("POST", "/api/v1/drafts/1/publish", 403),
        ("GET", "/api/v1/drafts/999999", 404),
    ]
    assert {(e.subject_id, e.organisation_id, e.actor_id) for e in uses} == {
        (token.id, buyer.id, owner.id)
    }
    created = _events("create_opportunity")
    assert created[-1].actor_id == owner.id  # the draft was made by the same service as a page's
    db.session.refresh(token)
    assert token.last_used_at is not None
    assert verify_chain()[1] is None
