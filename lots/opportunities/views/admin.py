"""The operator's pages: approving buyer organisations, and setting what each lot covers (its
CPV categories and areas). Administrators only."""

from flask import flash, redirect, render_template, request, url_for

from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import BUYER_TYPE_LABELS
from app.permissions import admin_required
from app.reference import geography
from app.web import found, me, refused
from dps.models import Dps
from lots.blueprint import bp
from lots.opportunities import buyers, lot_scope, patches, queries
from lots.opportunities.buyer_forms import DecideBuyerForm, LotScopeForm
from lots.opportunities.models import AreaType, BuyerStatus
from lots.opportunities.patch_forms import PatchSetForm


@bp.route("/admin/buyers")
@admin_required
def admin_buyers():
    return render_template(
        "lots/admin_buyers.html",
        pending=queries.buyer_profiles(BuyerStatus.PENDING),
        approved=queries.buyer_profiles(BuyerStatus.APPROVED),
        rejected=queries.buyer_profiles(BuyerStatus.REJECTED),
    )


@bp.route("/admin/buyers/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def admin_decide_buyer(organisation_id):
    profile = found(buyers.profile(organisation_id))
    form = DecideBuyerForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        try:
            buyers.decide_approval(me(), profile.organisation, approve, form.reason.data)
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash(
                f"{profile.organisation.display_name} has been "
                f"{'approved' if approve else 'rejected'}.",
                "success",
            )
            return redirect(url_for("lots.admin_buyers"))
    return render_template(
        "lots/admin_decide_buyer.html",
        form=form,
        profile=profile,
        buyer_type_label=BUYER_TYPE_LABELS.get(profile.organisation.buyer_type),
    )


@bp.route("/admin/lots/<int:lot_id>/scope", methods=["GET", "POST"])
@admin_required
def admin_lot_scope(lot_id):
    lot = found(queries.lot(lot_id))
    codes, areas = lot_scope.scope_of(lot.id)
    # Local authority areas set before stay choosable, so saving the page never drops them.
    extra = [
        (f"local_authority:{code}", _la_name(code))
        for area_type, code in areas
        if area_type == AreaType.LOCAL_AUTHORITY
    ]
    form = LotScopeForm(
        data={"cpv_codes": "\n".join(codes), "areas": [f"{t.value}:{c}" for t, c in areas]},
        extra_areas=extra,
    )
    if form.validate_on_submit():
        try:
            lot_scope.set_scope(me(), lot, **form.values())
        except ServiceError as exc:
            refused(form, exc, "cpv_codes")
        else:
            flash(f"What {lot.label} covers has been saved.", "success")
            return redirect(url_for("lots.view_lot", lot_id=lot.id))
    return render_template("lots/admin_lot_scope.html", form=form, lot=lot)


def _la_name(code):
    la = geography.local_authority(code)
    return f"{la.name} (local authority)" if la else code


@bp.route("/admin/dps/<int:dps_id>/patches/new", methods=["GET", "POST"])
@admin_required
def admin_new_patch_set(dps_id):
    dps = found(db.session.get(Dps, dps_id))
    form = PatchSetForm()
    if request.method == "GET":
        form.cap_per_provider.data = "1"
    if form.validate_on_submit():
        try:
            lots = patches.create_patch_set(me(), dps, **form.values())
        except ServiceError as exc:
            refused(
                form,
                exc,
                "group",
                {"max_value": "max_value", "number": "patches", "kind": "charter"},
            )
        else:
            flash(f"{len(lots)} patches have been added to {dps.name}.", "success")
            return redirect(url_for("lots.view_patch_set", lot_id=lots[0].id))
    return render_template("lots/admin_patch_set.html", form=form, dps=dps)
