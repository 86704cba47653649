"""The operator's pages: set up a DPS and its lots, work the admission queue, review and decide
applications, and manage a supplier's standing. Administrators only.

Thin: parse the form, call one service, render or redirect. A DpsError from a service is shown
in the error summary against the field it names."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.documents.models import PURPOSE_LABELS, DocumentPurpose
from app.forms import add_error
from app.organisations.models import STAFF_BAND_LABELS, SUPPLIER_TYPE_LABELS, TURNOVER_BAND_LABELS
from app.permissions import admin_required
from app.reference import geography
from dps import queries
from dps import questionnaire as engine
from dps.admin_forms import (
    ClarificationForm,
    ConfirmForm,
    DecideForm,
    DpsForm,
    ExcludeForm,
    ExtendForm,
    LotForm,
    ReasonForm,
)
from dps.blueprint import bp
from dps.models import (
    REGIME_LABELS,
    RESERVED_LABELS,
    ApplicationStatus,
    LotDecision,
    MembershipStatus,
    Regime,
)
from dps.services import DpsError, applying, deciding, setup, standing
from dps.services.clock import working_days_left
from dps.working_days import CALENDAR_LABELS

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


def _me():
    return current_user._get_current_object()


def _found(value):
    if value is None:
        abort(404)
    return value


def _service_error(form, exc, default):
    """Show a service's refusal against the field it names, or against ``default``."""
    field = exc.field if exc.field and hasattr(form, exc.field) else default
    add_error(form, field, str(exc))


def _int_arg(name):
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


# --- Setting up a DPS ---------------------------------------------------------------------------


@bp.route("/admin/dps")
@admin_required
def admin_list_dps():
    everything = queries.all_dps()
    return render_template(
        "dps/admin_dps_list.html",
        all_dps=everything,
        waiting={d.id: queries.waiting_count(d.id) for d in everything},
        regime_labels=REGIME_LABELS,
    )


@bp.route("/admin/dps/new", methods=["GET", "POST"])
@admin_required
def admin_new_dps():
    form = DpsForm()
    if form.validate_on_submit():
        try:
            dps = setup.create_dps(_me(), **form.values())
        except DpsError as exc:
            _service_error(form, exc, "name")
        else:
            flash(f"{dps.name} has been created. Add its lots next.", "success")
            return redirect(url_for("dps.admin_view_dps", dps_id=dps.id))
    return render_template("dps/admin_dps_new.html", form=form)


@bp.route("/admin/dps/<int:dps_id>")
@admin_required
def admin_view_dps(dps_id):
    dps = _found(queries.dps(dps_id))
    return render_template(
        "dps/admin_dps_view.html",
        dps=dps,
        admitted=queries.admitted_counts(dps.id),
        waiting=queries.waiting_count(dps.id),
        median_days=queries.median_decision_days(dps),
        regime_labels=REGIME_LABELS,
        calendar_labels=CALENDAR_LABELS,
        reserved_labels=RESERVED_LABELS,
    )


@bp.route("/admin/dps/<int:dps_id>/lots/new", methods=["GET", "POST"])
@admin_required
def admin_new_lot(dps_id):
    dps = _found(queries.dps(dps_id))
    form = LotForm()
    if request.method == "GET" and not form.number.data:
        form.number.data = str(max((lot.number for lot in dps.lots), default=0) + 1)
    if form.validate_on_submit():
        try:
            lot = setup.add_lot(_me(), dps, **form.values())
        except DpsError as exc:
            _service_error(form, exc, "title")
        else:
            flash(f"{lot.label} has been added to {dps.name}.", "success")
            return redirect(url_for("dps.admin_view_dps", dps_id=dps.id))
    return render_template("dps/admin_lot_new.html", form=form, dps=dps)


# --- The admission queue ------------------------------------------------------------------------


@bp.route("/admin/applications")
@admin_required
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
    application = queries.application(application_id)
    if application is None or application.snapshot is None:
        abort(404)  # a draft is the supplier's own work until it is submitted
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
        "extend_form": ExtendForm(prefix="extend", **blank),
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
        eligibility={
            al.lot_id: applying.lot_eligibility(organisation.id, al.lot, snapshot_answers)
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
    )


