"""Lot conditions of membership: the supplier answers its lots' conditions in the application; the
operator confirms evidence, works the flags (suspend from the lot, or dismiss, with reasons) and
loads new living wage rates.

Thin: parse the request, call one service, render or redirect.
"""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import StringField, TextAreaField

from app.documents.services import DocumentError, documents_for, upload_document
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import Form, submit
from app.money import money
from app.organisations.models import Organisation
from app.web import found, me, refused
from dps import queries
from dps.admin_forms import ConditionForm
from dps.blueprint import bp
from dps.models import (
    ApplicationStatus,
    ConditionDeclaration,
    ConditionFlag,
    ConditionKind,
    Dps,
    Regime,
)
from dps.permissions import may_act_for, may_see_for, operator_page
from dps.services import applying, condition_answers, condition_flags, lot_conditions, wage_rates
from dps.services.conditions import is_established
from dps.views.applications import _application
from dps.views.supplier_forms import PageErrors

PARTS = {
    ConditionKind.OFFICE_IN_AREA: ("address", "postcode"),
    ConditionKind.LIVING_WAGE: ("accredited", "lowest_rate"),
    ConditionKind.CHARTER: ("signed",),
    ConditionKind.WORKFORCE: ("description", "report"),
    ConditionKind.YES_NO: ("answer",),
}


def read_answers(conditions, organisation, stored=None):
    """({condition id: raw answer}, {field: why a file was refused}) from the request; a new file
    is stored in the organisation's library and answers the condition's evidence."""
    stored = stored or {}
    raw_by_condition, refused_files = {}, {}
    for condition in conditions:
        raw = {
            part: request.form.get(condition_answers.field_name(condition, part), "")
            for part in PARTS[condition.kind]
        }
        name = condition_answers.field_name(condition, "document")
        upload = request.files.get(name)
        if upload is not None and upload.filename:
            try:
                document = upload_document(me(), organisation, upload, "selection_evidence")
            except UploadRefused as exc:
                refused_files[name] = f"The selected file {clean_filename(upload.filename)} {exc}"
            except DocumentError as exc:
                refused_files[name] = str(exc)
            else:
                raw["document"] = document.id
        if "document" not in raw and (stored.get(condition.id) or {}).get("document"):
            raw["document"] = stored[condition.id]["document"]
        raw_by_condition[condition.id] = raw
    return raw_by_condition, refused_files


def typed(answer):
    """A stored answer as the boxes show it."""
    values = dict(answer or {})
    if "lowest_rate_pence" in values:
        values["lowest_rate"] = money(values["lowest_rate_pence"]).removeprefix("£")
    elif "lowest_rate_typed" in values:
        values["lowest_rate"] = values["lowest_rate_typed"]
    return values


def items_for(conditions, lot_ids, values_by_condition):
    return [
        {
            "condition": condition,
            "values": values_by_condition.get(condition.id, {}),
            "lots": [lot.label for lot in condition.lots if lot.id in set(lot_ids)],
        }
        for condition in conditions
    ]


def library(organisation_id):
    return {document.id: document for document in documents_for(organisation_id)}


@bp.route("/applications/<int:application_id>/conditions", methods=["GET", "POST"])
@login_required
def application_conditions(application_id):
    application = _application(application_id, edit=True)
    if application.status != ApplicationStatus.DRAFT:
        return redirect(url_for("dps.view_application", application_id=application.id))
    conditions = lot_conditions.application_conditions(application)
    if not conditions:
        return redirect(url_for("dps.view_application", application_id=application.id))
    stored = {int(k): v for k, v in (application.condition_answers or {}).items()}
    values = {c.id: typed(stored.get(c.id)) for c in conditions}
    errors = {}
    if request.method == "POST":
        raw, refused_files = read_answers(conditions, application.organisation, stored)
        try:
            errors = lot_conditions.save_answers(me(), application, raw)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            flash(str(exc))
            return redirect(url_for("dps.view_application", application_id=application.id))
        errors.update(refused_files)
        if not errors:
            if request.form.get("action") == "later":
                return redirect(url_for("dps.view_application", application_id=application.id))
            step = applying.next_step(application, "conditions")
            if step.kind == "section":
                return redirect(
                    url_for(
                        "dps.edit_section",
                        application_id=application.id,
                        section_id=step.section_id,
                    )
                )
            return redirect(url_for("dps.check_answers", application_id=application.id))
        values = {c.id: {**raw[c.id]} for c in conditions}
    lot_ids = [al.lot_id for al in application.lots]
    return render_template(
        "dps/application_conditions.html",
        application=application,
        dps=application.dps,
        items=items_for(conditions, lot_ids, values),
        errors=errors,
        form=PageErrors(errors),
        documents=library(application.organisation_id),
    )


