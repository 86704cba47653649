"""The human side of notices: the public list of published notices, a page per notice (anyone
may read a published one), and the buyer's list of notices due, waiting and published, with the
button to publish a due one."""

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import ConfirmForm, add_error
from app.organisations.models import Organisation
from app.web import found, me
from lots.awards.models import Award, AwardStatus
from lots.opportunities.models import Opportunity
from lots.opportunities.permissions import may_see_buyer_area
from publishing import listing, rules, services
from publishing.models import Notice

bp = Blueprint("publishing", __name__)


def notice_name(notice):
    return rules.NAMES.get(notice.notice_type, notice.notice_type)


@bp.app_template_global("notices_summary")
def notices_summary(organisation_id):
    """For the buyer's page: how many notices are due, and how many of those are overdue."""
    due = due_notices(organisation_id)
    return {
        "due": len(due),
        "overdue": sum(1 for n in due if services.is_overdue(n)),
        "waiting": len(awaiting_award_notice(organisation_id)),
    }


def due_notices(organisation_id):
    return (
        db.session.execute(
            sa.select(Notice)
            .where(Notice.buyer_id == organisation_id, Notice.published_at.is_(None))
            .order_by(Notice.due_on, Notice.id)
        )
        .scalars()
        .all()
    )


def awaiting_award_notice(organisation_id):
    """Confirmed awards of the buyer's call-offs with no contract award notice yet, each with
    the letters still to send: [(opportunity, unsent, expected)]."""
    published = (
        sa.select(Notice.opportunity_id)
        .where(Notice.event == rules.Event.AWARD_DECIDED.value)
        .scalar_subquery()
    )
    rows = (
        db.session.execute(
            sa.select(Opportunity)
            .join(Award, Award.opportunity_id == Opportunity.id)
            .where(
                Opportunity.buyer_id == organisation_id,
                Award.status != AwardStatus.PROPOSED,
                Opportunity.id.not_in(published),
            )
            .order_by(Opportunity.id)
        )
        .scalars()
        .all()
    )
    return [(o, *services.letters_outstanding(o)) for o in rows]


@bp.route("/notices")
def notices():
    """Every published notice, newest first, of one kind if asked; a kind or a page the product
    does not know is said in the error summary, above the newest notices of every kind."""
    kind = request.args.get("kind") or None
    cursor = request.args.get("cursor") or None
    errors = {}
    try:
        page = listing.published(kind, cursor)
    except ServiceError as exc:
        errors[exc.field] = str(exc)
        kind = None if exc.field == "kind" else kind
        page = listing.published(kind)
    kind_items = [{"value": "", "text": "Every kind"}] + [
        {"value": value, "text": f"{name} ({value})", "selected": value == kind}
        for value, name in listing.kinds()
    ]
    error_list = [
        {"text": message, "href": "#kind" if field == "kind" else "#notices"}
        for field, message in errors.items()
    ]
    return render_template(
        "publishing/notices.html",
        page=page,
        kind=kind,
        kind_items=kind_items,
        errors=errors,
        error_list=error_list,
        name_of=rules.NAMES,
        first_page=not cursor or bool(errors),
    ), (400 if errors else 200)


@bp.route("/notices/<release_id>")
def notice(release_id):
    found_notice = found(
        db.session.execute(
            sa.select(Notice).where(
                Notice.release_id == release_id, Notice.published_at.is_not(None)
            )
        ).scalar_one_or_none()
    )
    versions = (
        db.session.execute(
            sa.select(Notice)
            .where(
                Notice.ocid == found_notice.ocid,
                Notice.notice_type == found_notice.notice_type,
                Notice.published_at.is_not(None),
            )
            .order_by(Notice.version)
        )
        .scalars()
        .all()
    )
    release = found_notice.release
    return render_template(
        "publishing/notice.html",
        notice=found_notice,
        name=notice_name(found_notice),
        release=release,
        tender=release.get("tender", {}),
        award=(release.get("awards") or [None])[0],
        contract=(release.get("contracts") or [None])[0],
        statistics={
            s["measure"]: s["value"] for s in release.get("bids", {}).get("statistics", [])
        },
        versions=versions,
        latest=versions[-1] if versions else found_notice,
    )


@bp.route("/buyer/<int:organisation_id>/notices")
@login_required
def buyer_notices(organisation_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    if not may_see_buyer_area(current_user, organisation.id):
        abort(403)
    return _buyer_page(organisation, ConfirmForm())


def _buyer_page(organisation, form, status=200):
    published = (
        db.session.execute(
            sa.select(Notice)
            .where(Notice.buyer_id == organisation.id, Notice.published_at.is_not(None))
            .order_by(Notice.published_at.desc(), Notice.id.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )
    due = due_notices(organisation.id)
    calendars = {}
    for n in due:
        dps = n.dps_id
        if dps not in calendars:
            from dps.models import Dps

            calendars[dps] = db.session.get(Dps, dps).calendar
    return (
        render_template(
            "publishing/buyer_notices.html",
            organisation=organisation,
            due=[
                (
                    n,
                    notice_name(n),
                    services.is_overdue(n),
                    services.reminder_due(n, calendars[n.dps_id]),
                )
                for n in due
            ],
            waiting=awaiting_award_notice(organisation.id),
            published=[(n, notice_name(n)) for n in published],
            form=form,
        ),
        status,
    )


@bp.route("/buyer/<int:organisation_id>/notices/<int:notice_id>/publish", methods=["POST"])
@login_required
def publish_due(organisation_id, notice_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    due = found(db.session.get(Notice, notice_id))
    if due.buyer_id != organisation.id or not may_see_buyer_area(current_user, organisation.id):
        abort(404)

    def publish():
        services.publish_due(me(), due)
        return due

    return _confirmed(organisation, publish)


@bp.route(
    "/buyer/<int:organisation_id>/call-offs/<int:opportunity_id>/award-notice", methods=["POST"]
)
@login_required
def publish_award_notice(organisation_id, opportunity_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    opportunity = found(db.session.get(Opportunity, opportunity_id))
    if opportunity.buyer_id != organisation.id or not may_see_buyer_area(
        current_user, organisation.id
    ):
        abort(404)
    return _confirmed(
        organisation, lambda: services.publish_award_notice_by_buyer(me(), opportunity)
    )


def _confirmed(organisation, publish):
    """A button on the buyer's notices page, confirmed: ``publish()`` gives the notice published,
    whose page follows; a refusal is the notices page again with the reason, or a 403."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _buyer_page(organisation, form, 400)
    try:
        published = publish()
    except ServiceError as exc:
        db.session.rollback()
        if type(exc) is NotAllowed:  # not a subclass: a deadline passed is said on the page
            abort(403)
        add_error(form, "submit", str(exc))
        return _buyer_page(organisation, form, 400)
    return redirect(url_for(".notice", release_id=published.release_id))


@bp.app_template_filter("ocds_datetime")
def ocds_datetime(value):
    """An OCDS date-time as a page shows times (Europe/London)."""
    from datetime import datetime

    from app.timeutil import format_datetime

    return format_datetime(datetime.fromisoformat(value)) if value else ""


@bp.app_template_filter("ocds_date")
def ocds_date(value):
    """An OCDS date-time that stands for a day (midnight in London), as a page shows days."""
    from datetime import datetime

    from app.timeutil import format_date, to_local

    return format_date(to_local(datetime.fromisoformat(value)).date()) if value else ""


@bp.app_template_filter("ocds_money")
def ocds_money(value):
    if not value:
        return ""
    return f"£{value['amount']:,.2f}".replace(".00", "")
