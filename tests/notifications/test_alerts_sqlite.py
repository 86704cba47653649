"""`make run` (SQLite, inline jobs): the demo's alert settings bring alerts and digests, matched
with SQLite's JSON functions and the plain keyword fallback."""

import sqlalchemy as sa

from app.demo import seed
from app.extensions import db
from app.outbox.models import OutboxMessage


def test_demo_alerts_on_sqlite(sqlite_app):
    accounts = dict((email, role) for role, email in seed()["alerts"])
    assert accounts["news@community-paper.example"] == "Follows a saved search (daily)"
    sent = db.session.execute(
        sa.select(OutboxMessage.template, OutboxMessage.recipient).where(
            OutboxMessage.template.in_(["opportunity_alert", "opportunity_digest"])
        )
    ).all()
    # Jo's keywords (food, meals, lunch club) find the meals and lunch club opportunities.
    assert ("opportunity_alert", "jo@greenfield-food.example") in sent
    assert ("opportunity_digest", "news@community-paper.example") in sent
    assert not any(r == "tom@northern-lights.example" for _, r in sent)  # never
    before = len(sent)
    seed()  # again: nothing twice
    assert (
        db.session.execute(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template.in_(["opportunity_alert", "opportunity_digest"]))
        ).scalar()
        == before
    )
    client = sqlite_app.test_client()
    assert client.get("/opportunities/alerts/new?q=meals").status_code == 200
