"""The buyer's evaluation pages, as people use them: the seal before the deadline on every buyer
and admin page, assigning evaluators, opening the bids (audited), pass/fail exclusions,
conflict of interest declarations, independent scoring, moderation and the ranked result."""

import re

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.extensions import db
from lots.bids import submitting
from lots.evaluation import sealing
from lots.evaluation import services as evaluation_service
from lots.evaluation.models import Evaluation
from tests.lots.bidding import bidding_world, colleague, complete_bid, past_deadline, questions
from tests.lots.pages import banner, error_summary, heading, section, soup, table_rows, tags, text

BUYER = "bea@leeds.example"
EVE = "eve@leeds.example"  # evaluator
MAX = "max@leeds.example"  # evaluator and moderator
ANN = "ann@leeds.example"  # approver

# What the two bids say: none of it may show before the deadline.
BIDS = [
    ("Supplier 1 CIC", 3_000_000, "£30,000", "Kestrel volunteers recruit in Armley"),
    ("Supplier 2 CIC", 2_800_000, "£28,000", "Heron befrienders from Chapeltown"),
]
SECRETS = (
    [name for name, *_ in BIDS] + [shown for *_, shown, _ in BIDS] + [words for *_, words in BIDS]
)
COUNT_WORDS = re.compile(r"\b\d+ bids?\b|bids? (was|were) received", re.I)


@pytest.fixture
def world(app):
    world = bidding_world()
    colleague(world.buyer, EVE, ("evaluator",), name="Eve Evaluator")
    colleague(world.buyer, MAX, ("evaluator",), name="Max Moderator")
    colleague(world.buyer, ANN, ("approver",), name="Ann Approver")
    return world


def submit_bids(world, prices=None, pass_fail=None):
    """Both suppliers submit (before the deadline, in real time); returns the bids."""
    out = []
    for i, ((user, org), (_name, price, _shown, words)) in enumerate(zip(world.suppliers, BIDS)):
        bid = complete_bid(
            user,
            org,
            world.opportunity,
            price_pence=(prices or {}).get(i, price),
            words=words,
            pass_fail=(pass_fail or {}).get(i, "yes"),
        )
        submitting.submit(user, bid, conditions_confirmed=True)
        out.append(bid)
    return out


def urls(world, bid_id=None):
    base = f"/buyer/{world.buyer.id}/opportunities/{world.opportunity.id}"
    pages = {
        "manage": base,
        "evaluation": f"{base}/bid-evaluation",
        "evaluate": f"{base}/evaluate",
        "moderation": f"{base}/moderation",
        "result": f"{base}/result",
        "award": f"{base}/award",
        "open": f"{base}/bid-evaluation/open",
        "propose": f"{base}/award/propose",
        "list": f"/buyer/{world.buyer.id}/opportunities",
        "declaration": f"{base}/evaluate/declaration",
        "submit": f"{base}/evaluate/submit",
    }
    if bid_id is not None:
        pages.update(
            {
                "score": f"{base}/evaluate/bids/{bid_id}",
                "moderate": f"{base}/moderation/bids/{bid_id}",
                "exclude": f"{base}/bid-evaluation/bids/{bid_id}/exclude",
                "reinstate": f"{base}/bid-evaluation/bids/{bid_id}/reinstate",
                "clear": f"{base}/bid-evaluation/bids/{bid_id}/clear-price",
            }
        )
    return pages


def assert_reveals_nothing(response):
    page = response.get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in page, f"{secret!r} shown on {response.request.path}"
    assert not COUNT_WORDS.search(text(soup(response).find("main") or soup(response))), (
        f"a count of bids on {response.request.path}"
    )


def assign(person, world, email, moderator=False):
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
    data = {"evaluator": str(user.id)}
    if moderator:
        data["moderator"] = "y"
    response = person.post(urls(world)["evaluation"], data)
    assert response.status_code == 302, error_summary(response)
    return user


def declare(person, world, conflict=False, details=""):
    return person.post(
        urls(world)["declaration"], {"conflict": "yes" if conflict else "no", "details": details}
    )


def score_all(person, world, bid, value, comment="Clear and specific"):
    q = questions(world.opportunity)
    data = {}
    for kind in ("quality", "social_value"):
        data[f"score_{q[kind].id}"] = str(value)
        data[f"comment_{q[kind].id}"] = f"{comment} ({kind})"
    response = person.post(urls(world, bid.id)["score"], data)
    assert response.status_code == 302, error_summary(response)


