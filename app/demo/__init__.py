"""Demo data for `flask seed-demo` (safe to run again): every package adds its part, in the order
they build on each other, so `make run` shows each feature working. The shell may import the
feature packages here (and in create_app and the CLI) and nowhere else."""

from app.demo.people import DEMO_PASSWORD, seed_people
from app.extensions import db
from dps import demo as dps_demo
from lots.awards import demo as award_demo
from lots.bids import demo as bid_demo
from lots.evaluation import demo as evaluation_demo
from lots.opportunities import demo as opportunity_demo
from notifications import demo as alert_demo
from spend import demo as spend_demo

__all__ = ["DEMO_PASSWORD", "seed"]


def seed():
    admin, accounts = seed_people()
    # The DPS, its lots and applications in every state the operator meets.
    dps = dps_demo.seed(admin)
    # The buyers approved and joined to it, what its lots cover, and opportunities to bid for.
    opportunity_demo.seed(admin, dps)
    # The demo suppliers' bids for the open opportunities.
    bid_demo.seed_bids()
    # An awarded call-off, its letters and contract (and its second bidder's account).
    award_demo.seed_awards()
    # An evaluator colleague at the buyer, assigned to an open call-off, not yet declared.
    evaluation_demo.seed_evaluator()
    db.session.commit()
    accounts.extend(award_demo.demo_accounts())
    accounts.extend(evaluation_demo.demo_accounts())
    # Alert settings and saved searches, and the alerts and digests they bring (/dev/outbox).
    alerts = alert_demo.seed()
    # Leeds City Council's payments file imported, and the contract's spend: where the money goes.
    spend_demo.seed()
    return {"password": DEMO_PASSWORD, "accounts": accounts, "alerts": alerts}
