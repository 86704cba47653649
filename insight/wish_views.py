"""The community wish list's pages: the public lists (open wishes by place, and what has been
delivered), a wish's page, a group's own wishes (post, withdraw, confirm delivery) and the
operator's moderation. The rules are in ``app.places.wishes`` and ``lots.awards.pledges``; these
pages parse, call one service and show its refusal in the error summary.

Who may post: anyone signed in, for any organisation they belong to (a supplier, a community
group that registered as an organisation only for this, or a buyer). The contact's details are
shown to signed-in people only."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, NotFound, ServiceError
from app.extensions import db
from app.forms import Form
from app.organisations.queries import memberships_for
from app.permissions import admin_required, is_member
from app.places import services as places
from app.places import wishes
from app.places.models import Wish, WishStatus
from app.reference import geography, social_value
from app.web import found, me
from lots.awards import pledges as won
from lots.awards.models import WishPledge

bp = Blueprint("wishes", __name__)

FIELDS = (
    "title",
    "description",
    "measure",
    "quantity",
    "local_authority_code",
    "area",
    "contact_name",
    "contact_email",
    "contact_phone",
)


class CsrfForm(Form):
    """The CSRF token of a form whose fields the page lays out itself."""


def _checked_csrf():
    if not CsrfForm().validate_on_submit():
        abort(400)


def _errors(exc):
    db.session.rollback()
    if isinstance(exc, NotAllowed):
        abort(403)
    if isinstance(exc, NotFound):
        abort(404)
    return {exc.field or "decision": str(exc)}


def council_name(code):
    la = geography.local_authority(code)
    return la.name if la else code


@bp.app_template_global("wish_helpers")
def wish_helpers():
    return {"council": council_name, "measure": social_value.get, "status_tag": status_tag}


def status_tag(wish):
    colour = {
        WishStatus.PENDING: "govuk-tag--yellow",
        WishStatus.OPEN: "govuk-tag--blue",
        WishStatus.REJECTED: "govuk-tag--red",
        WishStatus.WITHDRAWN: "govuk-tag--grey",
        WishStatus.PLEDGED: "govuk-tag--turquoise",
        WishStatus.DELIVERED: "govuk-tag--green",
    }[WishStatus(wish.status)]
    return {"text": wish.status_label, "classes": colour}


def _organisations():
    return [m.organisation for m in memberships_for(me())]


# --- Public -------------------------------------------------------------------------------------


@bp.route("/wishes")
def all_wishes():
    by_place = {}
    for wish in wishes.open_wishes():
        by_place.setdefault(wish.place_id, []).append(wish)
    return render_template(
        "wishes/all.html",
        places=[(p, by_place.get(p.id, [])) for p in places.all_places()],
    )


@bp.route("/places/<slug>/wishes")
def place_wishes(slug):
    place = found(places.place_by_slug(slug))
    return render_template(
        "wishes/place.html",
        place=place,
        open_wishes=wishes.open_wishes(place.id),
        delivered=won.delivered_in(place.id),
    )


@bp.route("/wishes/<int:wish_id>")
def view_wish(wish_id):
    wish = found(db.session.get(Wish, wish_id))
    user = current_user if current_user.is_authenticated else None
    if not wishes.may_see(user, wish):
        abort(404)
    return render_template(
        "wishes/wish.html",
        wish=wish,
        pledges=won.pledges_for([wish.id]).get(wish.id, []),
        signed_in=user is not None,
        is_group=user is not None and is_member(user, wish.organisation_id),
        form=CsrfForm(),
    )


# --- The group's ---------------------------------------------------------------------------------


@bp.route("/wishes/start")
def start():
    signed_in = current_user.is_authenticated
    return render_template(
        "wishes/start.html",
        signed_in=signed_in,
        has_organisation=bool(signed_in and _organisations()),
    )


@bp.route("/wishes/new", methods=["GET", "POST"])
@login_required
def new_wish():
    organisations = _organisations()
    if not organisations:
        return redirect(url_for("wishes.start"))
    all_places = places.all_places()
    place = (
        places.place_by_slug(request.args.get("place", "")) if request.args.get("place") else None
    )
    if place is None and len(all_places) == 1:
        place = all_places[0]
    if place is None:
        errors = {"place": "Choose where the need is"} if request.args.get("chosen") else {}
        return render_template("wishes/choose_place.html", places=all_places, errors=errors)
    typed = {k: request.form.get(k, "") for k in FIELDS}
    typed["organisation"] = request.form.get("organisation", str(organisations[0].id))
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        organisation = next((o for o in organisations if str(o.id) == typed["organisation"]), None)
        try:
            if organisation is None:
                raise ServiceError("Choose who the wish is from", "organisation")
            wish = wishes.post_wish(me(), organisation, place, typed)
        except ServiceError as exc:
            errors = _errors(exc)
        else:
            flash(
                f"Your wish is sent. The operator checks each wish before it shows on the "
                f"wish list for {place.name}; we will email {wish.contact_email} when it does.",
                "success",
            )
            return redirect(url_for("wishes.your_wishes"))
    measures = {}
    for m in wishes.wish_measures():
        measures.setdefault(m.theme, []).append(m)
    return render_template(
        "wishes/new.html",
        place=place,
        organisations=organisations,
        measures=measures,
        theme_name=social_value.theme_name,
        councils=[(c, council_name(c)) for c in place.authority_codes],
        typed=typed,
        errors=errors,
        form=CsrfForm(),
        several_places=len(all_places) > 1,
    )


@bp.route("/wishes/yours")
@login_required
def your_wishes():
    organisations = _organisations()
    mine = wishes.wishes_of([o.id for o in organisations])
    return render_template(
        "wishes/yours.html",
        wishes=mine,
        pledges=won.pledges_for([w.id for w in mine]),
        has_organisation=bool(organisations),
        form=CsrfForm(),
    )


@bp.route("/wishes/<int:wish_id>/withdraw", methods=["POST"])
@login_required
def withdraw(wish_id):
    wish = found(db.session.get(Wish, wish_id))
    _checked_csrf()
    try:
        wishes.withdraw_wish(me(), wish)
    except ServiceError as exc:
        flash(_errors(exc).popitem()[1], "error")
    else:
        flash(f"“{wish.title}” is withdrawn.", "success")
    return redirect(url_for("wishes.your_wishes"))


@bp.route("/wishes/pledges/<int:pledge_id>/delivered", methods=["GET", "POST"])
@login_required
def confirm_delivery(pledge_id):
    pledge = found(db.session.get(WishPledge, pledge_id))
    if not is_member(me(), pledge.wish.organisation_id):
        abort(404)
    note = request.form.get("note", "")
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        try:
            won.confirm_delivered(me(), pledge, note)
        except ServiceError as exc:
            errors = _errors(exc)
        else:
            flash(
                f"Thank you. {pledge.contract.supplier.display_name}’s pledge to "
                f"“{pledge.wish.title}” is confirmed as delivered.",
                "success",
            )
            return redirect(url_for("wishes.your_wishes"))
    return render_template(
        "wishes/confirm_delivery.html", pledge=pledge, note=note, errors=errors, form=CsrfForm()
    )


# --- The operator's ------------------------------------------------------------------------------


@bp.route("/admin/wishes")
@admin_required
def admin_wishes():
    return render_template(
        "wishes/admin_list.html",
        pending=wishes.pending_wishes(),
        moderated=wishes.recently_moderated(),
    )


@bp.route("/admin/wishes/<int:wish_id>", methods=["GET", "POST"])
@admin_required
def admin_wish(wish_id):
    wish = found(db.session.get(Wish, wish_id))
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        try:
            if decision == "approve":
                wishes.approve_wish(me(), wish)
            elif decision == "reject":
                wishes.reject_wish(me(), wish, reason)
            else:
                raise ServiceError("Choose whether to show the wish", "decision")
        except ServiceError as exc:
            errors = _errors(exc)
        else:
            flash(
                f"“{wish.title}” is "
                + (
                    "on the wish list."
                    if decision == "approve"
                    else "not shown. The group is told why."
                ),
                "success",
            )
            return redirect(url_for("wishes.admin_wishes"))
    return render_template(
        "wishes/admin_wish.html",
        wish=wish,
        decision=decision,
        reason=reason,
        errors=errors,
        form=CsrfForm(),
    )
