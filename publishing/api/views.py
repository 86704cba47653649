"""``/api/v1``: opportunities, lots, DPSs, the supplier directory and contracts for anyone; drafts
for an API token of their own organisation. Each route parses its input with a schema (refusing
what does not fit with 422), asks the same queries and services as the pages, and returns what
the public pages show and no more."""

from flask import g, request, url_for
from flask_smorest import Blueprint
from marshmallow import missing
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import NotFound

from app.errors import ServiceError
from app.extensions import db
from app.incoming import clean_json
from app.reference import geography
from dps import queries as dps_queries
from lots.awards.models import Contract
from lots.opportunities import buyers
from lots.opportunities import queries as opportunity_queries
from lots.opportunities import services as opportunities
from lots.opportunities.models import PUBLIC_STATUSES
from lots.search import queries as search
from publishing.api import errors, presenters, queries
from publishing.api.auth import BEARER, acting_user, audit, authenticate, require_scope, token
from publishing.api.models import Scope
from publishing.api.schemas import (
    ContractArgs,
    ContractPage,
    ContractSchema,
    DpsListSchema,
    DpsSchema,
    DraftFieldsSchema,
    DraftListSchema,
    DraftSchema,
    ErrorsSchema,
    LotArgs,
    LotListSchema,
    LotSchema,
    NewDraftSchema,
    OpportunityArgs,
    OpportunityPage,
    OpportunitySchema,
    PublishedSchema,
    PublishSchema,
    SupplierArgs,
    SupplierPage,
    SupplierSchema,
)


class CleanParser(FlaskParser):
    """webargs reads a JSON body itself, around the app's request class: clean it the same way
    (``app.incoming``), so a NUL or a lone surrogate never reaches the database."""

    def _raw_load_json(self, req):
        loaded = super()._raw_load_json(req)
        return loaded if loaded is missing else clean_json(loaded)


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = CleanParser()


bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Opportunities, lots, DPSs, suppliers, contracts and drafts",
)

# Each request: its token found and counted first, its use audited after; its errors in JSON.
bp.before_request(authenticate)
bp.after_request(audit)
errors.register(bp)

PUBLIC = [{}, {BEARER: []}]  # open to all; a token, if sent, must be a working one
TOKEN = [{BEARER: []}]
ERROR_WORDS = {
    400: "The request could not be read (malformed JSON, say)",
    401: "No API token, or one that does not work (revoked, say)",
    403: "The token may not do this (a scope it lacks, or a rule of the service)",
    404: "No such thing, or nothing you may see",
    409: "It clashes with the state of things",
    422: "A parameter or field is wrong, or a rule of the service refused the change",
    429: "Too many requests with this token: wait the seconds in Retry-After",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}


def errors(*codes):
    """Document these error responses (each body is ``Errors``)."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(
                code,
                schema=ErrorsSchema,
                description=ERROR_WORDS[code],
                headers=RETRY_AFTER if code == 429 else None,
            )(view)
        return view

    return decorate


def _links(page, has_next, args):
    values = {k: v for k, v in request.args.items() if k != "page"}
    return {
        "self": url_for(request.endpoint, _external=True, **{**values, "page": page}),
        "next": url_for(request.endpoint, _external=True, **{**values, "page": page + 1})
        if has_next
        else None,
    }


def _page(items, page, per_page, total, exact=True):
    has_next = len(items) == per_page and (not exact or total > page * per_page)
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "total_exact": exact,
        "links": _links(page, has_next, request.args),
    }


def _not_found(what="Not found"):
    raise NotFound(what)


# --- Opportunities ------------------------------------------------------------------------------


@bp.route("/opportunities", tags=["Opportunities"])
@bp.doc(security=PUBLIC, summary="Search opportunities")
@bp.arguments(OpportunityArgs, location="query", as_kwargs=True)
@bp.response(200, OpportunityPage)
@errors(401, 422, 429)
def list_opportunities(**args):
    """The search page's results, with its filters: open ones by default, 20 a page."""
    raw = {}
    for name, value in args.items():
        if isinstance(value, bool):
            raw[name] = "1" if value else ""
        else:
            raw[name] = str(getattr(value, "value", value))
    filters = search.parse(raw)
    results = search.search(filters)
    items = queries.opportunities_by_id([row.id for row in results.rows])
    return _page(
        [presenters.opportunity_summary(o) for o in items],
        filters.page,
        search.PAGE_SIZE,
        results.total,
        results.exact,
    )


