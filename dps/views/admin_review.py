"""The operator works the admission queue: reviews a submitted application, asks the supplier a
question, extends the time limit, and admits or rejects each lot.

Thin: parse the form, call one service, render or redirect; a refusal from a service is shown in
the error summary against the field it names (``app.web.refused``)."""

from flask import abort, flash, redirect, render_template, request, url_for

from app.documents.models import PURPOSE_LABELS, DocumentPurpose
from app.errors import ServiceError
from app.forms import optional_id
from app.organisations.models import STAFF_BAND_LABELS, SUPPLIER_TYPE_LABELS, TURNOVER_BAND_LABELS
from app.reference import geography
from app.web import found, me, refused
from dps import queries
from dps import questionnaire as engine
from dps.admin_forms import (
    ClarificationForm,
    DecideForm,
    ExclusionDecisionForm,
    ExtendForm,
    whole_number,
)
from dps.blueprint import bp
from dps.models import EXCLUSION_OUTCOME_LABELS, ApplicationStatus, LotDecision, Regime
from dps.permissions import operator_page
from dps.services import applying, debarment, deciding, exclusions, lot_conditions, setup, standing
from dps.services.clock import working_days_left

QUEUE_STATUS_LABELS = {
    ApplicationStatus.SUBMITTED.value: "Waiting",
    ApplicationStatus.CLARIFICATION.value: "Waiting for supplier",
}
CLOCK_RULES = {
    Regime.PROCUREMENT_ACT_2023: "Procurement Act 2023: the clock stops while the supplier "
    "answers a question, and restarts when they answer.",
    Regime.PCR_2015: "Public Contracts Regulations 2015: the clock keeps running while the "
    "supplier answers a question. You can extend the limit to 15 working days "
    "if you record why.",
}


def _int_arg(name):
    return optional_id(request.args.get(name))


# --- The admission queue ------------------------------------------------------------------------


@bp.route("/admin/applications")
@operator_page
def admin_queue():
    status = request.args.get("status")
    supplier_type = request.args.get("type")
    filters = {
        "dps_id": _int_arg("dps"),
        "lot_id": _int_arg("lot"),
        "status": status if status in QUEUE_STATUS_LABELS else None,
        "supplier_type": supplier_type
        if supplier_type in {t.value for t in SUPPLIER_TYPE_LABELS}
        else None,
    }
    rows = queries.admission_queue(**filters)
    return render_template(
        "dps/admin_queue.html",
        rows=rows,
        filters=filters,
        all_dps=queries.all_dps(),
        lots=queries.all_lots(),
        status_labels=QUEUE_STATUS_LABELS,
        type_labels=SUPPLIER_TYPE_LABELS,
    )


# --- Reviewing and deciding an application ------------------------------------------------------


def _submitted_application(application_id):
    """The application, once submitted: until then a draft is the supplier's own work, and there
    is nothing here to review (404)."""
    application = found(queries.application(application_id))
    if application.snapshot is None:
        abort(404)
    return application


def _answer_sections(application):
    """The snapshot's answers as the pages show them: [(section title, [row])], where a row is
    {label, text, document} and document is {id, filename, sha256} for a document answer."""
    definition = setup.definition_for(application.questionnaire)
    answers = application.snapshot.get("answers", {})
    documents = application.snapshot.get("documents", {})
    sections = []
    for section in definition.sections:
        rows = []
        for question in engine.visible_questions(definition, section, answers):
            value = answers.get(question.id)
            document = None
            if question.type == "document" and value is not None:
                info = documents.get(str(value), {})
                document = {
                    "id": int(value),
                    "filename": info.get("filename"),
                    "sha256": info.get("sha256"),
                }
            rows.append(
                {
                    "label": question.summary_label,
                    "text": engine.display_value(question, value),
                    "document": document,
                }
            )
        sections.append((section, rows))
    return sections


