"""Factory functions for tests: rows made through the services where a rule matters."""

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.organisations.models import Membership, Organisation, Role
from app.timeutil import utcnow

PASSWORD = "correct horse battery"
_HASH = None


def make_user(
    email="sam@example.org", name="Sam Supplier", confirmed=True, admin=False, password=PASSWORD
):
    global _HASH
    if password == PASSWORD:
        _HASH = _HASH or hash_password(PASSWORD)
        password_hash = _HASH
    else:
        password_hash = hash_password(password)
    user = User(
        email=email.lower(),
        name=name,
        password_hash=password_hash,
        email_confirmed_at=utcnow() if confirmed else None,
        is_admin=admin,
        password_changed_at=utcnow(),
    )
    db.session.add(user)
    db.session.commit()
    return user


SUPPLIER_DEFAULTS = {
    "supplier_type": "cio",
    "charity_number": "1234567",
    "address": "1 Canal Street\nLeeds",
    "postcode": "LS1 4AB",
    "local_authority_code": "LDS",
    "region_code": "TLE",
    "staff_band": "10-49",
    "turnover_band": "100k_1m",
    "description": "We run lunch clubs and befriending for older people in Leeds.",
    "website": "https://www.example.org",
}
BUYER_DEFAULTS = {"buyer_type": "local_authority", "region_code": "TLE"}


def make_organisation(kind="supplier", owner=None, name=None, members=(), **fields):
    """An organisation with ``owner`` (made if not given) as its owner and ``members`` as members.
    Fields default to a valid profile; pass any column to change it."""
    defaults = SUPPLIER_DEFAULTS if kind == "supplier" else BUYER_DEFAULTS
    values = {**defaults, **fields}
    organisation = Organisation(
        kind=kind,
        name=name
        or ("Riverside Community Care CIO" if kind == "supplier" else "Leeds City Council"),
        **values,
    )
    db.session.add(organisation)
    db.session.flush()
    if owner is None:
        owner = make_user(email=f"owner{organisation.id}@example.org", name="Olu Owner")
    db.session.add(Membership(user_id=owner.id, organisation_id=organisation.id, role=Role.OWNER))
    for member in members:
        db.session.add(
            Membership(user_id=member.id, organisation_id=organisation.id, role=Role.MEMBER)
        )
    db.session.commit()
    return organisation


def make_membership(organisation, user, role="member"):
    membership = Membership(user_id=user.id, organisation_id=organisation.id, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership
