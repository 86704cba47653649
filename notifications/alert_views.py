"""Alert pages: a supplier person's alert settings, following a search, and the signed links in
alert emails (confirm, unsubscribe, manage), which work without signing in. Thin: parse, call one
service, render or redirect."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.extensions import csrf, db, limiter
from app.forms import ConfirmForm, database_id
from app.money import pence_to_pounds
from app.organisations import queries as organisation_queries
from app.organisations.models import OrganisationKind
from app.permissions import require
from app.reference import geography
from app.web import found, me, refused
from dps.models import Lot
from notifications import preferences
from notifications.forms import FollowSearchForm, PreferencesForm
from notifications.models import AlertKind, AlertSubscription
from notifications.permissions import may_choose_alerts
from notifications.unsubscribe import MANAGE, UNSUBSCRIBE, InvalidLink, read, sign

bp = Blueprint("alerts", __name__)


@bp.route("/account/alerts")
@login_required
def overview():
    person = me()
    organisations = [
        (o, preferences.preference_for(person, o))
        for o in preferences.supplier_organisations(person)
    ]
    return render_template(
        "alerts/overview.html",
        organisations=organisations,
        searches=preferences.searches_of(person),
        describe=preferences.describe,
        form=None,
        confirm_form=ConfirmForm(),
    )


@bp.route("/account/alerts/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def edit_preferences(organisation_id):
    person = me()
    organisation = found(organisation_queries.organisation(organisation_id))
    if organisation.kind != OrganisationKind.SUPPLIER:
        abort(404)
    require(may_choose_alerts(person, organisation))
    current = preferences.preference_for(person, organisation)
    admitted = preferences.admitted_lot_ids(organisation.id)
    lots = db.session.execute(db.select(Lot).order_by(Lot.dps_id, Lot.number)).scalars().all()
    form = PreferencesForm()
    form.set_choices(
        [(lot.id, f"{lot.label} ({lot.dps.name})") for lot in lots if lot.id not in admitted]
    )
    action = request.form.get("action", "save")
    focus = None
    if request.method == "GET":
        form.frequency.data = current.frequency.value
        form.admitted_lots.data = current.admitted_lots
        form.lot_ids.data = list(current.lot_ids or [])
        form.cpv_divisions.data = list(current.cpv_divisions or [])
        form.regions.data = [c for c in current.area_codes or [] if geography.region(c)]
        form.set_local_authority_codes(
            [c for c in current.area_codes or [] if c not in form.regions.data]
        )
        form.min_value.data = pence_to_pounds(current.min_value_pence)
        form.max_value.data = pence_to_pounds(current.max_value_pence)
        form.keywords.data = current.keywords or ""
    elif action == "add" or action.startswith("remove-"):
        # "Add another local authority" and "Remove" post back: the page comes again with
        # everything as typed and one row more or less. Nothing is checked or saved yet.
        codes = form.local_authority_codes()
        if action == "add":
            if len(codes) >= preferences.MAX_LOCAL_AUTHORITIES:
                form.add_local_authority_error(
                    len(codes) - 1,
                    f"You can choose up to {preferences.MAX_LOCAL_AUTHORITIES} local authorities",
                )
            else:
                form.set_local_authority_codes(codes + [""])
                focus = f"local_authorities-{len(codes)}-code"
        elif action[7:].isdigit():
            index = int(action[7:])
            form.set_local_authority_codes([c for i, c in enumerate(codes) if i != index])
    elif form.validate_on_submit():
        try:
            preferences.save_preferences(
                person,
                organisation,
                frequency=form.frequency.data,
                admitted_lots=form.admitted_lots.data,
                lot_ids=form.lot_ids.data or [],
                cpv_divisions=form.cpv_divisions.data or [],
                regions=form.regions.data or [],
                local_authorities=form.local_authority_codes(),
                min_value_pence=form.min_value.pence,
                max_value_pence=form.max_value.pence,
                keywords=form.keywords.data,
            )
        except ServiceError as exc:
            if exc.field == "local_authorities":  # a PreferencesError, naming the row
                form.add_local_authority_error(exc.index, str(exc))
            else:
                refused(form, exc, "submit")
        else:
            flash("Your alert settings are saved", "success")
            return redirect(url_for("alerts.overview"))
    admitted_names = [lot.label for lot in lots if lot.id in admitted]
    return render_template(
        "alerts/preferences.html",
        form=form,
        organisation=organisation,
        admitted_names=admitted_names,
        focus=focus,
        max_local_authorities=preferences.MAX_LOCAL_AUTHORITIES,
    ), 200 if not form.errors else 400


def _follow_key():
    return "follow-search:" + (request.form.get("email") or "").strip().lower()


def _links_per_email():
    return current_app.config["EMAIL_LINK_LIMIT_PER_ACCOUNT"]


def _per_address():
    return current_app.config["SIGNIN_LIMIT_PER_ADDRESS"]


@bp.route("/opportunities/alerts/new", methods=["GET", "POST"])
# A confirmation email goes to whatever address is typed: limited, so nobody can flood an inbox.
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_links_per_email, key_func=_follow_key, methods=["POST"])
def follow_search():
    args = preferences.search_args(request.args)
    signed_in = current_user.is_authenticated
    form = FollowSearchForm()
    try:
        summary = preferences.describe(preferences.search_subscription(args, "", "daily"))[:-1]
    except preferences.PreferencesError:
        return redirect(url_for("lots.find_opportunities", **args))
    if request.method == "GET":
        if signed_in:
            form.email.data = current_user.email
        form.frequency.data = "daily"
    elif form.validate_on_submit():
        try:
            sub = preferences.follow_search(
                args, form.email.data, form.frequency.data, user=me() if signed_in else None
            )
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            if sub.confirmed_at is not None:
                flash("You will get emails about new opportunities like these", "success")
                return redirect(url_for("alerts.overview"))
            return redirect(url_for("alerts.check_email"))
    return render_template(
        "alerts/follow.html", form=form, summary=summary, args=args
    ), 200 if not form.errors else 400


@bp.route("/opportunities/alerts/check-your-email")
def check_email():
    return render_template("alerts/check_email.html")


@bp.route("/alerts/confirm/<token>")
def confirm_search(token):
    try:
        sub = preferences.confirm_search(token)
    except InvalidLink:
        return render_template("alerts/link_invalid.html"), 404
    return render_template("alerts/confirmed.html", sub=sub, summary=preferences.describe(sub))


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no session
def unsubscribe(token):
    try:
        email = read(UNSUBSCRIBE, token)["e"]
    except (InvalidLink, KeyError, TypeError):
        return render_template("alerts/link_invalid.html"), 404
    if request.method == "POST":
        preferences.unsubscribe(email)
        return render_template("alerts/unsubscribed.html", email=email, token=token)
    return render_template("alerts/unsubscribe.html", email=email, form=None)


@bp.route("/alerts/manage/<token>", methods=["GET", "POST"])
def manage(token):
    try:
        email = read(MANAGE, token)["e"]
    except (InvalidLink, KeyError, TypeError):
        return render_template("alerts/link_invalid.html"), 404
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        subscription_id = request.form.get("subscription_id", type=database_id)
        sub = db.session.get(AlertSubscription, subscription_id) if subscription_id else None
        if sub is None or sub.kind != AlertKind.SEARCH:
            abort(404)
        try:
            preferences.stop_search(sub, email=email)
        except NotAllowed:
            abort(403)
        flash("That alert is stopped", "success")
        return redirect(url_for("alerts.manage", token=token))
    searches = [s for s in preferences.searches_for_email(email) if s.unsubscribed_at is None]
    return render_template(
        "alerts/manage.html",
        email=email,
        searches=searches,
        describe=preferences.describe,
        confirm_form=form,
        form=None,
        unsubscribe_token=sign(UNSUBSCRIBE, {"e": email}),
    )


@bp.route("/account/alerts/searches/<int:subscription_id>/stop", methods=["POST"])
@login_required
def stop_search(subscription_id):
    sub = db.session.get(AlertSubscription, subscription_id)
    form = ConfirmForm()
    if sub is None or sub.kind != AlertKind.SEARCH or not form.validate_on_submit():
        abort(404)
    try:
        preferences.stop_search(sub, user=me())
    except NotAllowed:
        abort(403)
    flash("That alert is stopped", "success")
    return redirect(url_for("alerts.overview"))
