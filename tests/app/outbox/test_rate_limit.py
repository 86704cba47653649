"""The Notify rate limit is shared by every worker through Redis: together they never send more
than the limit in a window, and a worker past it waits for the next window."""

import uuid

from app.outbox.backends import NotifyBackend
from app.outbox.ratelimit import SharedRateLimit
from app.queue import redis_connection


class Clock:
    def __init__(self, now):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_two_workers_share_one_limit(app):
    clock = Clock(60 * 16_667 + 20.0)  # 20 s into a minute
    key = f"test-notify:{uuid.uuid4()}"
    workers = [
        SharedRateLimit(redis_connection(), key, 3, 60, clock=clock, sleep=clock.sleep)
        for _ in range(2)
    ]
    waits = [workers[i % 2].acquire() for i in range(7)]
    # Three fit in the first window; the 4th waits 40 s for the next; 7th waits for the third.
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == 40 and waits[4:6] == [0, 0] and waits[6] == 60
    assert clock.slept == [40, 60]


def test_notify_backend_takes_a_number_before_each_send(app, monkeypatch):
    app.config.update(
        NOTIFY_API_KEY="test-" + "a" * 36 + "-" + "b" * 36,
        NOTIFY_TEMPLATE_ID="t",
        NOTIFY_RATE_LIMIT_PER_MINUTE=2,
    )
    backend = NotifyBackend(app.config)
    taken = []
    monkeypatch.setattr(backend.rate_limit, "acquire", lambda: taken.append(1) or 0)
    monkeypatch.setattr(
        backend.client, "send_email_notification", lambda **kwargs: {"id": kwargs["reference"]}
    )

    class Email:
        recipient, subject, text, reference, headers = "a@b.example", "S", "T", "r1", {}

    assert backend.send(Email()) == "r1"
    assert taken == [1]
