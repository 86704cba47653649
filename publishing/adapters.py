"""Where published notices are sent beyond this product: the ``notice_publisher`` adapter, chosen
by ``NOTICE_PUBLISHER``. The product does not send notices to Find a Tender (the Central Digital
Platform needs credentials from the Cabinet Office), so the only adapter is ``none``; one that
sends would be added to ``PUBLISHERS`` and run as a job after the notice's transaction commits."""

from flask import current_app

from app.extensions import db
from app.queue import enqueue


class NoPublisher:
    """Publishes nowhere else: the notice page, the API and the bulk file are its publication."""

    name = "none"

    def send(self, notice):
        return None


PUBLISHERS = {"none": NoPublisher}


def publisher_name(config=None):
    return (config if config is not None else current_app.config).get("NOTICE_PUBLISHER", "none")


def publisher(config=None):
    name = publisher_name(config)
    if name not in PUBLISHERS:
        raise ValueError(f"Unknown NOTICE_PUBLISHER {name!r}; known: {', '.join(PUBLISHERS)}")
    return PUBLISHERS[name]()


def send_notice(notice_id):
    """Job: hand a published notice to the configured publisher. Safe to run again: a publisher
    must treat the release id as its idempotency key."""
    from publishing.models import Notice

    notice = db.session.get(Notice, notice_id)
    if notice is None or not notice.is_published:
        return None
    return publisher().send(notice)


def enqueue_send(notice_id):
    return enqueue(send_notice, notice_id, job_id=f"send_notice-{notice_id}")
