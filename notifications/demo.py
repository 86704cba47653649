"""Demo alert settings for `flask seed-demo`: supplier people with different preferences, a buyer
and a member of the public following saved searches, then the alerts and digests they would get
(readable at /dev/outbox). Safe to run again: settings are looked up by person, and alerts and
digests never send anything twice."""

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.organisations import queries
from app.timeutil import utcnow
from lots.opportunities.models import Opportunity, OpportunityStatus
from notifications import preferences
from notifications.alerts import send_opportunity_alerts
from notifications.digests import send_digests
from notifications.models import AlertFrequency, AlertKind, AlertSubscription

# (email, organisation, settings): what each demo supplier person has chosen.
SUPPLIER_SETTINGS = [
    (
        "rosa@riverside-care.example",
        "Riverside Community Care CIO",
        {
            "frequency": "instant",
            "admitted_lots": True,
            "cpv_divisions": ["85"],
            "area_codes": ["TLE"],
        },
    ),
    (
        "dev@riverside-care.example",
        "Riverside Community Care CIO",
        {
            "frequency": "daily",
            "admitted_lots": False,
            "keywords": "befriending, lunch club, older people",
        },
    ),
    (
        "maya@northern-lights.example",
        "Northern Lights Social Enterprise CIC",
        {
            "frequency": "weekly",
            "admitted_lots": False,
            "area_codes": ["TLD", "TLE"],
            "max_value_pence": 10_000_000,
        },
    ),
    (
        "tom@northern-lights.example",
        "Northern Lights Social Enterprise CIC",
        {"frequency": "never", "admitted_lots": True},
    ),
    (
        "jo@greenfield-food.example",
        "Greenfield Food Co-operative",
        {"frequency": "instant", "admitted_lots": False, "keywords": "food, meals, lunch club"},
    ),
]
# (email, search page filters, frequency): saved searches, already confirmed.
SEARCHES = [
    ("buyer@wy-icb.example", {"q": "befriending", "region": "TLE"}, "weekly"),
    ("news@community-paper.example", {"cpv": "85", "vcse": "1"}, "daily"),
]


def seed():
    """Returns [(what, email)] for `flask seed-demo` to list."""
    shown = []
    for email, organisation_name, settings in SUPPLIER_SETTINGS:
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
        organisation = queries.find_organisation("supplier", organisation_name)
        if user is None or organisation is None:
            continue
        if preferences.preference_for(user, organisation).id is None:
            preferences.save_preferences(user, organisation, **settings)
        how = preferences.FREQUENCY_LABELS[AlertFrequency(settings["frequency"])]
        shown.append((f"Alerts: {how.lower()}", email))
    for email, args, frequency in SEARCHES:
        exists = db.session.execute(
            sa.select(AlertSubscription.id).where(
                AlertSubscription.kind == AlertKind.SEARCH, AlertSubscription.email == email
            )
        ).first()
        if exists is None:
            sub = preferences.search_subscription(args, email, frequency)
            sub.confirmed_at = utcnow()
            db.session.add(sub)
            db.session.commit()
        shown.append((f"Follows a saved search ({frequency})", email))
    # What they would have heard about the demo opportunities (published before they chose).
    published = (
        db.session.execute(
            sa.select(Opportunity.id)
            .where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.submission_deadline > utcnow(),
            )
            .order_by(Opportunity.id)
        )
        .scalars()
        .all()
    )
    for opportunity_id in published:
        send_opportunity_alerts(opportunity_id)
    send_digests("daily")
    send_digests("weekly")
    return shown
