"""A supplier's standing, from its side: the lots its organisation holds and its applications,
renewing its self-declaration when the operator asks, and leaving a lot or a whole DPS.

Thin: call one service, render or redirect; a refusal from a service is shown in the error
summary (``app.web.refused``). Only members and the operator see an organisation's lots and
renewals (a 404 for anyone else); only members act on them.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.web import found, me, refused
from dps import queries
from dps.blueprint import bp
from dps.models import Dps, LotMembership, MembershipStatus, RenewalRequest, ReservedFor
from dps.permissions import may_act_for, may_see_for
from dps.services import applying, condition_flags, renewals, standing
from dps.views import conditions as condition_views
from dps.views import supplier_forms as forms
from dps.views.applications import APPLICATION_STATUS_TAGS, reference, submitted_sections

MEMBERSHIP_TAGS = {
    MembershipStatus.ADMITTED: ("Admitted", "govuk-tag--green"),
    MembershipStatus.SUSPENDED: ("Suspended", "govuk-tag--orange"),
    MembershipStatus.REMOVED: ("Removed", "govuk-tag--red"),
    MembershipStatus.LEFT: ("Left", "govuk-tag--grey"),
}


# --- Renewing the self-declaration ----------------------------------------------------------------


@bp.route("/renewals/<int:renewal_id>", methods=["GET", "POST"])
@login_required
def renew_declaration(renewal_id):
    renewal = found(db.session.get(RenewalRequest, renewal_id))
    if not may_see_for(me(), renewal.organisation_id):
        abort(404)
    form = forms.RenewalForm()
    reserved = renewals.reserved_memberships(renewal)
    held = condition_flags.held_lots_by_condition(renewal.organisation_id, renewal.dps_id)
    latest_answers = {}
    for condition in held:
        declaration = condition_flags.latest_declaration(renewal.organisation_id, condition.id)
        latest_answers[condition.id] = dict(declaration.answer) if declaration else {}
    values = {cid: condition_views.typed(answer) for cid, answer in latest_answers.items()}
    condition_errors = {}
    if form.validate_on_submit():
        raw, refused_files = condition_views.read_answers(
            list(held), renewal.organisation, latest_answers
        )
        values = raw
        try:
            if refused_files:
                field, message = next(iter(refused_files.items()))
                raise ServiceError(message, field)
            removed = renewals.complete_renewal(
                me(), renewal, form.confirm.data, condition_answers=raw, **form.values()
            )
        except ServiceError as exc:
            if exc.field and exc.field.startswith("c") and "-" in exc.field:
                db.session.rollback()
                condition_errors[exc.field] = str(exc)
            else:
                refused(form, exc, "submit")
        else:
            flash(
                f"Thank you. {renewal.organisation.display_name}’s self-declaration for "
                f"{renewal.dps.name} has been renewed."
                + (
                    " Your organisation no longer qualifies for "
                    f"{len(removed)} reserved {'lot' if len(removed) == 1 else 'lots'}, and "
                    "has been removed from them. We have emailed you the reason."
                    if removed
                    else ""
                ),
                "success",
            )
            return redirect(
                url_for("dps.organisation_lots", organisation_id=renewal.organisation_id)
            )
    latest = applying.latest_submitted(renewal.organisation_id, renewal.dps_id)
    return render_template(
        "dps/application_renewal.html",
        renewal=renewal,
        dps=renewal.dps,
        organisation=renewal.organisation,
        form=forms.PageErrors(condition_errors) if condition_errors else form,
        renewal_form=form,
        ask_workforce=ReservedFor.SUPPORTED_EMPLOYMENT in reserved,
        ask_mutual=ReservedFor.PUBLIC_SERVICE_MUTUAL in reserved,
        latest=latest,
        sections=submitted_sections(latest) if latest else [],
        can_edit=may_act_for(me(), renewal.organisation_id),
        condition_items=[
            {
                "condition": condition,
                "values": values.get(condition.id, {}),
                "lots": [lot.label for lot in lots],
            }
            for condition, lots in held.items()
        ],
        condition_errors=condition_errors,
        documents=condition_views.library(renewal.organisation_id),
    )


# --- The organisation's lots ----------------------------------------------------------------------


def _organisation(organisation_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    if not may_see_for(me(), organisation.id):
        abort(404)
    return organisation


@bp.route("/organisations/<int:organisation_id>/lots")
@login_required
def organisation_lots(organisation_id):
    organisation = _organisation(organisation_id)
    return render_template(
        "dps/application_organisation_lots.html",
        organisation=organisation,
        lot_memberships=queries.lot_memberships_for(organisation.id),
        applications=queries.applications_for(organisation.id),
        can_edit=may_act_for(me(), organisation.id),
        membership_tags=MEMBERSHIP_TAGS,
        status_tags=APPLICATION_STATUS_TAGS,
        reference=reference,
        held=(MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED),
    )


@bp.route(
    "/organisations/<int:organisation_id>/lots/<int:membership_id>/leave", methods=["GET", "POST"]
)
@login_required
def leave_lot(organisation_id, membership_id):
    organisation = _organisation(organisation_id)
    lot_membership = found(db.session.get(LotMembership, membership_id))
    if lot_membership.organisation_id != organisation.id:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            standing.leave_lots(me(), organisation, [lot_membership])
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            flash(f"{organisation.display_name} has left {lot_membership.lot.label}.", "success")
            return redirect(url_for("dps.organisation_lots", organisation_id=organisation.id))
    return render_template(
        "dps/application_leave_lot.html",
        organisation=organisation,
        lot_membership=lot_membership,
        form=form,
    )


@bp.route("/organisations/<int:organisation_id>/dps/<int:dps_id>/leave", methods=["GET", "POST"])
@login_required
def leave_dps(organisation_id, dps_id):
    """Leave every lot the organisation holds in one DPS."""
    organisation = _organisation(organisation_id)
    dps = found(db.session.get(Dps, dps_id))
    held = standing.memberships_in(organisation.id, dps.id)
    if not held:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            standing.leave_lots(me(), organisation, held)
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            flash(f"{organisation.display_name} has left {dps.name}.", "success")
            return redirect(url_for("dps.organisation_lots", organisation_id=organisation.id))
    return render_template(
        "dps/application_leave_dps.html", organisation=organisation, dps=dps, held=held, form=form
    )