def agree_all(person, world, bid, value, reason="Agreed after discussion"):
    q = questions(world.opportunity)
    data = {}
    for kind in ("quality", "social_value"):
        data[f"score_{q[kind].id}"] = str(value)
        data[f"comment_{q[kind].id}"] = f"{reason} ({kind})"
    response = person.post(urls(world, bid.id)["moderate"], data)
    assert response.status_code == 302, error_summary(response)


def opened(world, person):
    """After the deadline (the caller travels): the buyer assigns Eve, and Max as moderator,
    and opens the bids. Returns the buyer, signed in."""
    bea = person(BUYER)
    assign(bea, world, EVE)
    assign(bea, world, MAX, moderator=True)
    bea.post(urls(world)["open"], form_url=urls(world)["evaluation"])
    return bea


def evaluated(world, person, scores=((5, 2), (4, 2)), agreed=(5, 2)):
    """After the deadline (the caller travels): open the bids, Eve and Max score them (bid 1
    and bid 2: ``scores`` per evaluator, on the call-off's 0 to 5 scale), both submit, Max
    agrees ``agreed``. Returns
    (bea, eve, max) signed in."""
    bea = person(BUYER)
    assert bea.post(urls(world)["open"], form_url=urls(world)["evaluation"]).status_code == 302
    eve, mod = person(EVE), person(MAX)
    placed = sealing.submitted_bids(world.opportunity.id)
    for who, marks in ((eve, scores[0]), (mod, scores[1])):
        assert declare(who, world).status_code == 302
        for bid, value in zip(placed, marks):
            score_all(who, world, bid, value)
        assert who.post(urls(world)["submit"], form_url=urls(world)["evaluate"]).status_code == 302
    for bid, value in zip(placed, agreed):
        agree_all(mod, world, bid, value)
    return bea, eve, mod


# --- The seal ----------------------------------------------------------------------------------


def test_before_the_deadline_no_buyer_or_admin_page_reveals_a_bid_or_the_count(world, person):
    placed = submit_bids(world)
    bea = person(BUYER)
    assign(bea, world, EVE)
    assign(bea, world, MAX, moderator=True)
    eve = person(EVE)
    assert declare(eve, world).status_code == 302
    admin = person(world.admin.email)
    pages = urls(world, placed[0].id)

    evaluation = bea.get(pages["evaluation"])
    assert evaluation.status_code == 200
    assert "Bids are sealed until" in section(evaluation, "seal")
    assert "Open the bids" not in evaluation.get_data(as_text=True)
    assert [row[0] for row in table_rows(evaluation, "evaluators")] == [
        "Eve Evaluator",
        "Max Moderator Moderator",
    ]

    for who in (bea, eve, admin):
        for name in (
            "manage",
            "evaluation",
            "evaluate",
            "moderation",
            "result",
            "award",
            "list",
            "score",
            "moderate",
            "exclude",
            "reinstate",
            "clear",
        ):
            response = who.get(pages[name], follow_redirects=True)
            assert response.status_code in (200, 403, 404), (name, response.status_code)
            assert_reveals_nothing(response)
        for public in (
            f"/lots/{world.lots[0].id}",
            "/opportunities",
            "/admin/buyers",
            "/admin/dps",
            f"/admin/dps/{world.dps.id}",
            f"/opportunities/{world.opportunity.id}",
            "/contracts",
        ):
            response = who.get(public)
            assert response.status_code in (200, 403), public
            assert_reveals_nothing(response)

    # The evaluator is told only that the bids are sealed; a bid's page sends them back there.
    assert "Bids are sealed until" in section(eve.get(pages["evaluate"]), "status")
    assert eve.get(pages["score"]).headers["Location"] == pages["evaluate"]
    # Opening is refused, and nothing is opened.
    refused = bea.post(pages["open"], form_url=pages["evaluation"])
    assert error_summary(refused) == ["Bids stay sealed until the deadline has passed"]
    assert_reveals_nothing(refused)
    assert db.session.get(Evaluation, world.opportunity.id) is None
    # The queries themselves hold the seal.
    assert sealing.submitted_bids(world.opportunity.id) == []
    assert sealing.bid_count(world.opportunity.id) is None
    assert sealing.submission_for(placed[0].id) is None


