"""The pipeline's pages: the public list of planned call-offs (filterable by DPS, lot and buyer)
and each item's page, where a supplier registers interest and books a place at an engagement
event; and the buyer's pages, where it lists planned work, sees the interest by kind of
supplier, adds an event and drafts the call-off. Views parse, call one service, and render."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.errors import ServiceError
from app.forms import ConfirmForm
from app.organisations.queries import supplier_organisations_of
from app.permissions import is_member
from app.timeutil import to_local, utcnow
from app.web import found, me, refused
from lots.blueprint import bp
from lots.opportunities import buyers
from lots.opportunities import queries as opportunity_queries
from lots.opportunities.permissions import has_buyer_role
from lots.opportunities.views.area import buyer_area
from lots.pipeline import queries, services
from lots.pipeline.forms import EventForm, InterestForm, ItemForm, OrganisationForm, WithdrawForm
from lots.pipeline.models import BID_INTENT_LABELS, BidIntent

# --- Public pages -------------------------------------------------------------------------------


@bp.route("/pipeline")
def find_pipeline():
    filters = queries.parse(request.args)
    items, total = queries.listed(filters)
    dps, lots, buyer_choices = queries.filter_choices()
    return render_template(
        "pipeline/find.html",
        items=items,
        total=total,
        filters=filters,
        dps_choices=dps,
        lot_choices=lots,
        buyer_choices=buyer_choices,
        interest=queries.interest_counts([i.id for i in items]),
    )


def _organisation_of(form, organisations):
    wanted = form.organisation_id.data if form else request.args.get("as")
    return next((o for o in organisations if str(o.id) == str(wanted)), None) or (
        organisations[0] if organisations else None
    )


def render_item(item, interest_form=None, status=200, error=None):
    """An item's public page; a supplier's part (its interest and bookings) when the person
    belongs to a supplier organisation. ``error`` is (message, anchor) for the error summary
    when a booking was refused. A withdrawn item still explains itself to anyone."""
    organisations = supplier_organisations_of(current_user)
    organisation = _organisation_of(interest_form, organisations)
    interest = queries.interest_of(item.id, organisation.id) if organisation else None
    form = interest_form or InterestForm(
        data={
            "organisation_id": str(organisation.id) if organisation else "",
            "intent": (interest.intent if interest else BidIntent.UNDECIDED).value,
        }
    )
    now = utcnow()
    events = [
        (
            event,
            queries.booking_of(event.id, current_user.id)
            if current_user.is_authenticated
            else None,
        )
        for event in item.events
    ]
    return render_template(
        "pipeline/item.html",
        item=item,
        organisations=organisations,
        organisation=organisation,
        interest=interest,
        form=form,
        action_form=OrganisationForm(
            data={"organisation_id": str(organisation.id) if organisation else ""}
        ),
        events=events,
        now=now,
        of_buyer=is_member(current_user, item.buyer_id),
        intent_labels=BID_INTENT_LABELS,
        error=error,
    ), status


@bp.route("/pipeline/<int:item_id>")
def view_pipeline_item(item_id):
    return render_item(found(queries.item(item_id)))


def _chosen(form, item):
    organisations = supplier_organisations_of(current_user)
    organisation = next(
        (o for o in organisations if str(o.id) == str(form.organisation_id.data)), None
    )
    if organisation is None:
        abort(403)
    return organisation


@bp.route("/pipeline/<int:item_id>/interest", methods=["POST"])
@login_required
def register_pipeline_interest(item_id):
    item = found(queries.item(item_id))
    form = InterestForm()
    if form.validate_on_submit():
        organisation = _chosen(form, item)
        try:
            services.register_interest(me(), organisation, item, form.intent.data)
        except ServiceError as exc:
            refused(form, exc, "intent")
        else:
            flash(
                f"{organisation.display_name} is registered as interested. We will email you "
                "about market engagement events and when the call-off is published.",
                "success",
            )
            return redirect(
                url_for("lots.view_pipeline_item", item_id=item.id, **{"as": organisation.id})
            )
    return render_item(item, interest_form=form)


@bp.route("/pipeline/<int:item_id>/interest/withdraw", methods=["POST"])
@login_required
def withdraw_pipeline_interest(item_id):
    item = found(queries.item(item_id))
    form = OrganisationForm()
    if not form.validate_on_submit():
        abort(400)
    organisation = _chosen(form, item)
    try:
        services.withdraw_interest(me(), organisation, item)
    except ServiceError as exc:
        refused(form, exc, "organisation_id")
        flash(str(exc), "info")
    else:
        flash(f"{organisation.display_name} is no longer registered as interested.", "success")
    return redirect(url_for("lots.view_pipeline_item", item_id=item.id))


@bp.route("/pipeline/events/<int:event_id>/book", methods=["POST"])
@login_required
def book_engagement_event(event_id):
    event = found(queries.event(event_id))
    item = event.item
    form = OrganisationForm()
    if not form.validate_on_submit():
        abort(400)
    organisation = _chosen(form, item)
    try:
        services.book_place(me(), organisation, event)
    except ServiceError as exc:
        refused(form, exc, "organisation_id")
        return render_item(item, status=409, error=(str(exc), f"event-{event.id}"))
    flash("Your place is booked. We have emailed you the details.", "success")
    return redirect(
        url_for("lots.view_pipeline_item", item_id=item.id, **{"as": organisation.id})
        + f"#event-{event.id}"
    )


@bp.route("/pipeline/events/<int:event_id>/cancel-booking", methods=["POST"])
@login_required
def cancel_engagement_booking(event_id):
    event = found(queries.event(event_id))
    booking = found(queries.booking_of(event.id, current_user.id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.cancel_booking(me(), booking)
    flash("Your place is cancelled.", "success")
    return redirect(url_for("lots.view_pipeline_item", item_id=event.item_id))


# --- The buyer's pages --------------------------------------------------------------------------


def _item(organisation, item_id):
    item = queries.item(item_id)
    if item is None or item.buyer_id != organisation.id:
        abort(404)
    return item


@bp.route("/buyer/<int:organisation_id>/pipeline")
@login_required
def buyer_pipeline(organisation_id):
    organisation = buyer_area(organisation_id)
    items = queries.items_of_buyer(organisation.id)
    return render_template(
        "pipeline/buyer_pipeline.html",
        organisation=organisation,
        items=items,
        interest=queries.interest_counts([i.id for i in items]),
        can_add=bool(opportunity_queries.lots_for_buyer(organisation.id))
        and buyers.is_approved(organisation.id),
    )


@bp.route("/buyer/<int:organisation_id>/pipeline/new", methods=["GET", "POST"])
@login_required
def new_pipeline_item(organisation_id):
    organisation = buyer_area(organisation_id)
    lots = opportunity_queries.lots_for_buyer(organisation.id)
    today = to_local(utcnow()).date()
    profile = buyers.profile(organisation.id)
    form = ItemForm(
        lots=lots,
        quarters=services.quarters_open(today),
        data=None
        if request.method == "POST"
        else {
            "contact_name": profile.contact_name if profile else "",
            "contact_email": profile.contact_email if profile else "",
        },
    )
    if form.validate_on_submit():
        lot = found(opportunity_queries.lot(int(form.lot_id.data)))
        try:
            item = services.create_item(me(), organisation, lot, **form.values())
        except ServiceError as exc:
            refused(form, exc, "title", {"estimated_value_pence": "estimated_value"})
        else:
            flash("The planned work is in your pipeline, and anyone can see it.", "success")
            return redirect(
                url_for(
                    "lots.manage_pipeline_item", organisation_id=organisation.id, item_id=item.id
                )
            )
    return render_template(
        "pipeline/buyer_new.html",
        form=form,
        organisation=organisation,
        lots=lots,
        months=services.window_end(today),
    )


@bp.route("/buyer/<int:organisation_id>/pipeline/<int:item_id>")
@login_required
def manage_pipeline_item(organisation_id, item_id):
    organisation = buyer_area(organisation_id)
    item = _item(organisation, item_id)
    return render_template(
        "pipeline/buyer_item.html",
        organisation=organisation,
        item=item,
        analysis=services.interest_analysis(item),
        intent_labels=BID_INTENT_LABELS,
        bookings={event.id: queries.bookings(event.id) for event in item.events},
        form=ConfirmForm(),
        now=utcnow(),
        can_act=has_buyer_role(current_user, organisation.id, "buyer"),
    )


@bp.route("/buyer/<int:organisation_id>/pipeline/<int:item_id>/events/new", methods=["GET", "POST"])
@login_required
def new_engagement_event(organisation_id, item_id):
    organisation = buyer_area(organisation_id)
    item = _item(organisation, item_id)
    form = EventForm()
    if form.validate_on_submit():
        try:
            services.create_event(me(), item, **form.values())
        except ServiceError as exc:
            refused(form, exc, "date", {"starts_at": "date"})
        else:
            flash(
                "The event is added. Everyone interested is being emailed an invitation.",
                "success",
            )
            return redirect(
                url_for(
                    "lots.manage_pipeline_item", organisation_id=organisation.id, item_id=item.id
                )
            )
    return render_template(
        "pipeline/buyer_event.html", form=form, organisation=organisation, item=item
    )


@bp.route("/buyer/<int:organisation_id>/pipeline/<int:item_id>/draft", methods=["POST"])
@login_required
def draft_call_off_from_pipeline(organisation_id, item_id):
    organisation = buyer_area(organisation_id)
    item = _item(organisation, item_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        opportunity = services.draft_call_off(me(), item)
    except ServiceError as exc:
        refused(form, exc, "submit")
        flash(str(exc), "info")
        return redirect(
            url_for("lots.manage_pipeline_item", organisation_id=organisation.id, item_id=item.id)
        )
    flash(
        "The call-off is drafted from your planned work. Finish it and publish it: everyone "
        "who registered interest will be told.",
        "success",
    )
    return redirect(
        url_for(
            "lots.manage_opportunity",
            organisation_id=organisation.id,
            opportunity_id=opportunity.id,
        )
    )


@bp.route("/buyer/<int:organisation_id>/pipeline/<int:item_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_pipeline_item(organisation_id, item_id):
    organisation = buyer_area(organisation_id)
    item = _item(organisation, item_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_item(me(), item, form.reason.data)
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash("The planned work is withdrawn.", "success")
            return redirect(url_for("lots.buyer_pipeline", organisation_id=organisation.id))
    return render_template(
        "pipeline/buyer_withdraw.html", form=form, organisation=organisation, item=item
    )


def lot_panel(lot):
    """The lot page's planned work (``lots.opportunities.views.public.add_lot_panel``)."""
    return Markup(
        render_template("pipeline/_lot_panel.html", lot=lot, items=queries.items_of_lot(lot.id))
    )
