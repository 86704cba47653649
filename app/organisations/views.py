"""Organisation pages. Thin: check permission, parse the form, call one service, render or
redirect."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import permissions
from app.errors import ServiceError
from app.extensions import login_manager
from app.forms import add_error
from app.organisations import invitations, members, queries, services
from app.organisations.forms import BuyerForm, InviteForm, KindForm, SupplierForm, confirm_form
from app.organisations.models import (
    BALANCE_SHEET_BAND_LABELS,
    ROLE_LABELS,
    STAFF_BAND_LABELS,
    TURNOVER_BAND_LABELS,
    OrganisationKind,
    Role,
    SupplierType,
)
from app.reference import geography
from app.web import found, me, refused

bp = Blueprint("organisations", __name__)

NEW_PAGES = {
    OrganisationKind.SUPPLIER.value: "organisations.new_supplier",
    OrganisationKind.BUYER.value: "organisations.new_buyer",
}


def _organisation(organisation_id, manage=False):
    """The organisation, if the signed-in person may see it (or manage it): else 404 or 403."""
    organisation = found(queries.organisation(organisation_id))
    if manage:
        permissions.require_manage_organisation(current_user, organisation.id)
    else:
        permissions.require_view_organisation(current_user, organisation.id)
    return organisation


def _refused(form, exc):
    """A refusal against the field it names; a profile's details against every field with a
    problem."""
    refused(form, exc, "submit")
    if isinstance(exc, services.InvalidDetails):
        for field, message in list(exc.errors.items())[1:]:  # the first is the refusal's own
            add_error(form, field if hasattr(form, field) else "submit", message)


# --- Organisations ------------------------------------------------------------------------------


@bp.route("/organisations")
@login_required
def list_organisations():
    return render_template(
        "organisations/list.html",
        memberships=queries.memberships_for(me()),
        role_labels=ROLE_LABELS,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation():
    form = KindForm()
    if form.validate_on_submit():
        return redirect(url_for(NEW_PAGES[form.kind.data]))
    return render_template("organisations/new.html", form=form)


@bp.route("/organisations/new/supplier", methods=["GET", "POST"])
@login_required
def new_supplier():
    form = SupplierForm()
    # A community group registering only to post wishes (the wish list's start page sends it
    # here with ?for=wishes): the same organisation, offered as a community group, and on to
    # posting a wish rather than to the DPSs it could join.
    for_wishes = request.args.get("for") == "wishes"
    if for_wishes and request.method == "GET":
        form.supplier_type.data = SupplierType.COMMUNITY_GROUP.value
    if form.validate_on_submit():
        try:
            organisation = services.create_supplier(me(), form.details())
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(f"{organisation.display_name} has been added. You are its owner.", "success")
            if for_wishes:
                return redirect(url_for("wishes.new_wish"))
            # Next, the DPSs it can apply to join (a dps/ page, named as navigation.py does).
            return redirect(url_for("dps.dps_to_join", organisation_id=organisation.id))
    return render_template("organisations/supplier_form.html", form=form, organisation=None)


@bp.route("/organisations/new/buyer", methods=["GET", "POST"])
@login_required
def new_buyer():
    form = BuyerForm()
    if form.validate_on_submit():
        try:
            organisation = services.create_buyer(me(), form.details())
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(f"{organisation.display_name} has been added. You are its owner.", "success")
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template("organisations/buyer_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:organisation_id>")
@login_required
def view_organisation(organisation_id):
    organisation = _organisation(organisation_id)
    return render_template(
        "organisations/view.html",
        organisation=organisation,
        members=queries.members_of(organisation.id),
        invitations=queries.pending_invitations(organisation.id),
        can_manage=permissions.can_manage_organisation(current_user, organisation.id),
        local_authority=geography.local_authority(organisation.local_authority_code),
        region=geography.region(organisation.region_code),
        staff_label=STAFF_BAND_LABELS.get(organisation.staff_band),
        turnover_label=TURNOVER_BAND_LABELS.get(organisation.turnover_band),
        balance_sheet_label=BALANCE_SHEET_BAND_LABELS.get(organisation.balance_sheet_band),
        role_labels=ROLE_LABELS,
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id):
    organisation = _organisation(organisation_id, manage=True)
    form_class, template = (
        (SupplierForm, "organisations/supplier_form.html")
        if organisation.is_supplier
        else (BuyerForm, "organisations/buyer_form.html")
    )
    form = form_class(obj=organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(me(), organisation, form.details())
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash("Your changes have been saved.", "success")
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template(template, form=form, organisation=organisation)


# --- Members and invitations --------------------------------------------------------------------


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@login_required
def invite_member(organisation_id):
    organisation = _organisation(organisation_id, manage=True)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, _token = invitations.invite_member(
                me(), organisation, form.email.data, form.role.data
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(f"We have sent an invitation to {invitation.email}.", "success")
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template("organisations/invite.html", form=form, organisation=organisation)


@bp.route(
    "/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke",
    methods=["GET", "POST"],
)
@login_required
def revoke_invitation(organisation_id, invitation_id):
    organisation = _organisation(organisation_id, manage=True)
    invitation = found(queries.invitation_in(organisation.id, invitation_id))
    form = confirm_form("Yes, cancel the invitation")
    if form.validate_on_submit():
        try:
            invitations.revoke_invitation(me(), invitation)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(f"The invitation to {invitation.email} has been cancelled.", "success")
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template(
        "organisations/revoke_invitation.html",
        form=form,
        organisation=organisation,
        invitation=invitation,
    )


@bp.route(
    "/organisations/<int:organisation_id>/members/<int:membership_id>/remove",
    methods=["GET", "POST"],
)
@login_required
def remove_member(organisation_id, membership_id):
    organisation = _organisation(organisation_id, manage=True)
    membership = found(queries.membership_in(organisation.id, membership_id))
    is_me = membership.user_id == current_user.id
    form = confirm_form("Yes, leave" if is_me else f"Yes, remove {membership.user.name}")
    if form.validate_on_submit():
        try:
            user = members.remove_member(me(), membership)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            if is_me:
                flash(f"You have left {organisation.display_name}.", "success")
                return redirect(url_for(".list_organisations"))
            flash(f"{user.name} has been removed from {organisation.display_name}.", "success")
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template(
        "organisations/remove_member.html",
        form=form,
        organisation=organisation,
        membership=membership,
        is_me=is_me,
    )


@bp.route(
    "/organisations/<int:organisation_id>/members/<int:membership_id>/make-owner",
    methods=["GET", "POST"],
)
@login_required
def make_owner(organisation_id, membership_id):
    organisation = _organisation(organisation_id, manage=True)
    membership = found(queries.membership_in(organisation.id, membership_id))
    form = confirm_form(f"Yes, make {membership.user.name} an owner")
    if form.validate_on_submit():
        try:
            members.transfer_ownership(me(), membership)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            flash(
                f"{membership.user.name} is now an owner of {organisation.display_name}. "
                "You are now a member.",
                "success",
            )
            return redirect(url_for(".view_organisation", organisation_id=organisation.id))
    return render_template(
        "organisations/make_owner.html", form=form, organisation=organisation, membership=membership
    )


PROBLEM_STATUS = {
    "invalid": 404,
    "expired": 410,
    "revoked": 410,
    "accepted": 410,
    "wrong_email": 403,
}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    signed_in = current_user.is_authenticated
    if request.method == "POST" and not signed_in:
        return login_manager.unauthorized()
    form = confirm_form("Accept invitation")
    try:
        if form.validate_on_submit():
            membership = invitations.accept_invitation(me(), token)
            flash(f"You have joined {membership.organisation.display_name}.", "success")
            return redirect(
                url_for(".view_organisation", organisation_id=membership.organisation_id)
            )
        invitation = invitations.open_invitation(token, me() if signed_in else None)
    except invitations.InvitationProblem as problem:
        invitation = problem.invitation
        if (
            problem.reason in ("accepted", "already_member")
            and invitation is not None
            and permissions.is_member(current_user, invitation.organisation_id)
        ):
            flash(f"You are already a member of {invitation.organisation.display_name}.", "info")
            return redirect(
                url_for(".view_organisation", organisation_id=invitation.organisation_id)
            )
        return render_template(
            "organisations/invitation_problem.html", reason=problem.reason, invitation=invitation
        ), PROBLEM_STATUS.get(problem.reason, 400)
    if not signed_in:
        return render_template(
            "organisations/invitation_sign_in.html", invitation=invitation, next_url=request.path
        )
    return render_template(
        "organisations/invitation.html",
        form=form,
        invitation=invitation,
        role_label=ROLE_LABELS[Role(invitation.role)],
    )