def test_only_colleagues_with_the_evaluator_role_can_be_assigned(world, person):
    bea = person(BUYER)
    page = bea.get(urls(world)["evaluation"])
    options = [text(o) for o in soup(page).select("select[name=evaluator] option")]
    assert any("Eve Evaluator" in o for o in options)
    assert not any("Ann Approver" in o for o in options)
    refused = bea.post(urls(world)["evaluation"], {"evaluator": ""})
    assert error_summary(refused) == ["Select a colleague with the evaluator role"]
    assign(bea, world, MAX, moderator=True)
    assert "Moderator" in tags(bea.get(urls(world)["evaluation"]), "evaluators")
    # An evaluator without the buyer or approver role has no evaluation page of their own.
    eve = person(EVE)
    assert eve.get(urls(world)["evaluation"]).status_code == 403


# --- Opening and pass/fail -----------------------------------------------------------------


def test_opening_after_the_deadline_is_audited_and_excludes_pass_fail_failures(world, person):
    placed = submit_bids(world, pass_fail={1: "no"})
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = person(BUYER)
        before = bea.get(urls(world)["evaluation"])
        assert "2 bids were received" in section(before, "seal")
        assert "Supplier 1 CIC" not in before.get_data(as_text=True)
        opened = bea.post(
            urls(world)["open"], form_url=urls(world)["evaluation"], follow_redirects=True
        )
        assert "The bids are open" in banner(opened)
        rows = table_rows(opened, "bids")
        assert rows[0][:3] == ["Supplier 1 CIC", "£30,000", "Passed"]
        assert rows[1][0] == "Supplier 2 CIC"
        assert rows[1][2].startswith("Excluded Failed a pass/fail question: Do you hold public")
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.event_type == "open_bids")
        ).scalar_one()
        assert event.detail["excluded_at_pass_fail"] == [placed[1].id]
        # Opening again changes nothing.
        bea.post(urls(world)["open"], form_url=urls(world)["evaluation"])
        assert (
            db.session.execute(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.event_type == "open_bids")
            ).scalar()
            == 1
        )

        pages = urls(world, placed[1].id)
        refused = bea.post(pages["reinstate"], {"reason": ""})
        assert error_summary(refused) == ["Enter the reason for reinstating the bid"]
        reinstated = bea.post(
            pages["reinstate"], {"reason": "Certificate arrived by email"}, follow_redirects=True
        )
        assert "is reinstated" in banner(reinstated)
        assert table_rows(reinstated, "bids")[1][2] == "Passed"
        excluded = bea.post(
            urls(world, placed[0].id)["exclude"],
            {"reason": "Not registered with the CQC"},
            follow_redirects=True,
        )
        assert table_rows(excluded, "bids")[0][2] == "Excluded Not registered with the CQC"
        # Only the buyer role manages exclusions.
        ann = person(ANN)
        assert ann.get(urls(world)["evaluation"]).status_code == 200
        assert ann.post(pages["exclude"], {"reason": "x"}).status_code == 403


def test_abnormally_low_price_is_flagged_and_must_be_cleared_before_award(world, person):
    placed = submit_bids(world, prices={1: 1_000_000})
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = person(BUYER)
        assign(bea, world, EVE)
        assign(bea, world, MAX, moderator=True)
        evaluated(world, person)
        page = bea.get(urls(world)["evaluation"])
        assert table_rows(page, "bids")[1][3] == "Possibly abnormally low"
        result = bea.get(urls(world)["result"])
        assert (
            "Price not cleared"
            in table_rows(result, "result")[0][1] + table_rows(result, "result")[1][1]
        )
        refused = bea.post(urls(world)["propose"], form_url=urls(world)["result"])
        assert error_summary(refused)[0].startswith("A price is flagged as possibly abnormally")
        clear = urls(world, placed[1].id)["clear"]
        assert error_summary(bea.post(clear, {"reason": ""})) == [
            "Record why the price is acceptable"
        ]
        cleared = bea.post(
            clear,
            {"reason": "Volunteers deliver most visits; costs checked"},
            follow_redirects=True,
        )
        assert table_rows(cleared, "bids")[1][3] == "Cleared"
        assert bea.post(urls(world)["propose"], form_url=urls(world)["result"]).status_code == 302


# --- Evaluators ------------------------------------------------------------------------------


