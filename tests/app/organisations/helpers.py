"""What the organisation service tests share: a profile as typed, and reading what the services
wrote (rows, audit events, emails)."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Membership

SUPPLIER = {
    "name": "  Riverside Community Care CIO ",
    "trading_name": "",
    "supplier_type": "cio",
    "charity_number": "1187654",
    "company_number": "",
    "address": "12 Kirkstall Road\nLeeds",
    "postcode": "ls3 1hs",
    "local_authority_code": "LDS",
    "staff_band": "10-49",
    "turnover_band": "100k_1m",
    "description": "We support older people to live well at home.",
    "website": "www.riverside-care.example",
}
BUYER = {"name": "Leeds City Council", "buyer_type": "local_authority", "region_code": "TLE"}


def role_of(user, organisation):
    membership = db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    ).scalar_one_or_none()
    return membership.role if membership else None


def token_from(message):
    return urlsplit(message.personalisation["accept_url"]).path.rsplit("/", 1)[1]
