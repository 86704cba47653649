"""What every page of a buyer organisation's area shares: where an opportunity's pages live, the
organisation and opportunity a URL names (a 404 or 403 when the signed-in person may not see
them), and a form sent to one service call."""

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from app.errors import ServiceError
from app.organisations.models import OrganisationKind
from app.permissions import require
from app.web import found, refused
from lots.blueprint import bp
from lots.opportunities import queries
from lots.opportunities.permissions import may_see_buyer_area

OPPORTUNITY_URL = "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>"


def opportunity_page(path="", methods=("GET",)):
    """Registers a page of one of the buyer's opportunities, at ``OPPORTUNITY_URL + path``, for
    people signed in (its endpoint is the view's name: ``lots.<view>``)."""

    def register(view):
        return bp.route(OPPORTUNITY_URL + path, methods=list(methods))(login_required(view))

    return register


def buyer_area(organisation_id):
    """The buyer organisation, if the signed-in person belongs to it: else 404 or 403."""
    organisation = found(queries.organisation(organisation_id))
    if organisation.kind != OrganisationKind.BUYER:
        abort(404)
    require(may_see_buyer_area(current_user, organisation.id))
    return organisation


def buyers_opportunity(organisation, opportunity_id):
    """One of the organisation's opportunities; another organisation's is a 404."""
    opportunity = queries.opportunity(opportunity_id)
    if opportunity is None or opportunity.buyer_id != organisation.id:
        abort(404)
    return opportunity


def to_manage(opportunity):
    return redirect(
        url_for(
            "lots.manage_opportunity",
            organisation_id=opportunity.buyer_id,
            opportunity_id=opportunity.id,
        )
    )


def sent_form(form_class, opportunity, act, default, fields=None):
    """(form, accepted): the page's form, filled from the opportunity when the form says how, and
    whether it was sent and ``act(opportunity, form)`` (one service call) accepted it. A refusal
    goes in the error summary against its field (``fields`` maps the service's names to the
    form's) or ``default``."""
    if hasattr(form_class, "initial"):
        form = form_class(data=form_class.initial(opportunity))
    else:
        form = form_class()
    if not form.validate_on_submit():
        return form, False
    try:
        act(opportunity, form)
    except ServiceError as exc:
        refused(form, exc, default, fields)
        return form, False
    return form, True