def _review(application, form=None, **submitted):
    """The review page, with ``submitted`` replacing the blank form of the same name (its errors
    and what was typed), and ``form`` as the one the error summary reads."""
    blank = {"formdata": None}
    decide_forms = {
        al.lot_id: DecideForm(prefix=f"lot-{al.lot_id}", **blank)
        for al in application.lots
        if al.decision == LotDecision.PENDING
    }
    decide_forms.update(submitted.pop("decide_forms", {}))
    forms = {
        "clarify_form": ClarificationForm(**blank),
        "exclusion_form": ExclusionDecisionForm(prefix="exclusion", **blank),
        "extend_form": ExtendForm(prefix="extend", data={"days": "15"}, **blank),
        **submitted,
    }
    snapshot_answers = application.snapshot.get("answers", {})
    organisation = application.organisation
    local_authority = geography.local_authority(organisation.local_authority_code)
    return render_template(
        "dps/admin_review.html",
        application=application,
        dps=application.dps,
        organisation=organisation,
        form=form,
        decide_forms=decide_forms,
        **forms,
        sections=_answer_sections(application),
        documents=[
            {
                "id": int(document_id),
                **info,
                "purpose_label": PURPOSE_LABELS.get(
                    DocumentPurpose(info["purpose"]), info["purpose"]
                )
                if info.get("purpose")
                else "",
            }
            for document_id, info in sorted(
                application.snapshot.get("documents", {}).items(), key=lambda item: int(item[0])
            )
        ],
        condition_rows=lot_conditions.review_rows(application),
        eligibility={
            al.lot_id: applying.lot_eligibility(organisation.id, al.lot, snapshot_answers)
            + lot_conditions.admission_problems(application, al.lot)
            for al in application.lots
            if al.decision == LotDecision.PENDING
        },
        days_left=working_days_left(application, application.dps)
        if application.status in queries.WAITING
        else None,
        clock_rule=CLOCK_RULES[application.dps.regime],
        local_authority=local_authority,
        region=geography.region(organisation.region_code)
        or (geography.region(local_authority.region_code) if local_authority else None),
        staff_label=STAFF_BAND_LABELS.get(organisation.staff_band),
        turnover_label=TURNOVER_BAND_LABELS.get(organisation.turnover_band),
        lots_held=queries.lots_held(organisation.id),
        exclusion=standing.active_exclusion(organisation.id),
        status_labels=QUEUE_STATUS_LABELS,
        grounds=exclusions.declared_grounds(application),
        exclusion_decision=exclusions.decision_for(application),
        outcome_labels=EXCLUSION_OUTCOME_LABELS,
        debarment_matches=debarment.matches_for(organisation.id),
        debarment_problem=debarment.admission_problem(organisation)
        if application.status in queries.WAITING
        else None,
        basis_labels=debarment.BASIS_LABELS,
    )


@bp.route("/admin/applications/<int:application_id>")
@operator_page
def admin_review(application_id):
    return _review(_submitted_application(application_id))


@bp.route("/admin/applications/<int:application_id>/clarification", methods=["POST"])
@operator_page
def admin_ask_clarification(application_id):
    application = _submitted_application(application_id)
    form = ClarificationForm()
    if form.validate_on_submit():
        try:
            deciding.ask_clarification(me(), application, form.question.data)
        except ServiceError as exc:
            refused(form, exc, "question")
        else:
            flash("Your question has been sent to the supplier.", "success")
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, clarify_form=form)


@bp.route("/admin/applications/<int:application_id>/extension", methods=["POST"])
@operator_page
def admin_extend(application_id):
    application = _submitted_application(application_id)
    form = ExtendForm(prefix="extend")
    if form.validate_on_submit():
        try:
            deciding.extend_time_limit(
                me(),
                application,
                form.reason.data,
                whole_number(form.days.data) if form.days.data else None,
            )
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash(
                f"The time limit is now {application.time_limit_days} working days. "
                "The supplier has been told why.",
                "success",
            )
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, extend_form=form)


@bp.route("/admin/applications/<int:application_id>/lots/<int:lot_id>/decision", methods=["POST"])
@operator_page
def admin_decide_lot(application_id, lot_id):
    application = _submitted_application(application_id)
    application_lot = found(next((al for al in application.lots if al.lot_id == lot_id), None))
    form = DecideForm(prefix=f"lot-{lot_id}")
    if form.validate_on_submit():
        try:
            deciding.decide_lot(me(), application, lot_id, form.decision.data, form.reason.data)
        except ServiceError as exc:
            refused(form, exc, "decision")
        else:
            verb = "admitted to" if form.decision.data == LotDecision.ADMITTED else "rejected for"
            flash(
                f"{application.organisation.display_name} has been {verb} "
                f"{application_lot.lot.label}. We have emailed them your reasons.",
                "success",
            )
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, decide_forms={lot_id: form})


@bp.route("/admin/applications/<int:application_id>/exclusion", methods=["POST"])
@operator_page
def admin_decide_exclusion(application_id):
    application = _submitted_application(application_id)
    form = ExclusionDecisionForm(prefix="exclusion")
    if form.validate_on_submit():
        try:
            exclusions.decide_exclusion(me(), application, form.outcome.data, form.reasons.data)
        except ServiceError as exc:
            refused(form, exc, "outcome")
        else:
            flash("Your exclusion decision and its reasons have been recorded.", "success")
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, exclusion_form=form)
