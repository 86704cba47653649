"""A buyer organisation's area: asking for approval, joining a DPS, and its opportunities from
the first draft to publication, then amendments, extensions, cancellation and answering
suppliers' questions. Approvers approve or return drafts.

Members of the buyer organisation see these pages (anyone else gets a 403); an opportunity of
another organisation is a 404. What a member may do is the services' decision: a NotAllowed
from one is a 403, any other refusal is shown in the error summary."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.documents.services import DocumentError, UploadFailed
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import NotAllowed, ServiceError
from app.forms import add_error
from app.organisations.models import OrganisationKind
from app.permissions import is_member, require
from app.reference import social_value
from app.timeutil import to_local, utcnow
from app.web import found, me, refused
from lots.blueprint import bp
from lots.opportunities import buyers, clarifications, queries
from lots.opportunities import services as opportunities
from lots.opportunities.forms import (
    KIND_LABELS,
    QUESTION_KIND_LABELS,
    TIE_BREAKS,
    AmendForm,
    AnswerForm,
    ApproveForm,
    BuyerApprovalForm,
    CancelForm,
    DeadlinesForm,
    DetailsForm,
    EvaluationForm,
    ExtendForm,
    JoinDpsForm,
    NewOpportunityForm,
    PriceScheduleForm,
    PublishForm,
    QuestionsForm,
    SocialValueForm,
    TenderDocumentForm,
)
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.views.public import measures_of, reservation_words

# The sections of a draft, in order: (endpoint, name). Each problem found before publication
# belongs to one section, so the task list and the check page can say where to fix it.
SECTIONS = [
    ("lots.edit_details", "Details"),
    ("lots.edit_evaluation", "Evaluation criteria"),
    ("lots.edit_questions", "Questions for bidders"),
    ("lots.edit_price_schedule", "Price schedule"),
    ("lots.edit_social_value", "Social value measures"),
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
    "weights": ("lots.edit_evaluation", "price_weight"),
    "social_value_weight": ("lots.edit_evaluation", "social_value_weight"),
    "questions": ("lots.edit_questions", "questions"),
    "price_schedule": ("lots.edit_price_schedule", "schedule"),
    "submission_deadline": ("lots.edit_deadlines", "submission_date"),
    "question_deadline": ("lots.edit_deadlines", "question_date"),
}
OPTIONAL_SECTIONS = {"lots.edit_social_value", "lots.edit_documents"}
# Where a service's field lands on the details and deadlines forms.
DETAIL_FIELDS = {"estimated_value_pence": "estimated_value", "location_code": "location_type"}
DEADLINE_FIELDS = {"submission_deadline": "submission_date", "question_deadline": "question_date"}


def _buyer(organisation_id):
    """The buyer organisation, if the signed-in person belongs to it: else 404 or 403."""
    organisation = found(queries.organisation(organisation_id))
    if organisation.kind != OrganisationKind.BUYER:
        abort(404)
    require(is_member(current_user, organisation.id))
    return organisation


def _opportunity(organisation, opportunity_id):
    """One of the organisation's opportunities; another organisation's is a 404."""
    opportunity = queries.opportunity(opportunity_id)
    if opportunity is None or opportunity.buyer_id != organisation.id:
        abort(404)
    return opportunity


def _manage(opportunity):
    return redirect(
        url_for(
            "lots.manage_opportunity",
            organisation_id=opportunity.buyer_id,
            opportunity_id=opportunity.id,
        )
    )


def _where(problems):
    """[(message, href)] for the problems, each linking to the box that fixes it."""
    links = []
    for field, message in problems.items():
        endpoint, anchor = PROBLEM_SECTIONS.get(field, ("lots.edit_details", "title"))
        links.append((message, _section_url(endpoint, anchor)))
    return links


def _section_url(endpoint, anchor=None):
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
        elif endpoint == "lots.edit_documents":
            status[endpoint] = f"{len(documents)} uploaded" if documents else "Optional"
        else:
            status[endpoint] = "Completed"
    return status


# --- The buyer's area and onboarding ------------------------------------------------------------


@bp.route("/buyer")
@login_required
def buyer_home():
    organisations = queries.buyer_organisations_for(current_user)
    if len(organisations) == 1:
        return redirect(url_for("lots.buyer_opportunities", organisation_id=organisations[0].id))
    return render_template("lots/buyer_home.html", organisations=organisations)


@bp.route("/buyer/<int:organisation_id>/opportunities")
@login_required
def buyer_opportunities(organisation_id):
    organisation = _buyer(organisation_id)
    return render_template(
        "lots/buyer_opportunities.html",
        organisation=organisation,
        profile=buyers.profile(organisation.id),
        joined=queries.joined_dps(organisation.id),
        groups=queries.opportunities_of(organisation.id),
    )


@bp.route("/buyer/<int:organisation_id>/approval", methods=["GET", "POST"])
@login_required
def request_approval(organisation_id):
    organisation = _buyer(organisation_id)
    profile = buyers.profile(organisation.id)
    initial = (
        {
            "contact_name": profile.contact_name,
            "contact_email": profile.contact_email,
            "contact_phone": profile.contact_phone or "",
        }
        if profile
        else {"contact_name": current_user.name, "contact_email": current_user.email}
    )
    form = BuyerApprovalForm(data=initial)
    if form.validate_on_submit():
        try:
            buyers.request_approval(
                me(),
                organisation,
                form.contact_name.data,
                form.contact_email.data,
                form.contact_phone.data,
            )
        except ServiceError as exc:
            refused(form, exc, "contact_name")
        else:
            flash(
                "We have asked the DPS operator to approve your organisation. We will email "
                "you when they have decided.",
                "success",
            )
            return redirect(url_for("lots.buyer_opportunities", organisation_id=organisation.id))
    return render_template(
        "lots/buyer_approval.html", form=form, organisation=organisation, profile=profile
    )


@bp.route("/buyer/<int:organisation_id>/join", methods=["GET", "POST"])
@login_required
def join_dps(organisation_id):
    organisation = _buyer(organisation_id)
    choices = queries.dps_to_join(organisation.id, to_local(utcnow()).date())
    form = JoinDpsForm(dps_list=choices)
    if form.validate_on_submit():
        dps = next(d for d in choices if str(d.id) == form.dps_id.data)
        try:
            buyers.join_dps(me(), organisation, dps)
        except ServiceError as exc:
            refused(form, exc, "dps_id")
        else:
            flash(
                f"{organisation.display_name} has joined {dps.name}. You can now create "
                "opportunities under its lots.",
                "success",
            )
            return redirect(url_for("lots.buyer_opportunities", organisation_id=organisation.id))
    return render_template(
        "lots/buyer_join.html",
        form=form,
        organisation=organisation,
        choices=choices,
        approved=buyers.is_approved(organisation.id),
    )


@bp.route("/buyer/<int:organisation_id>/roles", methods=["GET", "POST"])
@login_required
def buyer_roles(organisation_id):
    """Owners give colleagues the roles they need: buyer, evaluator, approver."""
    organisation = _buyer(organisation_id)
    members = queries.members_with_roles(organisation.id)
    error = None
    if request.method == "POST":
        membership_id = request.form.get("membership_id", type=int)
        member = next((m for m, _ in members if m.id == membership_id), None)
        if member is None:
            abort(404)
        try:
            buyers.set_roles(me(), member, request.form.getlist("roles"))
        except buyers.NotAllowed:
            abort(403)
        except ServiceError as exc:
            error = (member.id, str(exc))
        else:
            flash(f"{member.user.name}'s roles have been saved.", "success")
            return redirect(url_for("lots.buyer_roles", organisation_id=organisation.id))
    return render_template(
        "lots/buyer_roles.html",
        organisation=organisation,
        members=members,
        error=error,
        role_labels=ROLE_LABELS,
        can_change=buyers.is_owner(current_user, organisation.id),
    )


ROLE_LABELS = {
    "buyer": ("Buyer", "Drafts and publishes opportunities, answers questions"),
    "evaluator": ("Evaluator", "Scores bids"),
    "approver": ("Approver", "Approves drafts and award decisions"),
}


# --- Drafting -----------------------------------------------------------------------------------


@bp.route("/buyer/<int:organisation_id>/opportunities/new", methods=["GET", "POST"])
@login_required
def new_opportunity(organisation_id):
    organisation = _buyer(organisation_id)
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
            return _manage(opportunity)
    return render_template(
        "lots/buyer_new.html",
        form=form,
        organisation=organisation,
        lots=lots,
        approved=buyers.is_approved(organisation.id),
    )


@bp.route("/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>")
@login_required
def manage_opportunity(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    documents = queries.tender_documents(opportunity.id, available_only=False)
    problems = (
        opportunities.problems(opportunity) if opportunity.status == OpportunityStatus.DRAFT else {}
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
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    if opportunity.status != OpportunityStatus.DRAFT:
        flash("Only a draft can be changed like this.", "info")
        return _manage(opportunity)
    form = (
        form_class(data=form_class.initial(opportunity))
        if hasattr(form_class, "initial")
        else form_class()
    )
    if form.validate_on_submit():
        try:
            save(opportunity, form)
        except ServiceError as exc:
            refused(form, exc, default, fields)
        else:
            if request.form.get("action") == "more":
                return redirect(request.path + f"#{default}")
            return _manage(opportunity)
    return render_template(
        template, form=form, organisation=organisation, opportunity=opportunity, **context
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/details",
    methods=["GET", "POST"],
)
@login_required
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/evaluation",
    methods=["GET", "POST"],
)
@login_required
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/questions",
    methods=["GET", "POST"],
)
@login_required
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/price", methods=["GET", "POST"]
)
@login_required
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/social-value",
    methods=["GET", "POST"],
)
@login_required
def edit_social_value(organisation_id, opportunity_id):
    themes = {}
    for measure in social_value.all_measures():
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
        theme_name=social_value.theme_name,
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/deadlines",
    methods=["GET", "POST"],
)
@login_required
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/documents",
    methods=["GET", "POST"],
)
@login_required
def edit_documents(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    if opportunity.status != OpportunityStatus.DRAFT:
        flash("Only a draft can be changed like this.", "info")
        return _manage(opportunity)
    form = TenderDocumentForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = opportunities.attach_tender_document(me(), opportunity, upload)
        except NotAllowed:
            abort(403)
        except UploadRefused as exc:
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except (UploadFailed, DocumentError, ServiceError) as exc:
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


# --- Check, approval and publishing -------------------------------------------------------------


def _render_check(organisation, opportunity, form):
    problems = (
        opportunities.problems(opportunity)
        if opportunity.status == OpportunityStatus.DRAFT
        or opportunity.status == OpportunityStatus.APPROVED
        else {}
    )
    only_bank_holiday = bool(problems) and not opportunities.problems(
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
        editable=opportunity.status == OpportunityStatus.DRAFT,
        problems=_where(
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
        section_url=_section_url,
    )


@bp.route("/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/check")
@login_required
def check_opportunity(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    return _render_check(organisation, opportunity, PublishForm())


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/publish", methods=["POST"]
)
@login_required
def publish_opportunity(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
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


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/send-for-approval",
    methods=["POST"],
)
@login_required
def submit_for_approval(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
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
            return _manage(opportunity)
    return _render_check(organisation, opportunity, form)


@bp.route("/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/published")
@login_required
def opportunity_published(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    if opportunity.published_at is None:
        return _manage(opportunity)
    return render_template(
        "lots/buyer_published.html",
        organisation=organisation,
        opportunity=opportunity,
        invited=queries.invited_count(opportunity.id),
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/approve",
    methods=["GET", "POST"],
)
@login_required
def approve_opportunity(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
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
            return _manage(opportunity)
    return render_template(
        "lots/buyer_approve.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        drafted_by_you=opportunity.created_by_id == current_user.id,
    )


# --- After publication --------------------------------------------------------------------------


def _published_page(
    organisation_id, opportunity_id, form_class, template, act, default, done, fields=None
):
    """A change to a published opportunity: ``act(opportunity, form)`` is one service call."""
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    form = (
        form_class(data=form_class.initial(opportunity))
        if hasattr(form_class, "initial")
        else form_class()
    )
    if form.validate_on_submit():
        try:
            act(opportunity, form)
        except ServiceError as exc:
            refused(form, exc, default, fields)
        else:
            flash(done, "success")
            return _manage(opportunity)
    return render_template(template, form=form, organisation=organisation, opportunity=opportunity)


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/amend", methods=["GET", "POST"]
)
@login_required
def amend_opportunity(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        AmendForm,
        "lots/buyer_amend.html",
        lambda o, form: opportunities.amend(me(), o, form.change.data, **form.values()),
        "change",
        "Your change has been published. Every invited supplier will be told.",
        {"summary": "change"},
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/extend",
    methods=["GET", "POST"],
)
@login_required
def extend_deadline(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        ExtendForm,
        "lots/buyer_extend.html",
        lambda o, form: opportunities.extend_deadline(me(), o, **form.values()),
        "submission_date",
        "The deadline has been extended. Every invited supplier will be told.",
        DEADLINE_FIELDS,
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/cancel",
    methods=["GET", "POST"],
)
@login_required
def cancel_opportunity(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        CancelForm,
        "lots/buyer_cancel.html",
        lambda o, form: opportunities.cancel(me(), o, form.reason.data),
        "reason",
        "The opportunity has been cancelled.",
    )


@bp.route("/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/clarifications")
@login_required
def clarification_inbox(organisation_id, opportunity_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    waiting, answered = queries.clarification_inbox(opportunity.id)
    return render_template(
        "lots/buyer_inbox.html",
        organisation=organisation,
        opportunity=opportunity,
        waiting=waiting,
        answered=answered,
    )


@bp.route(
    "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>/clarifications/"
    "<int:clarification_id>",
    methods=["GET", "POST"],
)
@login_required
def answer_clarification(organisation_id, opportunity_id, clarification_id):
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    clarification = found(queries.clarification(opportunity.id, clarification_id))
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            clarifications.answer(
                me(), clarification, form.answer.data, public=form.audience.data == "everyone"
            )
        except ServiceError as exc:
            refused(form, exc, "answer")
        else:
            flash(
                "Your answer has been sent."
                if form.audience.data == "asker"
                else "Your answer has been published to every invited supplier.",
                "success",
            )
            return redirect(
                url_for(
                    "lots.clarification_inbox",
                    organisation_id=organisation.id,
                    opportunity_id=opportunity.id,
                )
            )
    return render_template(
        "lots/buyer_answer.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        clarification=clarification,
    )
