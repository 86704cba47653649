"""Input that used to pass but should not (issue 15, item 11): bid answers are capped in length
(BID_ANSWER_MAX_CHARACTERS) with a message, words are counted as a person counts them (so a limit
cannot be dodged by leaving the spaces out), on the server and in the page's counter alike, and a
partner's name over its column's 300 characters is refused, not cut."""

import json
import subprocess
from pathlib import Path

import pytest

from app.errors import ServiceError
from app.extensions import db
from lots.bids import services as bids
from tests.lots.bidding import bidding_world, questions

ROOT = Path(__file__).resolve().parents[3]
OWNER = "owner1@supplier1.example"

SAMPLES = [
    ("", 0),
    ("  We recruit   volunteers locally. ", 4),
    ("well-being - for all — 100%", 4),  # a single hyphen joins; a lone dash is no word
    ("Café naïve\nrésumé", 3),
    ("care,support,advice", 3),
    ("care/support/advice", 3),
    ("care—support–advice", 3),  # em and en dashes
    ("care--support", 2),
    ("care;support:advice", 3),
    ("end.Start", 2),
    ("e.g. this, i.e. that", 4),
    ("1,000 people for 2.5 hours at 10:30", 7),
    ("£1,000.50", 1),
    ("state-of-the-art", 1),
    ("x" * 30, 1),
    ("x" * 31, 6),  # longer than any word: one per 6 characters
    ("https://example.org/path", 4),
]


@pytest.mark.parametrize(("text", "words"), SAMPLES)
def test_words_are_counted_as_a_person_counts_them(text, words):
    assert bids.count_words(text) == words


def test_an_answer_with_no_spaces_is_not_one_word():
    assert bids.count_words("x" * 2_000_000) == 333_334
    assert bids.count_words(",".join(["word"] * 1000)) == 1000


def test_the_pages_counter_counts_as_the_server_does():
    """app/static/word-count.js, run by Node on the same texts as the server's rule."""
    texts = [text for text, _ in SAMPLES] + ["ünïcödé—wörds/and,more", "a" * 95, "x\u0085y"]
    script = (
        f"import {{ countWords }} from '{ROOT / 'app/static/word-count.js'}';"
        f"console.log(JSON.stringify({json.dumps(texts)}.map(countWords)))"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert json.loads(result.stdout) == [bids.count_words(t) for t in texts]


@pytest.fixture
def world(app):
    return bidding_world()


def test_an_answer_longer_than_the_cap_is_refused_with_a_message(app, world):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    key = str(questions(world.opportunity)["quality"].id)
    longest = app.config["BID_ANSWER_MAX_CHARACTERS"]
    bids.save_draft(user, bid, answers={key: "x " * (longest // 2)})
    with pytest.raises(ServiceError, match=f"must be {longest:,} characters or fewer") as refused:
        bids.save_draft(user, bid, answers={key: "x" * (longest + 1)})
    assert refused.value.field == f"answer-{key}"
    db.session.rollback()
    assert len(bid.answers[key]) == longest


def test_autosave_refuses_a_huge_answer_and_keeps_the_saved_one(app, world, person):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    q = questions(world.opportunity)["quality"]
    base = f"/opportunities/{world.opportunity.id}/bid/questions/{q.id}"
    rosa = person(OWNER)
    rosa.post(f"{base}/autosave", {"answer": "We recruit locally."}, form_url=base)
    huge = rosa.post(
        f"{base}/autosave",
        {"answer": "x" * (app.config["BID_ANSWER_MAX_CHARACTERS"] + 1)},
        form_url=base,
    )
    assert huge.status_code == 400
    assert "characters or fewer" in huge.json["error"]["message"]
    db.session.expire_all()
    assert bid.answers[str(q.id)] == "We recruit locally."


def test_a_partner_name_longer_than_its_column_is_refused_not_cut(world):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    partner = {"name": "N" * 301, "role": "subcontractor", "share_percent": 10}
    with pytest.raises(ServiceError, match="300 characters or fewer") as refused:
        bids.set_partners(user, bid, [partner])
    assert refused.value.field == "partners-0-name"
    db.session.rollback()
    bids.set_partners(user, bid, [{**partner, "name": "N" * 300}])
    assert bid.partners[0].name == "N" * 300
