"""Demo data for `flask seed-demo` (safe to run again): every package adds its part, in the order
they build on each other, so `make run` shows each feature working. The shell may import the
feature packages here (and in create_app and the CLI) and nowhere else.

``close_call_off`` is `flask demo close-call-off`: in development only, it moves a demo call-off's
deadline into the past, so that what happens after a deadline can be seen without waiting."""

from app.demo.people import DEMO_PASSWORD, DemoAccount, seed_people
from app.extensions import db
from dps import demo as dps_demo
from insight import demo as insight_demo
from lots.awards import demo as award_demo
from lots.bids import demo as bid_demo
from lots.evaluation import demo as evaluation_demo
from lots.opportunities import demo as opportunity_demo
from lots.opportunities.demo import close_call_off, open_call_offs
from lots.pipeline import demo as pipeline_demo
from notifications import demo as alert_demo
from publishing import demo as notice_demo
from spend import demo as spend_demo

__all__ = ["DEMO_PASSWORD", "DemoAccount", "close_call_off", "open_call_offs", "seed"]


def seed():
    admin, accounts = seed_people()
    # The DPS, its lots and applications in every state the operator meets.
    dps = dps_demo.seed(admin)
    # Help to bid: the operator's guidance on every call-off question kind and standard question.
    dps_demo.seed_guidance(admin)
    # The buyers approved and joined to it, what its lots cover, and opportunities to bid for.
    opportunity_demo.seed(admin, dps)
    # The buyers' pipeline of planned work, with the suppliers' interest and an engagement event.
    pipeline_demo.seed(dps)
    # Patch-based homecare: eight patches with conditions, providers holding some, one flagged.
    accounts.extend(opportunity_demo.seed_patches(admin, dps))
    # Wakefield Council's call-offs that raise the operator's integrity flags.
    spend_demo.seed_call_offs(admin)
    # The demo suppliers' bids for the open opportunities.
    bid_demo.seed_bids()
    # Help to bid: a partly ready checklist for Riverside and a post on a partner board.
    bid_demo.seed_help_to_bid()
    # A call-off whose deadline has passed, its bids opened, ready for its evaluators to score.
    to_score = evaluation_demo.seed_call_off_to_score()
    # An awarded call-off, its letters and contract.
    award_demo.seed_awards()
    # An evaluator colleague at the buyer, assigned to an open call-off, not yet declared.
    evaluation_demo.seed_evaluator()
    db.session.commit()
    accounts.extend(evaluation_demo.demo_accounts())
    accounts.extend(award_demo.demo_accounts())
    accounts.extend(evaluation_demo.scorer_accounts())
    # Alert settings and saved searches, and the alerts and digests they bring (/dev/outbox).
    alerts = alert_demo.seed()
    # Two councils' payments files imported (Leeds and Wakefield), the registers that classify
    # their suppliers, and the contract's spend: where the money goes, and the gaps.
    spend_demo.seed(admin)
    accounts.extend(spend_demo.demo_accounts())
    # West Yorkshire: a place whose buyers share social value measures, and its public page.
    insight_demo.seed()
    # Their contracts' spend, as the award's hook adds it.
    spend_demo.seed_contract_spend()
    accounts.extend(insight_demo.demo_accounts())
    # The notices the demo's DPS, call-offs and contracts wrote as they were seeded; one
    # contract details notice published, and the bulk file of every OCDS release written.
    notice_demo.seed()
    return {
        "password": DEMO_PASSWORD,
        "accounts": accounts,
        "alerts": alerts,
        "to_score": to_score,
        "evaluator": evaluation_demo.EVALUATOR[0],
    }
