"""A supplier applies: it starts an application, works through the task list (one page per
section of the questionnaire, then its lots), checks its answers and sends them; then it follows
the application and answers the operator's questions. (Its lots, renewals and leaving are
``supplier_standing``.)

Thin: parse the request, call one service, render or redirect. A refusal from a service is shown
in the error summary against the field it names (``app.web.refused``). Someone who may not see an
application is told it does not exist (404), so nobody learns another organisation's business;
the operator may read an application but not change it (``dps.permissions``).
"""

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.documents.services import DocumentError, documents_for, upload_document
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import add_error, optional_id
from app.organisations import queries as organisation_queries
from app.organisations.models import Organisation
from app.web import found, me, refused
from dps import queries
from dps import questionnaire as engine
from dps.blueprint import bp
from dps.models import (
    RESERVED_LABELS,
    Application,
    ApplicationStatus,
    LotDecision,
)
from dps.permissions import (
    may_apply_for,
    may_change_application,
    may_see_application,
    may_see_for,
)
from dps.services import applying, condition_answers, deciding, lot_conditions, standing
from dps.services.clock import working_days_left
from dps.services.setup import definition_for
from dps.views import supplier_forms as forms

APPLICATION_STATUS_TAGS = {
    ApplicationStatus.DRAFT: ("Not submitted yet", "govuk-tag--grey"),
    ApplicationStatus.SUBMITTED: ("Waiting for a decision", "govuk-tag--blue"),
    ApplicationStatus.CLARIFICATION: ("We have asked you a question", "govuk-tag--orange"),
    ApplicationStatus.DECIDED: ("Decided", "govuk-tag--green"),
    ApplicationStatus.WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
}
LOT_DECISION_TAGS = {
    LotDecision.PENDING: ("Waiting", "govuk-tag--grey"),
    LotDecision.ADMITTED: ("Admitted", "govuk-tag--green"),
    LotDecision.REJECTED: ("Not admitted", "govuk-tag--red"),
}


def reference(application):
    return f"APP-{application.id:06d}"


def _application(application_id, edit=False):
    """The application, for those who may see it (a 404 for anyone else); with ``edit``, a 403
    for those who may see it but not change it (the operator)."""
    application = found(db.session.get(Application, application_id))
    if not may_see_application(me(), application):
        abort(404)
    if edit and not may_change_application(me(), application):
        abort(403)
    return application


def _to_application(application):
    return redirect(url_for("dps.view_application", application_id=application.id))


def _to_next_step(application, after):
    """ "Save and continue": on to the next thing to do (``applying.next_step``)."""
    step = applying.next_step(application, after)
    if step.kind == "section":
        return redirect(
            url_for("dps.edit_section", application_id=application.id, section_id=step.section_id)
        )
    if step.kind == "lots":
        return redirect(url_for("dps.choose_lots", application_id=application.id))
    if step.kind == "conditions":
        return redirect(url_for("dps.application_conditions", application_id=application.id))
    return redirect(url_for("dps.check_answers", application_id=application.id))


def _answer_sections(definition, answers, documents):
    """[(section, [(question, text)])]: the questions that apply, as check your answers reads
    them."""
    return [
        (
            section,
            [
                (question, engine.display_value(question, answers.get(question.id), documents))
                for question in engine.visible_questions(definition, section, answers)
            ],
        )
        for section in definition.sections
    ]


def _library(organisation_id):
    """{id: Document} of the organisation's documents that have not been deleted."""
    return {document.id: document for document in documents_for(organisation_id)}


def _snapshot_documents(application):
    """{id: a stand-in with the filename} of the documents as they were submitted."""
    return {
        int(document_id): SimpleNamespace(original_filename=info.get("filename"))
        for document_id, info in (application.snapshot or {}).get("documents", {}).items()
    }


def submitted_sections(application):
    """The answers as they were sent (or the draft's, before it is), as check your answers reads
    them."""
    definition = definition_for(application.questionnaire)
    answers = (application.snapshot or {}).get("answers", application.answers or {})
    return _answer_sections(definition, answers, _snapshot_documents(application))


# --- Starting -------------------------------------------------------------------------------------


@bp.route("/dps/<slug>/apply", methods=["GET", "POST"])
@login_required
def start_application(slug):
    dps = found(queries.dps_by_slug(slug))
    organisations = [
        m.organisation
        for m in organisation_queries.memberships_for(me())
        if may_apply_for(me(), m.organisation)
    ]
    if not organisations:
        return render_template("dps/application_no_organisation.html", dps=dps)
    form = forms.StartForm()
    form.organisation_id.choices = [(str(o.id), o.display_name) for o in organisations]
    if form.validate_on_submit():
        organisation = (
            organisations[0]
            if len(organisations) == 1
            else next((o for o in organisations if str(o.id) == form.organisation_id.data), None)
        )
        # The DPS page's start button sends no choice: a first visit, not a mistake.
        if organisation is None and request.form.get("choosing"):
            add_error(form, "organisation_id", "Select the organisation that is applying")
        elif organisation is not None:
            try:
                application = applying.start_application(me(), organisation, dps)
            except ServiceError as exc:
                refused(form, exc, "submit")
            else:
                return _to_application(application)
    return render_template(
        "dps/application_start.html", dps=dps, form=form, organisations=organisations
    )


