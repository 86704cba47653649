"""Builders for pipeline tests: a listed item, a supplier with its people, an event."""

from datetime import datetime, timezone

from app.extensions import db
from app.organisations.models import Membership, Role
from lots.pipeline import services as pipeline
from tests.factories import make_user
from tests.lots.helpers import supplier

# Thursday 3 December 2026, 10:00 UTC: the window runs to 3 June 2028.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
EVENT_AT = datetime(2027, 1, 14, 14, 0, tzinfo=timezone.utc)


def list_item(user, buyer, lot, **overrides):
    fields = dict(
        title="Befriending for older people in Leeds",
        description="Weekly befriending visits for 60 older people across Leeds.",
        estimated_value_pence=4_000_000,
        expected_year=2027,
        expected_quarter=2,
        contact_name="Bea Buyer",
        contact_email="bea@leeds.example",
    )
    fields.update(overrides)
    return pipeline.create_item(user, buyer, lot, **fields)


def supplier_with_colleague(name, email, colleague_email):
    """(owner, organisation): a supplier with a second member, so emails go to both."""
    owner, org = supplier(name, email)
    colleague = make_user(email=colleague_email, name=f"{name} colleague")
    db.session.add(Membership(user_id=colleague.id, organisation_id=org.id, role=Role.MEMBER))
    db.session.commit()
    return owner, org


def add_event(user, item, capacity=20, **overrides):
    fields = dict(
        starts_at=EVENT_AT,
        place="Leeds Civic Hall, Calverley Street, Leeds LS1 1UR",
        link=None,
        details="Tell us what would make this work for small organisations.",
        capacity=capacity,
    )
    fields.update(overrides)
    return pipeline.create_event(user, item, **fields)
