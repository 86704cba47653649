"""Issue 15, items 2 and 3: Redis stopped while people publish, amend, answer, bid and sign in.
Nothing is refused and nothing is lost: the work is in the database, and the one recovery command
(`flask jobs recover`, run every minute by the scheduler) queues every kind of it again, once."""

from collections import Counter

from rq import SimpleWorker

from app.outbox.models import OutboxStatus
from app.queue import rq_queue
from lots.bids import submitting
from lots.opportunities import amendments, clarifications
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user
from tests.lots.bidding import bidding_world, complete_bid
from tests.notifications.helpers import outbox_rows


def drain():
    """Run queued jobs until none is left (a fan-out queues its sends)."""
    queue = rq_queue()
    for _ in range(10):
        if not queue.count:
            return
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    raise AssertionError("jobs kept coming")


def delivered(smtp):
    return Counter((m["To"].lower(), m["Subject"]) for m in smtp.messages)


def test_redis_down_during_publish_amend_answer_and_bid_recovery_sends_each_email_once(
    app, make_app, smtp, throwaway_redis, figures
):
    outage = make_app(
        MAIL_BACKEND="smtp",
        REDIS_URL=throwaway_redis.url(0),
        RATELIMIT_STORAGE_URI="memory://",
        SEARCH_CACHE_SECONDS=0,
    )
    throwaway_redis.stop()
    with outage.app_context():
        world = bidding_world(n_suppliers=3)  # published with Redis down: no job was queued
        opportunity = world.opportunity
        amendments.amend(
            world.buyer_user, opportunity, "Clearer description", description="Clearer words."
        )
        user, org = world.suppliers[0]
        question = clarifications.ask(user, org, opportunity, "Can we bid as a consortium?")
        clarifications.answer(world.buyer_user, question, "Yes, with a lead member.", True)
        submitting.submit(user, complete_bid(user, org, opportunity), conditions_confirmed=True)
        failed_requests = 0  # every one of those committed; only their jobs missed Redis
        assert smtp.messages == []

        throwaway_redis.start(port=throwaway_redis.port)
        assert rq_queue().count == 0  # nothing reached the queue
        result = outage.test_cli_runner().invoke(args=["jobs", "recover", "--idle", "0"])
        assert result.exit_code == 0, result.output
        assert "invitations: queued 1 " in result.output
        assert "recorded-jobs: queued 2 " in result.output  # the amendment and the answer
        drain()
        again = outage.test_cli_runner().invoke(args=["jobs", "recover", "--idle", "0"])
        assert "Queued 0 jobs." in again.output, again.output  # recovery is idempotent
        drain()
        assert {row.status for row in outbox_rows()} == {OutboxStatus.SENT}
        owners = [u.email for u, _ in world.suppliers]
        title = opportunity.title

    sent = delivered(smtp)
    expected = {
        (email, subject)
        for email in owners
        for subject in (
            f"New opportunity: {title}",
            f"An opportunity has changed: {title}",
            f"A question about {title} has been answered",
        )
    }
    received = {key for key in sent if key[0] in owners and not key[1].startswith("Bid received")}
    lost = len(expected - received)
    doubled = sum(n - 1 for n in sent.values())
    receipts = [key for key in sent if key[1].startswith("Bid received")]
    figures(requests_failed=failed_requests, emails_lost=lost, emails_doubled=doubled)
    assert lost == 0, sorted(expected - received)
    assert doubled == 0
    assert [key[0] for key in receipts] == [owners[0]]


def test_redis_down_during_sign_in_lets_people_sign_in(app, make_app, throwaway_redis, figures):
    make_user("ada@example.org")
    outage = make_app(
        REDIS_URL=throwaway_redis.url(0), RATELIMIT_STORAGE_URI=throwaway_redis.url(0)
    )
    throwaway_redis.stop()
    forms = Browserless(outage.test_client())
    response = forms.post("/sign-in", {"email": "ada@example.org", "password": PASSWORD})
    figures(status=response.status_code)
    assert response.status_code == 302