@bp.route("/organisations/<int:organisation_id>/join")
@login_required
def dps_to_join(organisation_id):
    """The DPSs an organisation can apply to join, each with a button to start (or a link to carry
    on): the page after adding a supplier organisation."""
    organisation = found(db.session.get(Organisation, organisation_id))
    if not may_see_for(me(), organisation.id):
        abort(404)
    if not organisation.is_supplier:
        return redirect(url_for("organisations.view_organisation", organisation_id=organisation.id))
    return render_template(
        "dps/application_join.html",
        organisation=organisation,
        offers=applying.dps_to_join(organisation),
        can_apply=may_apply_for(me(), organisation),
        excluded=standing.active_exclusion(organisation.id) is not None,
    )


# --- The task list, or where a sent application has got to ---------------------------------------


@bp.route("/applications/<int:application_id>")
@login_required
def view_application(application_id):
    application = _application(application_id)
    can_edit = may_change_application(me(), application)
    dps = application.dps
    if application.status == ApplicationStatus.DRAFT:
        reused_from = (
            db.session.get(Application, application.reused_from_id)
            if application.reused_from_id
            else None
        )
        return render_template(
            "dps/application_task_list.html",
            application=application,
            dps=dps,
            progress=applying.progress(application),
            reused_from=reused_from,
            can_edit=can_edit,
        )
    open_question = next((c for c in application.clarifications if c.answer is None), None)
    waiting = application.status in queries.WAITING
    return render_template(
        "dps/application_status.html",
        application=application,
        dps=dps,
        reference=reference(application),
        can_edit=can_edit,
        open_question=open_question,
        days_left=working_days_left(application, dps) if waiting else None,
        application_tag=APPLICATION_STATUS_TAGS[application.status],
        decision_tags=LOT_DECISION_TAGS,
        sections=submitted_sections(application),
    )


# --- A section of questions -----------------------------------------------------------------------


def _upload_new_files(application, section, raw):
    """Store each new file in the organisation's library and answer its question with it.
    Returns {question id: why the file was refused}; those questions keep their last answer."""
    rejected = {}
    for question, upload in forms.new_files(section, request.files):
        try:
            document = upload_document(me(), application.organisation, upload, question.purpose)
        except UploadRefused as exc:
            rejected[question.id] = f"The selected file {clean_filename(upload.filename)} {exc}"
        except DocumentError as exc:
            rejected[question.id] = str(exc)
        else:
            raw[question.id] = document.id
    for question_id in rejected:
        raw.pop(question_id, None)
    return rejected


def _typed_again(section, raw, rejected):
    """What the boxes show after a failed save: exactly what was sent (a new file's id for a
    question answered by an upload)."""
    values = {}
    for question in section.questions:
        value = raw.get(question.id)
        if question.type == "document":
            if question.id in rejected:
                value = forms.UPLOAD
            elif isinstance(value, int):
                value = str(value)
            else:
                value = request.form.get(question.id)
        values[question.id] = value
    return values


@bp.route("/applications/<int:application_id>/sections/<section_id>", methods=["GET", "POST"])
@login_required
def edit_section(application_id, section_id):
    application = _application(application_id, edit=True)
    definition = definition_for(application.questionnaire)
    try:
        section = definition.section(section_id)
    except KeyError:
        abort(404)
    if application.status != ApplicationStatus.DRAFT:
        return _to_application(application)  # sent: nothing here to change
    errors, rejected = {}, {}
    values = forms.typed_values(section, application.answers or {})
    if request.method == "POST":
        raw = forms.raw_answers(section, request.form)
        rejected = _upload_new_files(application, section, raw)
        try:
            errors = applying.save_section(me(), application, section.id, raw)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            # Not about an answer (it was sent from another tab, say): the task list says it.
            flash(str(exc))
            return _to_application(application)
        errors.update(rejected)
        # Only questions that apply are on the page: a problem with one hidden by another
        # answer is not the person's to fix (its answer is not used).
        answers = application.answers or {}
        errors = {
            qid: message
            for qid, message in errors.items()
            if engine.is_shown(definition, definition.question(qid), answers)
        }
        if not errors:
            if request.form.get("action") == "later":
                return _to_application(application)
            return _to_next_step(application, section.id)
        if request.form.get("action") == "later":
            flash(
                f"Your answers have been saved. Some answers in ‘{section.title}’ need "
                "changing before you can submit your application."
            )
            return _to_application(application)
        values = _typed_again(section, raw, rejected)
    documents = [d for d in documents_for(application.organisation_id) if d.is_available]
    fields = forms.build_fields(definition, section, values, errors, documents, rejected)
    return render_template(
        "dps/application_section.html",
        application=application,
        dps=application.dps,
        section=section,
        fields=fields,
        form=forms.PageErrors(forms.page_problems(fields)),
        has_documents=any(q.type == "document" for q in section.questions),
        upload=forms.UPLOAD,
    )


