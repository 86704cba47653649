"""Demo data for `flask seed-demo`: every feature adds to it, so `make run` shows it working.

Safe to run again: each step looks for what it would make and adds only what is missing.
Organisations and their members are made through the services, so the audit log and outbox read as
they would.
"""

from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from app import permissions
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.extensions import db
from app.organisations import invitations, queries, services
from app.timeutil import utcnow

DEMO_PASSWORD = "demo password 2026"


class DemoAccount(NamedTuple):
    """A demo sign-in as `flask seed-demo` lists it: who they are and what to try as them."""

    email: str
    name: str
    organisation: str
    role: str  # one line: their part, and what to try signed in as them


ADMIN = ("admin@vcse-dps.example", "Ada Administrator")
ADMIN_ROLE = (
    "Platform administrator: work the admission queue (Northern Lights waits for a decision, "
    "Greenfield for an answer), approve buyers, load the debarment list"
)

SUPPLIERS = [
    {
        "owner": ("rosa@riverside-care.example", "Rosa Okafor"),
        "member": ("dev@riverside-care.example", "Dev Sharma"),
        "owner_role": "Supplier owner: admitted to lots 1 and 2; won Home from hospital support "
        "in Leeds (letter, contract) and bid for Welcome home visits",
        "member_role": "Supplier member: finish the half-written bid for Community meals in "
        "Bradford",
        "details": {
            "name": "Riverside Community Care CIO",
            "supplier_type": "cio",
            "charity_number": "1187654",
            "address": "Riverside House\n12 Kirkstall Road\nLeeds",
            "postcode": "LS3 1HS",
            "local_authority_code": "LDS",
            "staff_band": "10-49",
            "turnover_band": "100k_1m",
            "description": "We support older and disabled people to live well at home in Leeds: "
            "home visits, befriending, lunch clubs and help after a stay in "
            "hospital. Most of our volunteers live in the neighbourhoods they "
            "serve.",
            "website": "https://www.riverside-care.example",
            "directory_email": "hello@riverside-care.example",
            "directory_phone": "0113 496 0123",
            "directory_show_website": True,
        },
    },
    {
        "owner": ("maya@northern-lights.example", "Maya Brennan"),
        "member": ("tom@northern-lights.example", "Tom Kowalski"),
        "owner_role": "Supplier owner: admitted to the supported employment lot (so may bid for "
        "the reserved parks call-off), waiting for a decision on employment support",
        "member_role": "Supplier member: email alerts turned off (see Your account, Email alerts)",
        "details": {
            "name": "Northern Lights Social Enterprise CIC",
            "trading_name": "Northern Lights",
            "supplier_type": "cic",
            "company_number": "11223344",
            "address": "Unit 4, Ancoats Works\n50 Great Ancoats Street\nManchester",
            "postcode": "M4 5AB",
            "local_authority_code": "MAN",
            "staff_band": "1-9",
            "turnover_band": "100k_1m",
            "description": "A community interest company that trains and employs young people "
            "leaving care in grounds maintenance, painting and small repairs for "
            "housing providers across Greater Manchester.",
            "website": "https://northern-lights.example",
        },
    },
    {
        "owner": ("jo@greenfield-food.example", "Jo Adeyemi"),
        "member": ("sam@greenfield-food.example", "Sam Price"),
        "owner_role": "Supplier owner: answer the operator's clarification question on the "
        "application for community meals",
        "member_role": "Supplier member: follow the application the operator is asking about",
        "details": {
            "name": "Greenfield Food Co-operative",
            "supplier_type": "cooperative",
            "society_number": "31234R",  # on the Mutuals Public Register: GB-MPR in open data
            "address": "The Old Dairy\n3 Mina Road\nBristol",
            "postcode": "BS2 9XE",
            "local_authority_code": "BST",
            "staff_band": "10-49",
            "turnover_band": "1m_10m",
            "description": "A workers' co-operative supplying fresh, local food to schools, "
            "nurseries and community cafes in Bristol, with cookery classes for "
            "families on low incomes.",
            "website": "https://greenfield-food.example",
        },
    },
]

BUYERS = [
    {
        "owner": ("buyer@leeds-council.example", "Priya Patel"),
        "owner_role": "Buyer owner (every role): publish a call-off, answer suppliers' "
        "questions; see the awarded Home from hospital support and its contract",
        "details": {
            "name": "Leeds City Council",
            "buyer_type": "local_authority",
            "region_code": "TLE",
        },
    },
    {
        "owner": ("buyer@pennine-housing.example", "Gareth Hughes"),
        "owner_role": "Buyer owner, moderator of Welcome home visits: declare no conflict, "
        "score, then moderate once every evaluator has submitted",
        "details": {
            "name": "Pennine Housing Association",
            "buyer_type": "housing_association",
            "region_code": "TLE",
        },
    },
    {
        "owner": ("buyer@wy-icb.example", "Helen Clarke"),
        "owner_role": "Buyer owner: two open call-offs and a cancelled one; follows a saved "
        "search by email",
        "details": {
            "name": "NHS West Yorkshire ICB",
            "buyer_type": "nhs_body",
            "region_code": "TLE",
        },
    },
]


def user(email, name, admin=False):
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(DEMO_PASSWORD),
            email_confirmed_at=utcnow(),
            password_changed_at=utcnow(),
            is_admin=admin,
        )
        db.session.add(user)
        db.session.flush()
    return user


def make_organisation(kind, spec):
    """The organisation named in ``spec``, made with its owner if it is not there yet."""
    owner = user(*spec["owner"])
    db.session.commit()
    organisation = queries.find_organisation(kind, spec["details"]["name"])
    if organisation is None:
        create = services.create_supplier if kind == "supplier" else services.create_buyer
        organisation = create(owner, spec["details"])
    return organisation, owner


def add_member(organisation, owner, email, name):
    """Invite ``email`` and accept as them, unless they already belong."""
    member = user(email, name)
    db.session.commit()
    if not permissions.is_member(member, organisation.id):
        # An invitation left unaccepted by an interrupted run is withdrawn and sent again.
        for pending in queries.pending_invitations(organisation.id, email=email):
            invitations.revoke_invitation(owner, pending)
        _invitation, token = invitations.invite_member(owner, organisation, email)
        invitations.accept_invitation(member, token)
    return member


def seed_people():
    """The administrator, the demo suppliers (an owner and a member each) and buyers. Returns the
    administrator and their ``DemoAccount``s, to print."""
    admin = user(*ADMIN, admin=True)
    db.session.commit()
    accounts = [
        DemoAccount(admin.email, admin.name, current_app.config["OPERATOR_NAME"], ADMIN_ROLE)
    ]
    for spec in SUPPLIERS:
        organisation, owner = make_organisation("supplier", spec)
        member = add_member(organisation, owner, *spec["member"])
        accounts.append(account(owner, organisation, spec["owner_role"]))
        accounts.append(account(member, organisation, spec["member_role"]))
    for spec in BUYERS:
        organisation, owner = make_organisation("buyer", spec)
        accounts.append(account(owner, organisation, spec["owner_role"]))
    return admin, accounts


def account(person, organisation, role):
    return DemoAccount(person.email, person.name, organisation.display_name, role)
