"""The operator's pages for places: the list, defining a place, and choosing its shared priority
measures. The rules are in ``app.places.services``; the public place page, which reads
contracts, is ``insight``'s."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import Form
from app.permissions import admin_required
from app.places import services
from app.places.models import Place
from app.reference import geography, social_value
from app.web import found, me

bp = Blueprint("places", __name__)


class CsrfForm(Form):
    """The CSRF token of a form whose fields the page lays out itself."""


def _checked_csrf():
    if not CsrfForm().validate_on_submit():
        abort(400)


def authority_names(place):
    return [
        (geography.local_authority(code).name if geography.local_authority(code) else code)
        for code in place.authority_codes
    ]


@bp.route("/admin/places")
@admin_required
def admin_places():
    places = services.all_places()
    return render_template(
        "places/admin_list.html",
        places=[(p, authority_names(p), len(services.buyer_ids_in(p))) for p in places],
        measure=social_value.get,
    )


@bp.route("/admin/places/new", methods=["GET", "POST"])
@admin_required
def new_place():
    typed = {k: request.form.get(k, "") for k in ("name", "areas", "description")}
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        try:
            place = services.create_place(me(), typed["name"], typed["areas"], typed["description"])
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            db.session.rollback()
            errors = {exc.field or "name": str(exc)}
        else:
            flash(f"{place.name} is defined. Now choose the measures its buyers share.", "success")
            return redirect(url_for("places.edit_priorities", place_id=place.id))
    return render_template(
        "places/new.html",
        form=CsrfForm(),
        typed=typed,
        errors=errors,
        combined=geography.combined_authorities(),
    )


@bp.route("/admin/places/<int:place_id>/priorities", methods=["GET", "POST"])
@admin_required
def edit_priorities(place_id):
    place = found(db.session.get(Place, place_id))
    chosen = list(place.priority_ids)
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        chosen = request.form.getlist("measures")
        try:
            services.set_priorities(me(), place, chosen)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            db.session.rollback()
            errors = {exc.field or "measures": str(exc)}
        else:
            flash(f"The shared priorities of {place.name} are saved.", "success")
            return redirect(url_for("places.admin_places"))
    themes = {}
    for m in social_value.all_measures(include_retired=True):
        if not m.retired or m.id in place.priority_ids:
            themes.setdefault(m.theme, []).append(m)
    return render_template(
        "places/priorities.html",
        place=place,
        form=CsrfForm(),
        themes=themes,
        theme_name=social_value.theme_name,
        chosen=chosen,
        errors=errors,
        authorities=authority_names(place),
        buyers=services.buyers_in(place),
        most=services.MAX_PRIORITIES,
        all_buyers=services.all_buyers(),
        named=[m.organisation_id for m in place.members],
    )


@bp.route("/admin/places/<int:place_id>/buyers", methods=["POST"])
@admin_required
def set_buyers(place_id):
    place = found(db.session.get(Place, place_id))
    _checked_csrf()
    try:
        services.set_buyers(me(), place, request.form.getlist("buyers"))
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(f"The buyers in {place.name} are saved.", "success")
    return redirect(url_for("places.edit_priorities", place_id=place.id))