@bp.route("/admin/applications/<int:application_id>")
@admin_required
def admin_review(application_id):
    return _review(_submitted_application(application_id))


@bp.route("/admin/applications/<int:application_id>/clarification", methods=["POST"])
@admin_required
def admin_ask_clarification(application_id):
    application = _submitted_application(application_id)
    form = ClarificationForm()
    if form.validate_on_submit():
        try:
            deciding.ask_clarification(_me(), application, form.question.data)
        except DpsError as exc:
            _service_error(form, exc, "question")
        else:
            flash("Your question has been sent to the supplier.", "success")
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, clarify_form=form)


@bp.route("/admin/applications/<int:application_id>/extension", methods=["POST"])
@admin_required
def admin_extend(application_id):
    application = _submitted_application(application_id)
    form = ExtendForm(prefix="extend")
    if form.validate_on_submit():
        try:
            deciding.extend_time_limit(_me(), application, form.reason.data)
        except DpsError as exc:
            _service_error(form, exc, "reason")
        else:
            flash(
                "The time limit is now 15 working days. The supplier has been told why.", "success"
            )
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, extend_form=form)


@bp.route("/admin/applications/<int:application_id>/lots/<int:lot_id>/decision", methods=["POST"])
@admin_required
def admin_decide_lot(application_id, lot_id):
    application = _submitted_application(application_id)
    application_lot = _found(next((al for al in application.lots if al.lot_id == lot_id), None))
    form = DecideForm(prefix=f"lot-{lot_id}")
    if form.validate_on_submit():
        try:
            deciding.decide_lot(_me(), application, lot_id, form.decision.data, form.reason.data)
        except DpsError as exc:
            _service_error(form, exc, "decision")
        else:
            verb = "admitted to" if form.decision.data == LotDecision.ADMITTED else "rejected for"
            flash(
                f"{application.organisation.display_name} has been {verb} "
                f"{application_lot.lot.label}. We have emailed them your reasons.",
                "success",
            )
            return redirect(url_for("dps.admin_review", application_id=application.id))
    return _review(application, form=form, decide_forms={lot_id: form})


# --- A supplier's standing ----------------------------------------------------------------------


def _supplier(organisation_id):
    return _found(queries.supplier(organisation_id))


@bp.route("/admin/organisations/<int:organisation_id>/standing")
@admin_required
def admin_standing(organisation_id):
    organisation = _supplier(organisation_id)
    by_dps = {}
    for membership_row in queries.lot_memberships_for(organisation.id):
        by_dps.setdefault(membership_row.lot.dps, []).append(membership_row)
    renewals = queries.renewals_for(organisation.id)
    open_renewal_dps = {r.dps_id for r in renewals if not r.completed_at and not r.lapsed_at}
    local_authority = geography.local_authority(organisation.local_authority_code)
    return render_template(
        "dps/admin_standing.html",
        organisation=organisation,
        by_dps=by_dps,
        exclusion=standing.active_exclusion(organisation.id),
        exclusions=queries.exclusions_for(organisation.id),
        renewals=renewals,
        open_renewal_dps=open_renewal_dps,
        applications=[
            a for a in queries.applications_for(organisation.id) if a.snapshot is not None
        ],
        local_authority=local_authority,
        MembershipStatus=MembershipStatus,
    )


def _standing_action(
    organisation,
    form,
    action,
    *,
    heading,
    intro,
    success,
    button,
    warning=None,
    danger=False,
    dps=None,
    lot_membership=None,
):
    """One page per standing action: what it does, a reason, and one service call."""
    if form.validate_on_submit():
        try:
            action(form)
        except DpsError as exc:
            _service_error(form, exc, "reason" if hasattr(form, "reason") else "submit")
        else:
            flash(success, "success")
            return redirect(url_for("dps.admin_standing", organisation_id=organisation.id))
    form.submit.label.text = button
    return render_template(
        "dps/admin_standing_action.html",
        organisation=organisation,
        form=form,
        heading=heading,
        intro=intro,
        warning=warning,
        danger=danger,
        dps=dps,
        lot_membership=lot_membership,
    )


