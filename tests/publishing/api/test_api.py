"""The API's routes: what anyone reads, drafts made and published through the same services and
rules as the pages, drafts private to their organisation, the seal on bids, and JSON errors."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.extensions import db
from lots.bids import submitting
from lots.opportunities import buyers
from lots.opportunities.models import Opportunity, OpportunityStatus
from tests.lots.bidding import bidding_world, complete_bid, past_deadline
from tests.lots.helpers import DEADLINE, NOW, admitted_supplier, make_buyer, ready_draft
from tests.publishing.api.conftest import errors

READY = {
    "title": "Befriending for older people in Leeds",
    "summary": "Weekly befriending visits for 60 older people",
    "description": "We want a local organisation to run befriending.",
    "estimated_value_pence": 4_000_000,
    "price_weight": 50,
    "quality_weight": 40,
    "social_value_weight": 10,
    "submission_deadline": DEADLINE.isoformat(),
    "question_deadline": (DEADLINE - timedelta(days=5)).isoformat(),
    "questions": [
        {"kind": "quality", "text": "How will you recruit volunteers?", "weight": 40},
        {"kind": "social_value", "text": "What local jobs will you create?", "weight": 10},
        {"kind": "pass_fail", "text": "Do you hold public liability insurance?"},
    ],
}
ALL = ("read_drafts", "create_drafts", "publish")


def test_a_draft_is_made_and_published_through_the_pages_services(world, api, make_token):
    _, _, lots, owner, buyer = world
    supplier = admitted_supplier(lots[0])
    _, secret = make_token(owner, buyer, *ALL)
    with time_machine.travel(NOW, tick=False):
        created = api.post("/api/v1/drafts", secret, json={"lot_id": lots[0].id, **READY})
        assert created.status_code == 201, created.get_json()
        draft = created.get_json()
        assert draft["status"] == "draft" and draft["problems"] == []
        assert draft["contact_email"] == "bea@leeds.example"  # the buyer's profile, as the page
        assert [q["kind"] for q in draft["questions"]] == ["quality", "social_value", "pass_fail"]

        # The service's rules refuse what the pages refuse, naming the field.
        bad = api.patch(f"/api/v1/drafts/{draft['id']}", secret, json={"price_weight": 70})
        assert bad.status_code == 422
        assert errors(bad) == [
            ("weights", "Price, quality and social value weightings must add up to 100")
        ]
        published = api.post(f"/api/v1/drafts/{draft['id']}/publish", secret, json={})
    assert published.status_code == 200, published.get_json()
    body = published.get_json()
    assert body["invited"] == 1
    assert body["opportunity"]["status"] == "open"
    assert body["opportunity"]["reference"].startswith("VCSE-2026-")
    assert body["opportunity"]["bids"] is None  # sealed until the deadline
    opportunity = db.session.get(Opportunity, draft["id"])
    assert opportunity.status == OpportunityStatus.PUBLISHED
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.event_type == "publish_opportunity")
    ).scalar_one()
    assert (event.actor_id, event.detail["invited"]) == (owner.id, 1)
    assert supplier.id
    # Published, it is no longer a draft: it is read as an opportunity by anyone.
    assert api.get(f"/api/v1/drafts/{draft['id']}", secret).status_code == 404
    assert api.get(f"/api/v1/opportunities/{draft['id']}").get_json()["title"] == READY["title"]


def test_publishing_keeps_the_pages_rules(world, api, make_token):
    admin, _, lots, owner, buyer = world
    _, secret = make_token(owner, buyer, *ALL)
    with time_machine.travel(NOW, tick=False):
        incomplete = api.post("/api/v1/drafts", secret, json={"lot_id": lots[0].id, "title": "X"})
        draft = incomplete.get_json()
        assert {p["field"] for p in draft["problems"]} >= {"summary", "submission_deadline"}
        refused = api.post(f"/api/v1/drafts/{draft['id']}/publish", secret)
        assert refused.status_code == 422
        assert errors(refused)[0][0] in {p["field"] for p in draft["problems"]}

        # A buyer whose drafts need an approver's sign-off cannot publish without it.
        buyers.profile(buyer.id).requires_approval = True
        db.session.commit()
        ready = api.post("/api/v1/drafts", secret, json={"lot_id": lots[0].id, **READY})
        refused = api.post(f"/api/v1/drafts/{ready.get_json()['id']}/publish", secret)
    assert refused.status_code == 422
    assert errors(refused) == [(None, "This opportunity must be approved before it is published")]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Opportunity.status == OpportunityStatus.PUBLISHED)
        )
        == 0
    )


def test_a_lot_of_a_dps_not_joined_or_unknown_is_refused(world, api, make_token):
    admin, _, lots, owner, buyer = world
    _, secret = make_token(owner, buyer, "create_drafts")
    unknown = api.post("/api/v1/drafts", secret, json={"lot_id": 999999, "title": "X"})
    assert unknown.status_code == 422 and errors(unknown) == [("lot_id", "No such lot")]


def test_drafts_are_seen_only_by_their_own_organisations_tokens(world, api, make_token):
    admin, dps, lots, owner, buyer = world
    other_owner, other = make_buyer(admin, dps, email="olu@wakefield.example", name="Wakefield")
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(owner, buyer, lots[0])
    _, own_reader = make_token(owner, buyer, "read_drafts")
    _, own_writer = make_token(owner, buyer, "create_drafts")
    _, other_reader = make_token(other_owner, other, *ALL)

    assert api.get(f"/api/v1/drafts/{draft.id}", own_reader).get_json()["title"] == draft.title
    assert api.get(f"/api/v1/opportunities/{draft.id}", own_reader).status_code == 200
    for token in (None, own_writer, other_reader):
        assert api.get(f"/api/v1/opportunities/{draft.id}", token).status_code == 404
    assert api.get(f"/api/v1/drafts/{draft.id}", other_reader).status_code == 404
    assert (
        api.patch(f"/api/v1/drafts/{draft.id}", other_reader, json={"title": "Mine"}).status_code
        == 404
    )
    assert api.post(f"/api/v1/drafts/{draft.id}/publish", other_reader).status_code == 404
    assert api.get("/api/v1/drafts", other_reader).get_json()["items"] == []
    assert [d["id"] for d in api.get("/api/v1/drafts", own_reader).get_json()["items"]] == [
        draft.id
    ]
    # Search never lists a draft, whoever asks.
    for token in (None, own_reader):
        listed = api.get("/api/v1/opportunities?status=all", token).get_json()
        assert draft.id not in [o["id"] for o in listed["items"]]
    db.session.refresh(draft)
    assert draft.title != "Mine"


def test_the_seal_holds_on_the_api_until_the_deadline(app, api):
    w = bidding_world()
    (user, org), _ = w.suppliers
    bid = complete_bid(user, org, w.opportunity)
    submitting.submit(user, bid, conditions_confirmed=True)
    url = f"/api/v1/opportunities/{w.opportunity.id}"

    before = [
        api.get(url),
        api.get("/api/v1/opportunities?status=all"),
        api.get(f"/api/v1/lots/{w.lots[0].id}"),
        api.get("/api/v1/contracts"),
    ]
    assert before[0].get_json()["bids"] is None
    for response in before:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert org.name not in text and "received" not in text

    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        after = api.get(url).get_json()
    assert after["status"] == "closed"
    assert after["bids"] == {"received": 1}
    assert org.name not in str(after)  # a count, never who


def test_everyone_reads_what_is_published(world, api):
    admin, dps, lots, owner, buyer = world
    admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(owner, buyer, lots[0])
        from lots.opportunities import services

        services.publish(owner, opportunity)
        listed = api.get("/api/v1/opportunities").get_json()
        item = api.get(f"/api/v1/opportunities/{opportunity.id}").get_json()
    assert [o["id"] for o in listed["items"]] == [opportunity.id]
    assert listed["links"]["next"] is None and listed["total"] == 1
    assert item["status"] == "open" and item["buyer_name"] == "Leeds City Council"
    assert item["url"].endswith(f"/opportunities/{opportunity.id}")
    assert [d["name"] for d in api.get("/api/v1/dps").get_json()["items"]] == [dps.name]
    assert [lot["id"] for lot in api.get(f"/api/v1/dps/{dps.id}").get_json()["lots"]] == [
        lot.id for lot in lots
    ]
    lot = api.get(f"/api/v1/lots/{lots[0].id}").get_json()
    assert lot["admitted_suppliers"] == 1 and lot["number"] == lots[0].number
    assert len(api.get(f"/api/v1/lots?dps={dps.id}").get_json()["items"]) == len(lots)


def test_the_directory_shows_only_what_each_supplier_chose(world, api):
    _, _, lots, _, _ = world
    quiet = admitted_supplier(lots[0], name="Quiet CIC", email="q@quiet.example")
    open_ = admitted_supplier(lots[0], name="Open CIC", email="o@open.example")
    for org in (quiet, open_):
        org.address, org.postcode = "1 Secret Street", "LS1 1AA"
        org.website = f"https://{org.name.split()[0].lower()}.example"
    open_.directory_email, open_.directory_phone = "hello@open.example", "0113 000 0000"
    open_.directory_show_website = True
    db.session.commit()

    listed = api.get("/api/v1/suppliers")
    assert listed.status_code == 200
    by_name = {s["name"]: s for s in listed.get_json()["items"]}
    assert by_name["Quiet CIC"]["contact"] == {"email": None, "phone": None, "website": None}
    assert by_name["Open CIC"]["contact"] == {
        "email": "hello@open.example",
        "phone": "0113 000 0000",
        "website": "https://open.example",
    }
    one = api.get(f"/api/v1/suppliers/{quiet.id}")
    for response in (listed, one):
        text = response.get_data(as_text=True)
        assert "Secret Street" not in text and "LS1 1AA" not in text
        assert "q@quiet.example" not in text and "https://quiet.example" not in text


def test_errors_are_json_with_the_right_status(world, api, make_token):
    _, _, lots, owner, buyer = world
    _, secret = make_token(owner, buyer, "create_drafts")
    cases = [
        (api.get("/api/v1/no-such-thing"), 404),
        (api.get("/api/v1/opportunities/999999"), 404),
        (api.get("/api/v1/suppliers/999999"), 404),
        (api.call("DELETE", "/api/v1/dps"), 405),
        (api.get("/api/v1/opportunities?page=0"), 422),
        (api.get("/api/v1/opportunities?min_value=lots"), 422),
        (api.get("/api/v1/opportunities?status=everything"), 422),
        (
            api.post("/api/v1/drafts", secret, data="{not json", content_type="application/json"),
            400,
        ),
        (
            api.post(
                "/api/v1/drafts", secret, json={"lot_id": lots[0].id, "title": "X", "colour": "red"}
            ),
            422,
        ),
        (api.post("/api/v1/drafts", secret, json={"title": "X"}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.path, response.get_json())
        assert response.mimetype == "application/json"
        assert errors(response)
    assert (
        "page",
        "Must be greater than or equal to 1 and less than or equal to 10000.",
    ) in errors(cases[4][0])
    assert ("colour", "Unknown field.") in errors(cases[8][0])
    assert ("lot_id", "Missing data for required field.") in errors(cases[9][0])
