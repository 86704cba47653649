"""Call-offs under the DPS's lots, one sub-package per stage, each importing only those before it:
``opportunities`` (buyers, lots' scope, call-offs, invitations, clarifications) ← ``search``
and ``pipeline`` (planned call-offs, interest, engagement events; neither names the other) ←
``bids`` ← ``evaluation`` (sealing, scoring, moderation) ← ``awards`` (letters, standstill,
contracts, social value delivered). ``blueprint`` and ``permissions`` sit below them all.
"""

from pathlib import Path

from app import records, recovery, schedule
from app.audit.queries import hide_while
from app.documents.access import register_reader
from app.documents.models import LIBRARY_PURPOSES, DocumentPurpose
from app.templating import add_template_folder
from dps.hooks import after_admission, provide_lot_areas

HERE = Path(__file__).resolve().parent
STAGES = ("opportunities", "pipeline", "search", "bids", "evaluation", "awards")


def init_app(app):
    """Add the stages' pages, templates, document readers, audit filter, hooks, the records
    command and scheduled jobs to ``app``."""
    # The stages are imported here, when the app is built, not at the top: importing one stage's
    # models (which loads this package first) must never load every stage's views.
    from lots.awards import (
        contracts,
        evidence,
        evidence_views,  # noqa: F401  (pages of the blueprint)
        letters,
        retention,
        return_views,  # noqa: F401  (pages of the blueprint)
        returns,
    )
    from lots.awards import permissions as award_permissions
    from lots.awards import queries as awards
    from lots.awards import views as award_views  # noqa: F401  (pages of the blueprint)
    from lots.awards.cli import records_cli, social_value_cli
    from lots.bids import submitting
    from lots.bids.views import (  # noqa: F401
        answers,
        attachments,
        check,
        help_to_bid,  # noqa: F401  (readiness and the partner board)
        partners,
        sections,
        wish_pledges,
    )
    from lots.bids.views import overview as bid_overview
    from lots.blueprint import bp
    from lots.evaluation import access as bid_access
    from lots.evaluation import hooks as evaluation_hooks
    from lots.evaluation.views import evaluators, moderation, overview, result  # noqa: F401
    from lots.opportunities import hooks as opportunity_hooks
    from lots.opportunities import lot_scope
    from lots.opportunities import permissions as tender_permissions
    from lots.opportunities import services as opportunities
    from lots.opportunities.invitations import invite_late_admission, recover_invitations
    from lots.opportunities.views import (  # noqa: F401
        admin,
        bid_requirements,
        buyer,
        drafting,
        public,
        published,
        publishing,
    )
    from lots.pipeline import services as pipeline
    from lots.pipeline import views as pipeline_views
    from lots.search import cache as search_cache
    from lots.search import exports as search_exports  # noqa: F401  (the feed and download)
    from lots.search import views as search_views  # noqa: F401

    for stage in STAGES:
        add_template_folder(app, HERE / stage / "templates")
    app.register_blueprint(bp)
    register_reader(DocumentPurpose.TENDER_DOCUMENT, tender_permissions.invited_supplier_may_read)
    register_reader(
        DocumentPurpose.BID_ATTACHMENT, bid_access.buyer_or_evaluator_may_read_bid_attachment
    )
    register_reader(
        DocumentPurpose.SOCIAL_VALUE_EVIDENCE, award_permissions.buyer_may_read_return_evidence
    )
    for purpose in LIBRARY_PURPOSES:
        register_reader(purpose, evidence.buyer_may_read_evidence)
    hide_while(bid_access.sealed_bid_events)
    after_admission(invite_late_admission)
    provide_lot_areas(lambda lot_id: lot_scope.scope_of(lot_id)[1])
    opportunity_hooks.on_price_schedule_change(submitting.reopen_submitted)
    public.add_supplier_panel(bid_overview.bid_panel)
    public.add_lot_panel(pipeline_views.lot_panel)
    opportunity_hooks.on_publish(pipeline.on_call_off_published)
    evaluation_hooks.find_awards_with(awards.award_of)
    search_cache.init_app(app)
    app.cli.add_command(records_cli)
    app.cli.add_command(social_value_cli)
    records.add(app, retention.privacy_notice)
    schedule.add(
        app,
        schedule.Entry(
            "mark-closed",
            opportunities.mark_closed,
            "minutes",
            15,
            description="Record opportunities that passed their deadline",
        ),
        schedule.Entry(
            "enter-contracts",
            contracts.enter_due_contracts,
            "hour",
            at=(0, 20),
            description="Enter the contracts whose standstill has ended",
        ),
        schedule.Entry(
            "social-value-returns",
            returns.remind_returns,
            "day",
            at=(8, 0),
            description="Remind suppliers of social value returns due, and flag overdue ones "
            "to them and their buyers",
        ),
        schedule.Entry(
            "expire-records",
            retention.expire_records,
            "day",
            at=(2, 30),
            description="Erase personal data in call-offs' records once their retention "
            "period is over (flask records expire)",
        ),
    )
    recovery.add(
        app,
        recovery.Recoverer(
            "invitations", recover_invitations, "invitation fan-outs of published opportunities"
        ),
        recovery.Recoverer("award-letters", letters.recover_letters, "letters to bidders"),
    )
