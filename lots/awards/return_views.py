"""Social value returns on pages: an organisation's returns (the supplier's tasks, the buyer's to
review), one return (the supplier fills it in with evidence; the buyer accepts or queries it),
and the buyer setting a contract's reporting frequency. The rules are in
``lots.awards.returns``; who may do what in ``lots.awards.permissions``."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.documents.models import Document
from app.documents.services import DocumentError
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import is_member
from app.reference import geography, social_value
from app.web import found, me
from lots.awards import permissions, queries, returns
from lots.awards.models import Contract, ReturnStatus, SocialValueReturn
from lots.awards.schedule import FREQUENCY_LABELS
from lots.blueprint import bp
from lots.evaluation.forms import ActionForm


@bp.route("/organisations/<int:organisation_id>/social-value-returns")
@login_required
def organisation_returns(organisation_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    if not is_member(current_user, organisation.id):
        abort(404)
    rows = [
        {"ret": r, "standing": returns.standing(r), "contract": r.contract}
        for r in queries.returns_readable_by(current_user, organisation.id)
    ]
    supplier = organisation.is_supplier
    to_do = [
        x
        for x in rows
        if (x["standing"].supplier_to_act if supplier else x["standing"].buyer_to_act)
    ]
    waiting_on_supplier = (
        [x for x in rows if x["standing"].key in ("overdue", "queried_overdue")]
        if not supplier
        else []
    )
    return render_template(
        "lots/returns_list.html",
        organisation=organisation,
        supplier=supplier,
        to_do=to_do,
        waiting_on_supplier=waiting_on_supplier,
        rows=rows,
    )


def _return(return_id):
    ret = found(db.session.get(SocialValueReturn, return_id))
    if not permissions.may_read_returns(current_user, ret.contract):
        abort(404)
    return ret


def _typed(ret):
    """What was typed (on a POST), else what the return holds."""
    if request.method == "POST":
        return (
            {c.id: request.form.get(f"value-{c.id}", "") for c in ret.contract.commitments},
            {c.id: request.form.get(f"postcodes-{c.id}", "") for c in ret.contract.commitments},
            request.form.get("note", ""),
            {c.id: request.form.get(f"council-{c.id}", "") for c in ret.contract.commitments},
        )
    held = {line.commitment_id: line for line in ret.lines}
    return (
        {c: _plain(line.value) for c, line in held.items()},
        {c: "\n".join(line.postcode_sectors or []) for c, line in held.items()},
        ret.note or "",
        {c: line.local_authority_code or "" for c, line in held.items()},
    )


def _council_name(code):
    la = geography.local_authority(code)
    return la.name if la else (code or "")


def _plain(amount):
    return f"{amount.normalize():f}" if amount is not None else ""


@bp.route("/social-value-returns/<int:return_id>", methods=["GET", "POST"])
@login_required
def social_value_return(return_id):
    ret = _return(return_id)
    contract = ret.contract
    can_submit = permissions.may_submit_return(current_user, contract) and returns.is_open(ret)
    can_decide = (
        permissions.may_record_delivery(current_user, contract)
        and ret.status == ReturnStatus.SUBMITTED
    )
    form = ActionForm()
    errors = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action")
        try:
            if action == "submit" and can_submit:
                values, postcodes, note, councils = _typed(ret)
                returns.submit_return(
                    me(),
                    ret,
                    values,
                    note=note,
                    postcodes=postcodes,
                    evidence=request.files.get("evidence") or None,
                    councils=councils,
                )
                flash("Your return is submitted. The buyer will accept it or query it.", "success")
                return redirect(request.path)
            if action == "decide" and can_decide:
                decision = request.form.get("decision")
                if decision == "accept":
                    returns.accept_return(me(), ret)
                    flash("The return is accepted. Its figures now count as delivered.", "success")
                elif decision == "query":
                    returns.query_return(me(), ret, request.form.get("reason"))
                    flash("The return is queried. The supplier has been told why.", "success")
                else:
                    raise ServiceError("Choose to accept the return or query it", "decision")
                return redirect(request.path)
            abort(403)
        except NotAllowed:
            abort(403)
        except (ServiceError, DocumentError) as exc:
            db.session.rollback()
            errors[exc.field or ("evidence" if isinstance(exc, DocumentError) else "note")] = str(
                exc
            )
    values, postcodes, note, councils = _typed(ret)
    lines = {line.commitment_id: line for line in ret.lines}
    evidence = [d for d in (db.session.get(Document, i) for i in ret.evidence_ids or []) if d]
    return render_template(
        "lots/return.html",
        ret=ret,
        contract=contract,
        standing=returns.standing(ret),
        commitments=[(c, c.measure, lines.get(c.id)) for c in contract.commitments],
        evidence=evidence,
        can_submit=can_submit,
        can_decide=can_decide,
        form=form,
        errors=errors,
        values=values,
        postcodes=postcodes,
        councils=councils,
        council_choices=geography.local_authorities(),
        council_name=_council_name,
        note=note,
        reason=request.form.get("reason", ""),
        decision=request.form.get("decision"),
        quantity=_plain,
        max_upload=current_app.config["MAX_UPLOAD_BYTES"],
    )


@bp.route("/contracts/<int:contract_id>/reporting", methods=["POST"])
@login_required
def set_reporting_frequency(contract_id):
    contract = found(db.session.get(Contract, contract_id))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        returns.set_reporting_frequency(me(), contract, request.form.get("frequency"))
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(
            f"{FREQUENCY_LABELS[contract.reporting_frequency]} reporting is set. The supplier "
            "has a return to fill in for each period.",
            "success",
        )
    return redirect(url_for("lots.view_contract", contract_id=contract.id) + "#returns")


@bp.app_template_global("social_value_estimate")
def social_value_estimate(measure, amount):
    """{"pence", "proxy"} for an amount of a measure that has a proxy value, else None."""
    pence = social_value.estimate_pence(measure, amount)
    return {"pence": pence, "proxy": measure.proxy} if pence is not None else None
