"""The draft's "What bidders must hold" page: insurance levels, policies, and whether only the
preferred bidder gives the documents (``lots.opportunities.requirements``)."""

from flask import render_template

from app.errors import ServiceError
from app.web import me, refused
from lots.blueprint import bp
from lots.opportunities import requirements as rules
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.requirement_forms import RequirementsForm
from lots.opportunities.views.area import (
    buyer_area,
    buyers_opportunity,
    opportunity_page,
    to_manage,
)
from lots.opportunities.views.drafting import _only_a_draft

FIELDS = {f"{key}_pence": key for key in rules.INSURANCE}


@bp.app_template_global("bid_requirements")
def bid_requirements(opportunity):
    """What the call-off asks bidders to hold, or None (for its public page)."""
    row = rules.requirements_of(opportunity.id)
    if row is None or not (row.insurance_levels() or row.policies or row.evidence_from_winner_only):
        return None
    return row


@opportunity_page("/bidders-must-hold", methods=("GET", "POST"))
def edit_bid_requirements(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    if opportunity.status != OpportunityStatus.DRAFT:
        return _only_a_draft(opportunity)
    form = RequirementsForm(data=RequirementsForm.initial(rules.requirements_of(opportunity.id)))
    if form.validate_on_submit():
        try:
            rules.set_requirements(me(), opportunity, **form.values())
        except ServiceError as exc:
            refused(form, exc, "employers_liability", FIELDS)
        else:
            return to_manage(opportunity)
    return render_template(
        "lots/buyer_bid_requirements.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
    )