def test_an_evaluator_declares_before_seeing_any_bid(world, person):
    placed = submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = person(BUYER)
        assign(bea, world, EVE)
        bea.post(urls(world)["open"], form_url=urls(world)["evaluation"])
        eve = person(EVE)
        first = eve.get(urls(world)["evaluate"])
        assert first.status_code == 302 and first.headers["Location"].endswith("/declaration")
        form = eve.get(urls(world)["declaration"])
        assert heading(form) == "Declare any conflict of interest"
        assert_reveals_nothing(form)
        assert eve.get(urls(world, placed[0].id)["score"]).status_code == 403
        assert error_summary(eve.post(urls(world)["declaration"], {})) == [
            "Select whether you have a conflict of interest"
        ]
        assert declare(eve, world).status_code == 302
        listing = eve.get(urls(world)["evaluate"])
        assert [row[0] for row in table_rows(listing, "bids")] == [
            "Supplier 1 CIC",
            "Supplier 2 CIC",
        ]
        bid_page = eve.get(urls(world, placed[0].id)["score"])
        assert "Kestrel volunteers recruit in Armley" in bid_page.get_data(as_text=True)
        labels = [text(label) for label in soup(bid_page).select(".govuk-radios__label")]
        # The call-off's published scale: 0 to 5 unless its buyer chose 0 to 10.
        assert labels[:6] == [
            "0 – Unacceptable",
            "1 – Poor",
            "2 – Weak",
            "3 – Satisfactory",
            "4 – Good",
            "5 – Excellent",
        ]


def test_an_evaluator_with_a_conflict_gets_403_and_never_sees_a_bid(world, person):
    placed = submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = opened(world, person)
        eve = person(EVE)
        refused = declare(eve, world, conflict=True, details="")
        assert error_summary(refused) == ["Describe the conflict of interest"]
        assert (
            declare(eve, world, conflict=True, details="My sister chairs Supplier 1").status_code
            == 302
        )
        pages = urls(world, placed[0].id)
        listing = eve.get(pages["evaluate"])
        assert "You declared a conflict of interest" in section(listing, "status")
        for name in ("score", "moderation", "moderate", "result", "award", "exclude"):
            response = eve.get(pages[name])
            assert response.status_code == 403, name
            assert_reveals_nothing(response)
        overview = eve.get(pages["evaluation"])
        assert overview.status_code == 302  # to their own page, which shows nothing
        assert_reveals_nothing(eve.get(pages["evaluate"]))
        # The buyer sees the declaration; Max alone scores, and moderation can go ahead.
        assert "Conflict declared" in tags(bea.get(pages["evaluation"]), "evaluators")
        mod = person(MAX)
        declare(mod, world)
        for bid in placed:
            score_all(mod, world, bid, 3)
        mod.post(pages["submit"], form_url=pages["evaluate"])
        assert mod.get(pages["moderation"]).status_code == 200
        assert eve.get(pages["moderation"]).status_code == 403


def test_evaluators_cannot_see_each_others_scores_until_all_have_submitted(world, person):
    placed = submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        opened(world, person)
        eve, mod = person(EVE), person(MAX)
        declare(eve, world)
        declare(mod, world)
        pages = urls(world, placed[0].id)
        # Submitting with answers still to score is refused, and says how many.
        score_all(eve, world, placed[0], 4, comment="Eve thinks it is excellent")
        early = eve.post(pages["submit"], form_url=pages["evaluate"])
        assert error_summary(early) == ["Score every answer first: 2 still to score"]
        score_all(eve, world, placed[1], 2, comment="Eve thinks it is thin")
        eve.post(pages["submit"], form_url=pages["evaluate"])
        assert "You submitted your scores" in section(eve.get(pages["evaluate"]), "submitted")
        # Max has not submitted: nobody sees anyone else's scores.
        assert eve.get(pages["moderation"]).status_code == 403
        assert mod.get(pages["moderation"]).status_code == 403
        assert mod.get(pages["moderate"]).status_code == 403
        max_page = mod.get(pages["score"])
        assert "Eve thinks" not in max_page.get_data(as_text=True)
        # A score needs a reason; the page keeps what was typed.
        q = questions(world.opportunity)
        refused = mod.post(
            pages["score"],
            {
                f"score_{q['quality'].id}": "3",
                f"comment_{q['quality'].id}": "",
                f"score_{q['social_value'].id}": "",
                f"comment_{q['social_value'].id}": "Fine",
            },
        )
        assert error_summary(refused) == ["Give a reason for the score", "Choose a score"]
        for bid in placed:
            score_all(mod, world, bid, 2, comment="Max has doubts")
        # Eve's scores cannot change once submitted: her page has no form.
        locked = eve.get(pages["score"])
        assert "can no longer change" in locked.get_data(as_text=True)
        assert soup(locked).find("form") is None or not soup(locked).select("main form")
        mod.post(pages["submit"], form_url=pages["evaluate"])
        side = eve.get(pages["moderation"])
        assert side.status_code == 200
        page = side.get_data(as_text=True)
        assert "Eve thinks it is excellent (quality)" in page
        assert "Max has doubts (quality)" in page
        assert "Discuss: 2 apart" in page
        # Only the moderator agrees the scores.
        assert eve.get(pages["moderate"]).status_code == 403


