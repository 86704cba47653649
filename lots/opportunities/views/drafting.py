"""A buyer's draft opportunity: creating it, its task list, and its sections (details, evaluation
criteria, questions, price schedule, social value measures, deadlines, tender documents). Each
section's page saves through one service call and goes back to the task list."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.documents.services import DocumentError, UploadFailed
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import ServiceError
from app.extensions import db
from app.forms import add_error
from app.places.services import shared_priorities_for
from app.reference import social_value
from app.timeutil import to_local, utcnow
from app.web import found, me, refused
from lots.blueprint import bp
from lots.opportunities import buyers, conditions, queries, readiness
from lots.opportunities import services as opportunities
from lots.opportunities.draft_forms import (
    ConditionsForm,
    DeadlinesForm,
    DetailsForm,
    EvaluationForm,
    NewOpportunityForm,
    SocialValueForm,
    TenderDocumentForm,
)
from lots.opportunities.forms import DEADLINE_FIELDS, QUESTION_KIND_LABELS
from lots.opportunities.models import Opportunity, OpportunityStatus
from lots.opportunities.question_forms import PriceScheduleForm, QuestionsForm
from lots.opportunities.requirements import requirements_of
from lots.opportunities.views.area import (
    buyer_area,
    buyers_opportunity,
    opportunity_page,
    sent_form,
    to_manage,
)

SECTIONS = [
    ("lots.edit_details", "Details"),
    ("lots.edit_evaluation", "Evaluation criteria"),
    ("lots.edit_questions", "Questions for bidders"),
    ("lots.edit_price_schedule", "Price schedule"),
    ("lots.edit_social_value", "Social value measures"),
    ("lots.edit_conditions", "Contract conditions"),
    ("lots.edit_bid_requirements", "What bidders must hold"),
    ("lots.edit_deadlines", "Deadlines"),
    ("lots.edit_documents", "Tender documents"),
]
PROBLEM_SECTIONS = {
    "title": ("lots.edit_details", "title"),
    "summary": ("lots.edit_details", "summary"),
    "description": ("lots.edit_details", "description"),
    "estimated_value_pence": ("lots.edit_details", "estimated_value"),
    "location_code": ("lots.edit_details", "location_type"),
    "reserved": ("lots.edit_details", "reserved"),
    "contract_months": ("lots.edit_details", "contract_months"),
    "weights": ("lots.edit_evaluation", "price_weight"),
    "social_value_weight": ("lots.edit_evaluation", "social_value_weight"),
    "questions": ("lots.edit_questions", "questions"),
    "price_schedule": ("lots.edit_price_schedule", "schedule"),
    "payment_terms_days": ("lots.edit_conditions", "payment_terms_days"),
    "real_living_wage": ("lots.edit_conditions", "real_living_wage"),
    "submission_deadline": ("lots.edit_deadlines", "submission_date"),
    "question_deadline": ("lots.edit_deadlines", "question_date"),
}
# Where a service's field lands on the details form.
DETAIL_FIELDS = {"estimated_value_pence": "estimated_value", "location_code": "location_type"}


def where(problems):
    """[(message, href)] for the problems, each linking to the box that fixes it."""
    links = []
    for field, message in problems.items():
        endpoint, anchor = PROBLEM_SECTIONS.get(field, ("lots.edit_details", "title"))
        links.append((message, section_url(endpoint, anchor)))
    return links


def section_url(endpoint, anchor=None):
    args = request.view_args
    return url_for(
        endpoint, organisation_id=args["organisation_id"], opportunity_id=args["opportunity_id"]
    ) + (f"#{anchor}" if anchor else "")


def _section_status(problems, opportunity, documents):
    status = {}
    troubled = {PROBLEM_SECTIONS.get(field, ("lots.edit_details",))[0] for field in problems}
    for endpoint, _name in SECTIONS:
        if endpoint in troubled:
            status[endpoint] = "Incomplete"
        elif endpoint == "lots.edit_social_value":
            status[endpoint] = "Completed" if opportunity.social_value_measures else "Optional"
        elif endpoint == "lots.edit_bid_requirements":
            status[endpoint] = "Completed" if requirements_of(opportunity.id) else "Optional"
        elif endpoint == "lots.edit_documents":
            status[endpoint] = f"{len(documents)} uploaded" if documents else "Optional"
        else:
            status[endpoint] = "Completed"
    return status


def _only_a_draft(opportunity):
    flash("Only a draft can be changed like this.", "info")
    return to_manage(opportunity)


@bp.route("/buyer/<int:organisation_id>/opportunities/new", methods=["GET", "POST"])
@login_required
def new_opportunity(organisation_id):
    organisation = buyer_area(organisation_id)
    lots = queries.lots_for_buyer(organisation.id)
    form = NewOpportunityForm(lots=lots)
    if form.validate_on_submit():
        lot = found(queries.lot(int(form.lot_id.data)))
        profile = buyers.profile(organisation.id)
        try:
            opportunity = opportunities.create_draft(
                me(),
                organisation,
                lot,
                kind=form.kind.data,
                title=form.title.data,
                price_weight=50,
                quality_weight=40,
                social_value_weight=10,
                contact_name=profile.contact_name if profile else None,
                contact_email=profile.contact_email if profile else None,
            )
        except ServiceError as exc:
            refused(form, exc, "lot_id")
        else:
            return to_manage(opportunity)
    return render_template(
        "lots/buyer_new.html",
        form=form,
        organisation=organisation,
        lots=lots,
        approved=buyers.is_approved(organisation.id),
    )


@opportunity_page()
def manage_opportunity(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    documents = queries.tender_documents(opportunity.id, available_only=False)
    problems = (
        readiness.problems(opportunity) if opportunity.status == OpportunityStatus.DRAFT else {}
    )
    return render_template(
        "lots/buyer_opportunity.html",
        organisation=organisation,
        opportunity=opportunity,
        sections=SECTIONS,
        status=_section_status(problems, opportunity, documents),
        problem_count=len(problems),
        documents=documents,
        invited=queries.invited_count(opportunity.id),
        waiting=queries.waiting_questions_count(opportunity.id),
        profile=buyers.profile(organisation.id),
    )


def _edit(
    organisation_id, opportunity_id, form_class, template, save, default, fields=None, **context
):
    """A draft's section: the form filled from the draft, saved by ``save(opportunity, form)``
    (one service call), then back to the task list."""
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    if opportunity.status != OpportunityStatus.DRAFT:
        return _only_a_draft(opportunity)
    form, accepted = sent_form(form_class, opportunity, save, default, fields)
    if accepted:
        if request.form.get("action") == "more":
            return redirect(request.path + f"#{default}")
        return to_manage(opportunity)
    return render_template(
        template, form=form, organisation=organisation, opportunity=opportunity, **context
    )


@opportunity_page("/details", methods=("GET", "POST"))
def edit_details(organisation_id, opportunity_id):
    return _edit(
        organisation_id,
        opportunity_id,
        DetailsForm,
        "lots/buyer_details.html",
        lambda o, form: opportunities.update_draft(me(), o, **form.values()),
        "title",
        DETAIL_FIELDS,
    )


@opportunity_page("/evaluation", methods=("GET", "POST"))
def edit_evaluation(organisation_id, opportunity_id):
    return _edit(
        organisation_id,
        opportunity_id,
        EvaluationForm,
        "lots/buyer_evaluation.html",
        lambda o, form: opportunities.update_draft(me(), o, **form.values()),
        "price_weight",
        {"weights": "price_weight"},
    )


@opportunity_page("/questions", methods=("GET", "POST"))
def edit_questions(organisation_id, opportunity_id):
    return _edit(
        organisation_id,
        opportunity_id,
        QuestionsForm,
        "lots/buyer_questions.html",
        lambda o, form: opportunities.set_questions(me(), o, form.values()),
        "questions",
        None,
        kind_labels=QUESTION_KIND_LABELS,
    )


@opportunity_page("/price", methods=("GET", "POST"))
def edit_price_schedule(organisation_id, opportunity_id):
    return _edit(
        organisation_id,
        opportunity_id,
        PriceScheduleForm,
        "lots/buyer_price.html",
        lambda o, form: opportunities.update_draft(me(), o, price_schedule=form.values()),
        "schedule",
        {"price_schedule": "schedule"},
    )


def _chosen_measures(organisation_id, opportunity_id):
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None or opportunity.buyer_id != organisation_id:
        return set()
    return set(opportunity.social_value_measures or [])


@opportunity_page("/social-value", methods=("GET", "POST"))
def edit_social_value(organisation_id, opportunity_id):
    themes = {}
    chosen = _chosen_measures(organisation_id, opportunity_id)
    offered = {
        m.id: m
        for m in social_value.all_measures(include_retired=True)
        if not m.retired or m.id in chosen
    }
    # The shared priorities of the buyer's places come first, each measure once.
    shared = []
    for place, ids in shared_priorities_for(buyer_area(organisation_id)):
        listed = [offered.pop(i) for i in ids if i in offered]
        if listed:
            shared.append((place, listed))
    for measure in offered.values():
        themes.setdefault(measure.theme, []).append(measure)
    return _edit(
        organisation_id,
        opportunity_id,
        SocialValueForm,
        "lots/buyer_social_value.html",
        lambda o, form: opportunities.update_draft(
            me(), o, social_value_measures=list(form.measures.data or [])
        ),
        "measures",
        {"social_value_measures": "measures"},
        themes=themes,
        shared=shared,
        theme_name=social_value.theme_name,
    )


@opportunity_page("/conditions", methods=("GET", "POST"))
def edit_conditions(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    rate, london = conditions.rate_for(opportunity, to_local(utcnow()).date())
    return _edit(
        organisation_id,
        opportunity_id,
        ConditionsForm,
        "lots/buyer_conditions.html",
        lambda o, form: opportunities.update_draft(me(), o, **form.values()),
        "payment_terms_days",
        None,
        rate=rate,
        london=london,
        max_days=conditions.MAX_PAYMENT_TERMS_DAYS,
        flow_down_days=conditions.SUBCONTRACT_PAYMENT_DAYS,
    )


@opportunity_page("/deadlines", methods=("GET", "POST"))
def edit_deadlines(organisation_id, opportunity_id):
    return _edit(
        organisation_id,
        opportunity_id,
        DeadlinesForm,
        "lots/buyer_deadlines.html",
        lambda o, form: opportunities.update_draft(me(), o, **form.values()),
        "submission_date",
        DEADLINE_FIELDS,
    )


@opportunity_page("/documents", methods=("GET", "POST"))
def edit_documents(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    if opportunity.status != OpportunityStatus.DRAFT:
        return _only_a_draft(opportunity)
    form = TenderDocumentForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = opportunities.attach_tender_document(me(), opportunity, upload)
        except ServiceError as exc:
            refused(form, exc, "file")
        except UploadRefused as exc:
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except (UploadFailed, DocumentError) as exc:
            add_error(form, "file", str(exc))
        else:
            flash(f"{document.original_filename} has been uploaded.", "success")
            return redirect(request.path)
    return render_template(
        "lots/buyer_documents.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        documents=queries.tender_documents(opportunity.id, available_only=False),
    )