@bp.route("/opportunities/<int:opportunity_id>", tags=["Opportunities"])
@bp.doc(security=PUBLIC, summary="An opportunity")
@bp.response(200, OpportunitySchema)
@errors(401, 404, 429)
def get_opportunity(opportunity_id):
    """A published opportunity (open, closed, awarded, cancelled). A draft is found only with a
    token of its own organisation that may read drafts. The number of bids appears only after the
    deadline."""
    o = opportunity_queries.opportunity(opportunity_id)
    if o is None:
        _not_found()
    if o.status not in PUBLIC_STATUSES:
        t = token()
        if not (t and t.organisation_id == o.buyer_id and t.allows(Scope.READ_DRAFTS)):
            _not_found()
    return presenters.opportunity(o)


# --- DPSs and lots ------------------------------------------------------------------------------


@bp.route("/dps", tags=["DPSs and lots"])
@bp.doc(security=PUBLIC, summary="Every DPS")
@bp.response(200, DpsListSchema)
@errors(401, 429)
def list_dps():
    return {"items": [presenters.dps(d) for d in dps_queries.all_dps()]}


@bp.route("/dps/<int:dps_id>", tags=["DPSs and lots"])
@bp.doc(security=PUBLIC, summary="A DPS and its lots")
@bp.response(200, DpsSchema)
@errors(401, 404, 429)
def get_dps(dps_id):
    d = dps_queries.dps(dps_id)
    if d is None:
        _not_found()
    return presenters.dps(d)


@bp.route("/lots", tags=["DPSs and lots"])
@bp.doc(security=PUBLIC, summary="Every lot (of one DPS, if asked)")
@bp.arguments(LotArgs, location="query", as_kwargs=True)
@bp.response(200, LotListSchema)
@errors(401, 422, 429)
def list_lots(dps=None):
    found = queries.lots(dps)
    counts = {}
    for dps_id in {lot.dps_id for lot in found}:
        counts.update(dps_queries.admitted_counts(dps_id))
    return {"items": [presenters.lot(lot, counts) for lot in found]}


@bp.route("/lots/<int:lot_id>", tags=["DPSs and lots"])
@bp.doc(security=PUBLIC, summary="A lot")
@bp.response(200, LotSchema)
@errors(401, 404, 429)
def get_lot(lot_id):
    lot = opportunity_queries.lot(lot_id)
    if lot is None:
        _not_found()
    return presenters.lot(lot)


# --- Suppliers ----------------------------------------------------------------------------------


def _supplier_filters(args):
    return dps_queries.directory_filters(
        q=args.get("q"),
        lot_id=args.get("lot"),
        region=args.get("region") or "",
        local_authority=args.get("local_authority") or "",
        supplier_type=args.get("type") or "",
        vcse_only=bool(args.get("vcse")),
    )


def _suppliers(organisations):
    ids = [o.id for o in organisations]
    held, vcse = dps_queries.lots_held_by(ids), dps_queries.vcse_among(ids)
    return [
        presenters.supplier(
            o, held[o.id], vcse, geography.area_name(o.local_authority_code, o.region_code)
        )
        for o in organisations
    ]


@bp.route("/suppliers", tags=["Suppliers"])
@bp.doc(security=PUBLIC, summary="The supplier directory")
@bp.arguments(SupplierArgs, location="query", as_kwargs=True)
@bp.response(200, SupplierPage)
@errors(401, 422, 429)
def list_suppliers(page=1, **args):
    """Suppliers admitted to a lot, with the directory's filters, 20 a page. Each shows only the
    contact details it chose to give the directory."""
    organisations, total = dps_queries.directory(page=page, **_supplier_filters(args))
    return _page(_suppliers(organisations), page, dps_queries.PAGE_SIZE, total)


@bp.route("/suppliers/<int:organisation_id>", tags=["Suppliers"])
@bp.doc(security=PUBLIC, summary="A supplier in the directory")
@bp.response(200, SupplierSchema)
@errors(401, 404, 429)
def get_supplier(organisation_id):
    organisation = dps_queries.listed_supplier(organisation_id)
    if organisation is None:
        _not_found()
    return _suppliers([organisation])[0]


# --- Contracts ----------------------------------------------------------------------------------


@bp.route("/contracts", tags=["Contracts"])
@bp.doc(security=PUBLIC, summary="The contracts register")
@bp.arguments(ContractArgs, location="query", as_kwargs=True)
@bp.response(200, ContractPage)
@errors(401, 422, 429)
def list_contracts(page=1, buyer=None, supplier=None):
    """Contracts entered, newest first (a buyer's or a supplier's, if asked), 20 a page, with the
    social value promised and delivered so far."""
    contracts, total = queries.contracts_page(page, buyer_id=buyer, supplier_id=supplier)
    return _page([presenters.contract(c) for c in contracts], page, queries.PER_PAGE, total)


