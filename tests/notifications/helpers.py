"""Reading the outbox afresh from the database, and the accounts the tests register."""

import sqlalchemy as sa

from app.accounts import services
from app.extensions import db
from app.outbox.models import OutboxMessage
from tests.factories import PASSWORD


def outbox_rows():
    db.session.expire_all()
    return db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def outbox_row(message_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def register(email="ada@example.org", name="Ada Lovelace"):
    """Register through the accounts service, which writes a confirm_email row to the outbox."""
    return services.register(email, name, PASSWORD)
