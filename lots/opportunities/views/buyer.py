"""A buyer organisation's area: its opportunities, asking for approval, joining a DPS and giving
colleagues their roles. What every page of the area shares is in ``area``; a draft's pages are
in ``drafting`` and ``publishing``, a published opportunity's in ``published``.

Members of the buyer organisation see these pages (anyone else gets a 403); an opportunity of
another organisation is a 404. What a member may do is the services' decision: a NotAllowed
from one is a 403, any other refusal is shown in the error summary."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.forms import database_id
from app.timeutil import to_local, utcnow
from app.web import me, refused
from lots.blueprint import bp
from lots.opportunities import buyers, queries
from lots.opportunities.buyer_forms import BuyerApprovalForm, JoinDpsForm
from lots.opportunities.permissions import is_buyer_owner
from lots.opportunities.views.area import buyer_area

ROLE_LABELS = {
    "buyer": ("Buyer", "Drafts and publishes opportunities, answers questions"),
    "evaluator": ("Evaluator", "Scores bids"),
    "approver": ("Approver", "Approves drafts and award decisions"),
}


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
    organisation = buyer_area(organisation_id)
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
    organisation = buyer_area(organisation_id)
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
    organisation = buyer_area(organisation_id)
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
    organisation = buyer_area(organisation_id)
    members = queries.members_with_roles(organisation.id)
    error = None
    if request.method == "POST":
        membership_id = request.form.get("membership_id", type=database_id)
        member = next((m for m, _ in members if m.id == membership_id), None)
        if member is None:
            abort(404)
        try:
            buyers.set_roles(me(), member, request.form.getlist("roles"))
        except NotAllowed:
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
        can_change=is_buyer_owner(current_user, organisation.id),
    )