# --- Lots -----------------------------------------------------------------------------------------


@bp.route("/applications/<int:application_id>/lots", methods=["GET", "POST"])
@login_required
def choose_lots(application_id):
    application = _application(application_id, edit=True)
    if application.status != ApplicationStatus.DRAFT:
        return _to_application(application)
    form = forms.LotsForm()
    chosen = {al.lot_id for al in application.lots}
    if form.validate_on_submit():
        lot_ids = [optional_id(v) or 0 for v in request.form.getlist("lots")]
        try:
            applying.choose_lots(me(), application, lot_ids)
        except ServiceError as exc:
            refused(form, exc, "lots")
            chosen = set(lot_ids)
        else:
            return _to_next_step(application, "lots")
    dps = application.dps
    answers = application.answers or {}
    return render_template(
        "dps/application_lots.html",
        application=application,
        dps=dps,
        form=form,
        chosen=chosen,
        reserved_labels=RESERVED_LABELS,
        unavailable=set(applying.held_or_pending_lot_ids(application.organisation_id, dps.id)),
        eligibility={
            lot.id: applying.lot_eligibility(application.organisation_id, lot, answers)
            for lot in dps.lots
        },
        caps=applying.cap_explanations(dps.lots, chosen),
    )


# --- Check answers and send -----------------------------------------------------------------------


@bp.route("/applications/<int:application_id>/check", methods=["GET", "POST"])
@login_required
def check_answers(application_id):
    application = _application(application_id, edit=True)
    if application.status != ApplicationStatus.DRAFT:
        # Already sent (a second press of the button, say): show where it has got to.
        return _to_application(application)
    form = forms.DeclarationForm(
        data=applying.declaration_defaults(me()) if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            applying.submit_application(
                me(),
                application,
                declaration_name=form.declaration_name.data,
                declaration_role=form.declaration_role.data,
                confirmed=form.confirm.data,
            )
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            return redirect(url_for("dps.application_submitted", application_id=application.id))
    definition = definition_for(application.questionnaire)
    answers = application.answers or {}
    problems = applying.problems_before_submit(application)
    chosen_ids = {al.lot_id for al in application.lots}
    return render_template(
        "dps/application_check.html",
        application=application,
        dps=application.dps,
        definition=definition,
        problems=problems,
        # While anything stops submission, the summary lists it and the declaration waits.
        form=forms.PageErrors(problems) if problems else form,
        declaration_form=form,
        sections=_answer_sections(definition, answers, _library(application.organisation_id)),
        incomplete={
            section.id
            for section in definition.sections
            if engine.section_errors(definition, section, answers)
        },
        caps=applying.cap_explanations(application.dps.lots, chosen_ids),
        reserved_labels=RESERVED_LABELS,
        condition_answers=[
            (
                condition,
                condition_answers.describe(
                    condition, (application.condition_answers or {}).get(str(condition.id))
                ),
            )
            for condition in lot_conditions.application_conditions(application)
        ],
    )


@bp.route("/applications/<int:application_id>/submitted")
@login_required
def application_submitted(application_id):
    application = _application(application_id)
    if application.status == ApplicationStatus.DRAFT:
        return _to_application(application)
    return render_template(
        "dps/application_submitted.html",
        application=application,
        dps=application.dps,
        reference=reference(application),
    )


# --- Answering the operator's question ------------------------------------------------------------


@bp.route("/applications/<int:application_id>/clarification", methods=["GET", "POST"])
@login_required
def answer_clarification(application_id):
    application = _application(application_id, edit=True)
    open_question = next((c for c in application.clarifications if c.answer is None), None)
    if request.method == "GET" and open_question is None:
        return _to_application(application)
    form = forms.ClarificationForm()
    if form.validate_on_submit():
        try:
            deciding.answer_clarification(me(), application, form.answer.data)
        except ServiceError as exc:
            refused(form, exc, "answer")
        else:
            flash(
                "Your answer has been sent. We will carry on deciding your application.", "success"
            )
            return _to_application(application)
    return render_template(
        "dps/application_clarification.html",
        application=application,
        dps=application.dps,
        question=open_question,
        form=form,
        reference=reference(application),
    )