# --- Moderation and the result ------------------------------------------------------------------


def test_moderation_then_the_ranked_result_to_two_decimal_places(world, person):
    placed = submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = opened(world, person)
        assert "The result is ready when" in section(bea.get(urls(world)["result"]), "not-ready")
        eve, mod = person(EVE), person(MAX)
        for who in (eve, mod):
            declare(who, world)
            for bid, value in zip(placed, (5, 2)):
                score_all(who, world, bid, value)
            who.post(urls(world)["submit"], form_url=urls(world)["evaluate"])
        moderate_page = urls(world, placed[0].id)["moderate"]
        refused = mod.post(moderate_page, {})
        assert "Choose a score" in error_summary(refused)
        for bid, value in zip(placed, (5, 2)):
            agree_all(mod, world, bid, value)
        agreed = mod.get(urls(world)["moderation"]).get_data(as_text=True)
        assert "Agreed score:" in agreed
        result = bea.get(urls(world)["result"])
        assert table_rows(result, "result") == [
            ["1", "Supplier 1 CIC", "£30,000", "46.67", "40.00", "10.00", "96.67"],
            ["2", "Supplier 2 CIC", "£28,000", "50.00", "16.00", "4.00", "70.00"],
        ]
        assert soup(result).find(id="propose-award") is not None
        # The approver sees the result but cannot propose.
        ann = person(ANN)
        assert soup(ann.get(urls(world)["result"])).find(id="propose-award") is None
        assert ann.post(urls(world)["propose"], form_url=urls(world)["award"]).status_code == 403


def test_a_buyer_assigned_as_evaluator_sees_no_bid_until_they_declare(app, world, person):
    submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        evaluation_service.assign_evaluator(world.buyer_user, world.opportunity, world.buyer_user)
        sealing.open_bids(world.buyer_user, world.opportunity)
        bea = person(BUYER)
        for page in ("evaluation", "result"):
            response = bea.get(urls(world)[page])
            assert response.status_code in (302, 403), page
            assert b"Supplier 1 CIC" not in response.data


def _evaluation_links(response):
    return {text(a): a["href"] for a in soup(response).select("#evaluation-links a")}


def test_the_opportunity_page_offers_only_the_evaluation_pages_its_reader_may_open(world, person):
    """An evaluator's own page for those assigned; the evaluation and the award decision for
    those who may oversee it (the buyer and approver roles); nothing for an evaluator not yet
    assigned. Each link offered opens."""
    bea, eve, ann = person(BUYER), person(EVE), person(ANN)
    manage = urls(world)["manage"]
    assert _evaluation_links(bea.get(manage)) == {"Evaluation": urls(world)["evaluation"]}
    assert _evaluation_links(ann.get(manage)) == {"Evaluation": urls(world)["evaluation"]}
    assert _evaluation_links(eve.get(manage)) == {}
    assert soup(eve.get(manage)).find(id="evaluation-links") is None

    assign(bea, world, EVE)
    assert _evaluation_links(eve.get(manage)) == {"Evaluate the bids": urls(world)["evaluate"]}
    # Made an evaluator herself, the buyer sees no evaluation until she has declared.
    assign(bea, world, BUYER)
    assert _evaluation_links(bea.get(manage)) == {"Evaluate the bids": urls(world)["evaluate"]}
    assert declare(bea, world).status_code == 302
    assert _evaluation_links(bea.get(manage)) == {
        "Evaluation": urls(world)["evaluation"],
        "Evaluate the bids": urls(world)["evaluate"],
    }
    for who in (bea, eve, ann):
        for href in _evaluation_links(who.get(manage)).values():
            assert who.get(href).status_code in (200, 302), href
