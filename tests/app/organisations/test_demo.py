"""The demo seed: believable organisations with owners and members, and safe to run twice."""

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.demo import DEMO_PASSWORD, seed
from app.extensions import db
from app.organisations.models import Invitation, Membership, Organisation, Role
from app.outbox.models import OutboxMessage


def counts():
    return {
        model.__tablename__: db.session.execute(
            sa.select(sa.func.count()).select_from(model)
        ).scalar_one()
        for model in (User, Organisation, Membership, Invitation, AuditEvent, OutboxMessage)
    }


def roles(name):
    organisation = db.session.execute(
        sa.select(Organisation).where(Organisation.name == name)
    ).scalar_one()
    return organisation, sorted((m.role.value, m.user.email) for m in organisation.memberships)


def test_seed_makes_suppliers_and_buyers_with_their_people(app, seeded_demo):
    result = seeded_demo
    assert result["password"] == DEMO_PASSWORD
    accounts = {account.email: account for account in result["accounts"]}
    assert accounts["admin@vcse-dps.example"].role.startswith("Platform administrator")

    riverside, people = roles("Riverside Community Care CIO")
    assert riverside.is_supplier and riverside.charity_number == "1187654"
    assert riverside.local_authority_code == "LDS" and riverside.region_code == "TLE"
    assert [role for role, _email in people] == ["member", "owner"]
    for _role, email in people:
        assert email in accounts

    northern, people = roles("Northern Lights Social Enterprise CIC")
    assert northern.supplier_type == "cic" and northern.company_number == "11223344"
    assert northern.region_code == "TLD"
    greenfield, people = roles("Greenfield Food Co-operative")
    assert greenfield.region_code == "TLK" and len(people) == 2

    for name, buyer_type in [
        ("Leeds City Council", "local_authority"),
        ("Pennine Housing Association", "housing_association"),
        ("NHS West Yorkshire ICB", "nhs_body"),
    ]:
        buyer, people = roles(name)
        assert buyer.buyer_type == buyer_type
        # Leeds also has an approver (the awarded call-off needs a second pair of eyes) and an
        # evaluator with that role alone; Pennine an evaluator (its call-off waiting to be scored).
        assert [role for role, _email in people] == {
            "Leeds City Council": ["member", "member", "owner"],
            "Pennine Housing Association": ["member", "owner"],
            "NHS West Yorkshire ICB": ["owner"],
        }[name]
        assert all(email in accounts for _role, email in people)

    # Every demo account can sign in: confirmed, with the demo password.
    users = db.session.execute(sa.select(User)).scalars().all()
    assert {u.email for u in users} == set(accounts)
    assert all(u.is_confirmed for u in users)
    # Made through the services: the audit log tells the story.
    kinds = {e.event_type for e in db.session.execute(sa.select(AuditEvent)).scalars()}
    assert {"create_organisation", "invite_member", "accept_invitation"} <= kinds


def test_seed_twice_adds_nothing(app, seeded_demo):
    """Seeding on a copy of a seeded database (tests/demo_copy.py) is seeding twice."""
    first = seeded_demo
    before = counts()
    second = seed()
    assert counts() == before
    assert second["accounts"] == first["accounts"]
    assert (
        db.session.execute(
            sa.select(sa.func.count()).select_from(Membership).where(Membership.role == Role.OWNER)
        ).scalar_one()
        # the 8 suppliers and buyers, 3 homecare providers holding patches, Wakefield Council
        # (made by the spend demo) and Gipton Friends Lunch Club (the wish list's community group)
        == 13
    )
