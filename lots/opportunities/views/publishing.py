"""Checking a buyer's draft before it goes out, sending it for approval, an approver's decision,
and publishing it (which invites the suppliers)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.errors import ServiceError
from app.reference import social_value
from app.web import me, refused
from lots.opportunities import buyers, queries, readiness
from lots.opportunities import services as opportunities
from lots.opportunities.draft_forms import ApproveForm, PublishForm
from lots.opportunities.forms import KIND_LABELS, QUESTION_KIND_LABELS, TIE_BREAKS
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.permissions import drafted_by
from lots.opportunities.views.area import (
    buyer_area,
    buyers_opportunity,
    opportunity_page,
    to_manage,
)
from lots.opportunities.views.drafting import section_url, where
from lots.opportunities.views.public import measures_of, reservation_words


def _render_check(organisation, opportunity, form):
    problems = (
        readiness.problems(opportunity)
        if opportunity.status == OpportunityStatus.DRAFT
        or opportunity.status == OpportunityStatus.APPROVED
        else {}
    )
    only_bank_holiday = bool(problems) and not readiness.problems(
        opportunity, acknowledge_bank_holiday=True
    )
    profile = buyers.profile(organisation.id)
    # The publishing form's refusals join the problems in one summary (so not ``form=``, which
    # would make the base template show a second one).
    return render_template(
        "lots/buyer_check.html",
        organisation=organisation,
        opportunity=opportunity,
        publish_form=form,
        notices=readiness.notices(opportunity),
        editable=opportunity.status == OpportunityStatus.DRAFT,
        problems=where(
            {
                k: v
                for k, v in problems.items()
                if not (only_bank_holiday and k == "submission_deadline")
            }
        ),
        bank_holiday=problems.get("submission_deadline") if only_bank_holiday else None,
        needs_approval=bool(profile and profile.requires_approval),
        documents=queries.tender_documents(opportunity.id, available_only=False),
        measures=measures_of(opportunity),
        theme_name=social_value.theme_name,
        reservation=reservation_words(opportunity),
        kind_labels=KIND_LABELS,
        question_kind_labels=QUESTION_KIND_LABELS,
        tie_breaks=TIE_BREAKS,
        section_url=section_url,
    )


@opportunity_page("/check")
def check_opportunity(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    return _render_check(organisation, opportunity, PublishForm())


@opportunity_page("/publish", methods=("POST",))
def publish_opportunity(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            opportunities.publish(
                me(), opportunity, acknowledge_bank_holiday=form.acknowledge_bank_holiday.data
            )
        except ServiceError as exc:
            refused(form, exc, "acknowledge_bank_holiday", {})
        else:
            return redirect(
                url_for(
                    "lots.opportunity_published",
                    organisation_id=organisation.id,
                    opportunity_id=opportunity.id,
                )
            )
    return _render_check(organisation, opportunity, form)


@opportunity_page("/send-for-approval", methods=("POST",))
def submit_for_approval(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            opportunities.submit_for_approval(me(), opportunity)
        except ServiceError as exc:
            refused(form, exc, "acknowledge_bank_holiday", {})
        else:
            flash(
                "Your draft has been sent for approval. An approver in your organisation "
                "will check it before it can be published.",
                "success",
            )
            return to_manage(opportunity)
    return _render_check(organisation, opportunity, form)


@opportunity_page("/published")
def opportunity_published(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    if opportunity.published_at is None:
        return to_manage(opportunity)
    return render_template(
        "lots/buyer_published.html",
        organisation=organisation,
        opportunity=opportunity,
        invited=queries.invited_count(opportunity.id),
    )


@opportunity_page("/approve", methods=("GET", "POST"))
def approve_opportunity(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    form = ApproveForm()
    if form.validate_on_submit():
        approving = form.decision.data == "approve"
        try:
            opportunities.approve(
                me(), opportunity, approve=approving, reason=form.reason.data or None
            )
        except ServiceError as exc:
            refused(form, exc, "decision")
        else:
            flash(
                "The draft is approved. It can now be published."
                if approving
                else "The draft has been returned to the buyer to change.",
                "success",
            )
            return to_manage(opportunity)
    return render_template(
        "lots/buyer_approve.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        drafted_by_you=drafted_by(current_user, opportunity),
    )