@bp.route("/contracts/<int:contract_id>", tags=["Contracts"])
@bp.doc(security=PUBLIC, summary="A contract")
@bp.response(200, ContractSchema)
@errors(401, 404, 429)
def get_contract(contract_id):
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        _not_found()
    return presenters.contract(contract)


# --- Drafts: a buyer's own systems, with an API token -------------------------------------------


def _draft(opportunity_id):
    o = queries.draft_of(g.api_token.organisation_id, opportunity_id)
    if o is None:
        _not_found("No such draft in your organisation")
    return o


@bp.route("/drafts", tags=["Drafts"])
@bp.doc(security=TOKEN, summary="Your organisation's drafts")
@bp.response(200, DraftListSchema)
@errors(401, 403, 429)
def list_drafts():
    """Call-offs not yet published: drafts, and those waiting for or given approval. Needs a token
    with the ``read_drafts`` scope."""
    t = require_scope(Scope.READ_DRAFTS)
    return {
        "items": [presenters.opportunity_summary(o) for o in queries.drafts_of(t.organisation_id)]
    }


@bp.route("/drafts/<int:opportunity_id>", tags=["Drafts"])
@bp.doc(security=TOKEN, summary="A draft, with what stops it being published")
@bp.response(200, DraftSchema)
@errors(401, 403, 404, 429)
def get_draft(opportunity_id):
    require_scope(Scope.READ_DRAFTS)
    return presenters.draft(_draft(opportunity_id))


def _questions(user, o, questions):
    if questions is not None:
        opportunities.set_questions(
            user,
            o,
            [{k: v.value if hasattr(v, "value") else v for k, v in q.items()} for q in questions],
        )


def _fields(data):
    return {
        k: (v.value if hasattr(v, "value") and not isinstance(v, bool) else v)
        for k, v in data.items()
    }


@bp.route("/drafts", methods=["POST"], tags=["Drafts"])
@bp.doc(security=TOKEN, summary="Create a draft")
@bp.arguments(NewDraftSchema)
@bp.response(201, DraftSchema)
@errors(400, 401, 403, 422, 429)
def create_draft(data):
    """Create a draft under a lot of a DPS your organisation has joined, as the "Create draft" page
    does (the same service and rules), then set its questions if given. Needs ``create_drafts``."""
    t = require_scope(Scope.CREATE_DRAFTS)
    user, organisation = acting_user(), t.organisation
    data = _fields(data)
    lot = opportunity_queries.lot(data.pop("lot_id"))
    if lot is None:
        raise ServiceError("No such lot", "lot_id")
    questions = data.pop("questions", None)
    profile = buyers.profile(organisation.id)
    if profile is not None:
        data.setdefault("contact_name", profile.contact_name)
        data.setdefault("contact_email", profile.contact_email)
    o = opportunities.create_draft(user, organisation, lot, **data)
    _questions(user, o, questions)
    return presenters.draft(o)


@bp.route("/drafts/<int:opportunity_id>", methods=["PATCH"], tags=["Drafts"])
@bp.doc(security=TOKEN, summary="Change a draft")
@bp.arguments(DraftFieldsSchema)
@bp.response(200, DraftSchema)
@errors(400, 401, 403, 404, 422, 429)
def update_draft(data, opportunity_id):
    """Change the fields given (``questions`` replaces them all), as the draft's pages do. Only a
    draft can change: one waiting for or given approval cannot. Needs ``create_drafts``."""
    require_scope(Scope.CREATE_DRAFTS)
    user, o = acting_user(), _draft(opportunity_id)
    data = _fields(data)
    questions = data.pop("questions", None)
    opportunities.update_draft(user, o, **data)
    _questions(user, o, questions)
    return presenters.draft(o)


@bp.route("/drafts/<int:opportunity_id>/publish", methods=["POST"], tags=["Drafts"])
@bp.doc(security=TOKEN, summary="Publish a draft")
@bp.arguments(PublishSchema, required=False)
@bp.response(200, PublishedSchema)
@errors(400, 401, 403, 404, 422, 429)
def publish_draft(data, opportunity_id):
    """Publish, which invites every eligible supplier admitted to the lot: the same service and
    rules as the "Publish" button (a draft that needs approval must have it first). Needs
    ``publish``."""
    require_scope(Scope.PUBLISH)
    user, o = acting_user(), _draft(opportunity_id)
    invited = opportunities.publish(
        user, o, acknowledge_bank_holiday=(data or {}).get("acknowledge_bank_holiday", False)
    )
    return {"opportunity": presenters.opportunity(o), "invited": invited}