# --- The operator -----------------------------------------------------------------------------------


@bp.route("/admin/condition-declarations/<int:declaration_id>/confirm", methods=["POST"])
@operator_page
def confirm_condition_evidence(declaration_id):
    declaration = found(db.session.get(ConditionDeclaration, declaration_id))
    try:
        lot_conditions.confirm_evidence(me(), declaration)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc))
    else:
        flash(f"Evidence for ‘{declaration.condition.name}’ confirmed.", "success")
    if declaration.application_id:
        return redirect(
            url_for("dps.admin_review", application_id=declaration.application_id) + "#conditions"
        )
    return redirect(url_for("dps.admin_condition_flags"))


@bp.route("/admin/condition-flags")
@operator_page
def admin_condition_flags():
    return render_template(
        "dps/admin_condition_flags.html",
        flags=condition_flags.open_flags(),
        rates=list(reversed(wage_rates.rates()))[:3],
    )


# Where the latest answer to a condition was given (ConditionDeclaration.source), in words.
DECLARED_ON = {
    "application": "In its application",
    "renewal": "At its renewal",
    "change": "When it told us of a change",
}


class FlagForm(Form):
    reason = TextAreaField("Reasons", description="The supplier sees these", widget=GovTextArea())
    submit_suspend = submit("Suspend from this lot")
    submit_dismiss = submit("Dismiss the flag")


@bp.route("/admin/condition-flags/<int:flag_id>", methods=["GET", "POST"])
@operator_page
def admin_condition_flag(flag_id):
    row = found(db.session.get(ConditionFlag, flag_id))
    form = FlagForm()
    if form.validate_on_submit():
        action = (
            condition_flags.suspend_for_flag
            if form.submit_suspend.data
            else condition_flags.dismiss_flag
        )
        try:
            action(me(), row, form.reason.data)
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash(
                f"{row.organisation.display_name} has been suspended from {row.lot.label}."
                if form.submit_suspend.data
                else "The flag has been dismissed.",
                "success",
            )
            return redirect(url_for("dps.admin_condition_flags"))
    declaration = condition_flags.latest_declaration(row.organisation_id, row.condition_id)
    return render_template(
        "dps/admin_condition_flag.html",
        flag=row,
        form=form,
        declaration=declaration,
        declared_on=DECLARED_ON,
    )


@bp.route("/admin/dps/<int:dps_id>/conditions/new", methods=["GET", "POST"])
@operator_page
def admin_add_condition(dps_id):
    """Add a condition of membership to lots that already exist; the service says whether the law
    allows it now (``conditions.change_rule``) and the page shows its refusal."""
    dps = found(queries.dps(dps_id))
    form = ConditionForm()
    form.lots.choices = [(lot.id, lot.label) for lot in dps.lots]
    if form.validate_on_submit():
        chosen = [lot for lot in dps.lots if lot.id in set(form.lots.data or [])]
        try:
            condition = lot_conditions.add_condition(me(), dps, chosen, **form.values())
        except ServiceError as exc:
            refused(form, exc, "kind")
        else:
            flash(
                f"‘{condition.name}’ is now a condition of "
                f"{' and '.join(lot.label for lot in chosen)}.",
                "success",
            )
            return redirect(url_for("dps.admin_view_dps", dps_id=dps.id))
    return render_template(
        "dps/admin_condition_new.html",
        form=form,
        dps=dps,
        fixed=dps.regime == Regime.PROCUREMENT_ACT_2023 and is_established(dps),
        by_lot={lot.id: lot_conditions.conditions_of_lots([lot.id]) for lot in dps.lots},
    )