@bp.route("/admin/organisations/<int:organisation_id>/standing/exclude", methods=["GET", "POST"])
@admin_required
def admin_exclude(organisation_id):
    organisation = _supplier(organisation_id)
    return _standing_action(
        organisation,
        ExcludeForm(),
        lambda form: standing.exclude_organisation(
            _me(), organisation, form.kind.data, form.reason.data
        ),
        heading=f"Exclude or debar {organisation.display_name}",
        intro="An excluded or debarred supplier is removed from every lot it holds, its "
        "applications waiting for a decision are rejected, and it cannot apply or be "
        "admitted until you lift the exclusion. We will email the supplier your reason.",
        warning="Debar a supplier only when it is on the debarment list.",
        success=f"{organisation.display_name} has been excluded.",
        button="Exclude supplier",
        danger=True,
    )


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/lift-exclusion", methods=["GET", "POST"]
)
@admin_required
def admin_lift_exclusion(organisation_id):
    organisation = _supplier(organisation_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.lift_exclusion(_me(), organisation, form.reason.data),
        heading=f"Lift the exclusion of {organisation.display_name}",
        intro="The supplier will be able to apply again. It does not get back the lots it was "
        "removed from: it must apply for them.",
        success=f"The exclusion of {organisation.display_name} has been lifted.",
        button="Lift exclusion",
    )


def _dps_for(dps_id):
    return _found(queries.dps(dps_id))


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/dps/<int:dps_id>/suspend",
    methods=["GET", "POST"],
)
@admin_required
def admin_suspend(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.suspend_supplier(_me(), organisation, dps, form.reason.data),
        heading=f"Suspend {organisation.display_name} from {dps.name}",
        intro="A suspended supplier keeps its lots but is not invited to new call-offs until "
        "you reinstate it. We will email the supplier your reason.",
        success=f"{organisation.display_name} has been suspended from {dps.name}.",
        button="Suspend supplier",
        danger=True,
        dps=dps,
    )


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/dps/<int:dps_id>/reinstate",
    methods=["GET", "POST"],
)
@admin_required
def admin_reinstate(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.reinstate_supplier(_me(), organisation, dps, form.reason.data),
        heading=f"Reinstate {organisation.display_name} in {dps.name}",
        intro="The supplier will be invited to new call-offs in its lots again. We will email "
        "the supplier your reason.",
        success=f"{organisation.display_name} has been reinstated in {dps.name}.",
        button="Reinstate supplier",
        dps=dps,
    )


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/dps/<int:dps_id>/renewal",
    methods=["GET", "POST"],
)
@admin_required
def admin_request_renewal(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ConfirmForm(),
        lambda form: standing.request_renewal(_me(), organisation, dps),
        heading=f"Ask {organisation.display_name} to renew its self-declaration",
        intro=f"We will email the supplier to confirm its answers are still correct within "
        f"{standing.RENEWAL_WORKING_DAYS} working days. If it does not, it is suspended "
        f"from new call-offs in {dps.name} until you reinstate it.",
        success=f"{organisation.display_name} has been asked to renew its self-declaration.",
        button="Send renewal request",
        dps=dps,
    )


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/lots/<int:membership_id>/remove",
    methods=["GET", "POST"],
)
@admin_required
def admin_remove_from_lot(organisation_id, membership_id):
    organisation = _supplier(organisation_id)
    lot_membership = queries.lot_membership(membership_id)
    if lot_membership is None or lot_membership.organisation_id != organisation.id:
        abort(404)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.remove_from_lot(_me(), lot_membership, form.reason.data),
        heading=f"Remove {organisation.display_name} from {lot_membership.lot.label}",
        intro="The supplier will no longer be invited to call-offs in this lot. To hold it "
        "again it must apply. We will email the supplier your reason.",
        success=f"{organisation.display_name} has been removed from {lot_membership.lot.label}.",
        button="Remove from lot",
        danger=True,
        dps=lot_membership.lot.dps,
        lot_membership=lot_membership,
    )
