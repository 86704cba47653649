"""The operator manages a supplier's standing: excludes or debars it, lifts an exclusion,
suspends and reinstates it in a DPS, asks it to renew its self-declaration, removes it from a lot.

Thin: one page per action (what it does, a reason, one service call); a refusal from a service is
shown in the error summary against the field it names (``app.web.refused``)."""

from flask import abort, flash, redirect, render_template, url_for

from app.errors import ServiceError
from app.reference import geography
from app.web import found, me, refused
from dps import queries
from dps.admin_forms import ConfirmForm, ExcludeForm, ReasonForm
from dps.blueprint import bp
from dps.models import MembershipStatus
from dps.permissions import operator_page
from dps.services import renewals, standing


def _supplier(organisation_id):
    return found(queries.supplier(organisation_id))


@bp.route("/admin/organisations/<int:organisation_id>/standing")
@operator_page
def admin_standing(organisation_id):
    organisation = _supplier(organisation_id)
    by_dps = {}
    for membership_row in queries.lot_memberships_for(organisation.id):
        by_dps.setdefault(membership_row.lot.dps, []).append(membership_row)
    renewal_requests = queries.renewals_for(organisation.id)
    open_renewal_dps = {
        r.dps_id for r in renewal_requests if not r.completed_at and not r.lapsed_at
    }
    local_authority = geography.local_authority(organisation.local_authority_code)
    return render_template(
        "dps/admin_standing.html",
        organisation=organisation,
        by_dps=by_dps,
        exclusion=standing.active_exclusion(organisation.id),
        exclusions=queries.exclusions_for(organisation.id),
        renewals=renewal_requests,
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
        except ServiceError as exc:
            refused(form, exc, "reason" if hasattr(form, "reason") else "submit")
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
@operator_page
def admin_exclude(organisation_id):
    organisation = _supplier(organisation_id)
    return _standing_action(
        organisation,
        ExcludeForm(),
        lambda form: standing.exclude_organisation(
            me(), organisation, form.kind.data, form.reason.data
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
@operator_page
def admin_lift_exclusion(organisation_id):
    organisation = _supplier(organisation_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.lift_exclusion(me(), organisation, form.reason.data),
        heading=f"Lift the exclusion of {organisation.display_name}",
        intro="The supplier will be able to apply again. It does not get back the lots it was "
        "removed from: it must apply for them.",
        success=f"The exclusion of {organisation.display_name} has been lifted.",
        button="Lift exclusion",
    )


def _dps_for(dps_id):
    return found(queries.dps(dps_id))


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/dps/<int:dps_id>/suspend",
    methods=["GET", "POST"],
)
@operator_page
def admin_suspend(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.suspend_supplier(me(), organisation, dps, form.reason.data),
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
@operator_page
def admin_reinstate(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.reinstate_supplier(me(), organisation, dps, form.reason.data),
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
@operator_page
def admin_request_renewal(organisation_id, dps_id):
    organisation, dps = _supplier(organisation_id), _dps_for(dps_id)
    return _standing_action(
        organisation,
        ConfirmForm(),
        lambda form: renewals.request_renewal(me(), organisation, dps),
        heading=f"Ask {organisation.display_name} to renew its self-declaration",
        intro=f"We will email the supplier to confirm its answers are still correct within "
        f"{renewals.RENEWAL_WORKING_DAYS} working days. If it does not, it is suspended "
        f"from new call-offs in {dps.name} until you reinstate it.",
        success=f"{organisation.display_name} has been asked to renew its self-declaration.",
        button="Send renewal request",
        dps=dps,
    )


@bp.route(
    "/admin/organisations/<int:organisation_id>/standing/lots/<int:membership_id>/remove",
    methods=["GET", "POST"],
)
@operator_page
def admin_remove_from_lot(organisation_id, membership_id):
    organisation = _supplier(organisation_id)
    lot_membership = found(queries.lot_membership(membership_id))
    if lot_membership.organisation_id != organisation.id:
        abort(404)
    return _standing_action(
        organisation,
        ReasonForm(),
        lambda form: standing.remove_from_lot(me(), lot_membership, form.reason.data),
        heading=f"Remove {organisation.display_name} from {lot_membership.lot.label}",
        intro="The supplier will no longer be invited to call-offs in this lot. To hold it "
        "again it must apply. We will email the supplier your reason.",
        success=f"{organisation.display_name} has been removed from {lot_membership.lot.label}.",
        button="Remove from lot",
        danger=True,
        dps=lot_membership.lot.dps,
        lot_membership=lot_membership,
    )