class RateForm(Form):
    rate_year = StringField("Year the rate is for", description="For example, 2026-27")
    announced_on = StringField(
        "Date announced", description="For example, 20/10/2026 or 2026-10-20"
    )
    pay_by = StringField(
        "Date by which employers must pay it", description="For example, 1/5/2027 or 2027-05-01"
    )
    uk = StringField("Real Living Wage (UK), per hour", description="In pounds, like 14.10")
    london = StringField("London Living Wage, per hour", description="In pounds, like 15.50")
    submit = submit("Load the rate and tell suppliers")


def _date(text):
    text = (text or "").strip()
    for parse in (date.fromisoformat, lambda t: date(*reversed([int(p) for p in t.split("/")]))):
        try:
            return parse(text)
        except (TypeError, ValueError):
            continue
    return None


@bp.route("/admin/living-wage-rates", methods=["GET", "POST"])
@operator_page
def admin_living_wage_rates():
    form = RateForm()
    if form.validate_on_submit():
        try:
            wage_rates.load_rate(
                me(),
                rate_year=form.rate_year.data,
                announced_on=_date(form.announced_on.data),
                pay_by=_date(form.pay_by.data),
                uk_pence=condition_answers.parse_pence(form.uk.data),
                london_pence=condition_answers.parse_pence(form.london.data),
            )
        except ServiceError as exc:
            refused(form, exc, "rate_year", {"uk_pence": "uk", "london_pence": "london"})
        else:
            flash("The rate has been loaded. Suppliers it applies to have been told.", "success")
            return redirect(url_for("dps.admin_living_wage_rates"))
    return render_template(
        "dps/admin_living_wage_rates.html",
        form=form,
        rates=list(reversed(wage_rates.rates())),
    )


# --- The supplier tells the operator about a change -----------------------------------------------


@bp.route(
    "/organisations/<int:organisation_id>/dps/<int:dps_id>/conditions", methods=["GET", "POST"]
)
@login_required
def declare_condition_change(organisation_id, dps_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    if not may_see_for(me(), organisation.id):
        abort(404)
    if not may_act_for(me(), organisation.id):
        abort(403)
    dps = found(db.session.get(Dps, dps_id))
    held = condition_flags.held_lots_by_condition(organisation.id, dps.id)
    latest = {}
    for condition in held:
        declaration = condition_flags.latest_declaration(organisation.id, condition.id)
        latest[condition.id] = dict(declaration.answer) if declaration else {}
    values = {cid: typed(answer) for cid, answer in latest.items()}
    errors = {}
    if request.method == "POST":
        raw, errors = read_answers(list(held), organisation, latest)
        values = raw
        flags = []
        if not errors:
            # Every answer must be complete before any is sent, so none is sent alone.
            _answers, errors = condition_flags.parse_all(list(held), raw, condition_answers.CHANGE)
        if not errors:
            for condition in held:
                try:
                    flags += condition_flags.declare_change(
                        me(), organisation, condition, raw[condition.id]
                    )
                except ServiceError as exc:
                    db.session.rollback()
                    errors[exc.field or f"condition-{condition.id}"] = str(exc)
                    break
        if not errors:
            flash(
                "Thank you. The operator has been told that your organisation may no longer "
                "meet a condition, and will be in touch."
                if flags
                else "Thank you. Your answers still meet the conditions of your lots.",
                "success",
            )
            return redirect(url_for("dps.organisation_lots", organisation_id=organisation.id))
    return render_template(
        "dps/condition_change.html",
        organisation=organisation,
        dps=dps,
        items=[
            {
                "condition": condition,
                "values": values.get(condition.id, {}),
                "lots": [lot.label for lot in lots],
            }
            for condition, lots in held.items()
        ],
        errors=errors,
        form=PageErrors(errors),
        documents=library(organisation.id),
    )
