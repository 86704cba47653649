"""What the API reads and writes, as marshmallow schemas: flask-smorest validates requests with
them and writes the OpenAPI document from them, so the document cannot drift from the code."""

import marshmallow as ma
from marshmallow import fields, validate

from dps.models import Category, Regime, ReservationBasis, ReservedFor
from lots.opportunities.models import (
    LocationType,
    OpportunityKind,
    QuestionAbout,
    QuestionKind,
)
from publishing.api.models import Scope

MAX_PAGE = 10_000
STATUS_WORDS = ("open", "closed", "awarded", "cancelled", "no_suitable_bid")
DRAFT_STATUSES = ("draft", "awaiting_approval", "approved")


def decimal_text(**kwargs):
    """A decimal as text ("12.50"), exact, and documented as text (not a JSON number)."""
    metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
    return fields.Decimal(as_string=True, metadata=metadata, **kwargs)


def _enum(enum_cls, **kwargs):
    return fields.Enum(enum_cls, by_value=True, **kwargs)


class Strict(ma.Schema):
    """Unknown fields in a request are refused, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


# --- Errors -------------------------------------------------------------------------------------


class ErrorSchema(ma.Schema):
    field = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The parameter or field the error is about, if any"},
    )
    message = fields.String(required=True)


class ErrorsSchema(ma.Schema):
    errors = fields.List(fields.Nested(ErrorSchema), required=True)


# --- Paging -------------------------------------------------------------------------------------


class LinksSchema(ma.Schema):
    self = fields.String(required=True, metadata={"description": "This page"})
    next = fields.String(allow_none=True, required=True, metadata={"description": "The next page"})


class PageArgs(Strict):
    page = fields.Integer(
        load_default=1, validate=validate.Range(1, MAX_PAGE), metadata={"description": "Page"}
    )


def page_of(item_schema, name):
    """A page of ``item_schema``: its items, where it starts and how many there are."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(
                required=True,
                metadata={"description": "How many match (at least this many if not exact)"},
            ),
            "total_exact": fields.Boolean(required=True),
            "links": fields.Nested(LinksSchema, required=True),
        },
    )


# --- Places -------------------------------------------------------------------------------------


class LocationSchema(ma.Schema):
    type = _enum(LocationType, required=True)
    code = fields.String(allow_none=True, required=True)
    name = fields.String(required=True)


class AreaSchema(ma.Schema):
    type = fields.String(
        required=True, validate=validate.OneOf(["national", "region", "local_authority"])
    )
    code = fields.String(required=True)
    name = fields.String(required=True)


# --- DPSs and lots ------------------------------------------------------------------------------


class LotSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    dps_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "The lot's page"})


class LotSchema(LotSummarySchema):
    description = fields.String(required=True)
    category = _enum(Category, required=True)
    light_touch = fields.Boolean(required=True)
    reserved_for = _enum(ReservedFor, required=True)
    reservation_basis = _enum(ReservationBasis, allow_none=True, required=True)
    min_value_pence = fields.Integer(required=True)
    max_value_pence = fields.Integer(required=True)
    cpv_codes = fields.List(fields.String(), required=True)
    areas = fields.List(fields.Nested(AreaSchema), required=True)
    admitted_suppliers = fields.Integer(required=True)


class DpsSchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    summary = fields.String(required=True)
    description = fields.String(required=True)
    who_may_join = fields.String(required=True)
    regime = _enum(Regime, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    winner_fee_percent = decimal_text(allow_none=True, required=True)
    lots = fields.List(fields.Nested(LotSummarySchema), required=True)
    url = fields.String(required=True)


class DpsListSchema(ma.Schema):
    items = fields.List(fields.Nested(DpsSchema), required=True)


class LotArgs(Strict):
    dps = fields.Integer(validate=validate.Range(1, 2**31 - 1), metadata={"description": "DPS id"})


class LotListSchema(ma.Schema):
    items = fields.List(fields.Nested(LotSchema), required=True)


# --- Opportunities ------------------------------------------------------------------------------


class OpportunityArgs(PageArgs):
    """The search page's filters (``/opportunities``), with the same names and meanings."""

    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words"})
    lot = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    cpv = fields.String(
        validate=validate.Regexp(r"^\d{2}$"), metadata={"description": "CPV division"}
    )
    region = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    local_authority = fields.String(validate=validate.Regexp(r"^[A-Z0-9]{2,5}$"))
    min_value = fields.Integer(validate=validate.Range(0, 10**11), metadata={"description": "£"})
    max_value = fields.Integer(validate=validate.Range(0, 10**11), metadata={"description": "£"})
    vcse = fields.Boolean(metadata={"description": "Only those reserved for VCSEs"})
    kind = _enum(OpportunityKind)
    status = fields.String(validate=validate.OneOf(["open", "closed", "all"]), load_default="open")
    closing_within = fields.Integer(validate=validate.Range(1, 365))
    sort = fields.String(
        validate=validate.OneOf(["relevance", "closing", "newest", "value_high", "value_low"])
    )


class OpportunitySummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    reference = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    buyer_name = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUS_WORDS + DRAFT_STATUSES))
    kind = _enum(OpportunityKind, required=True)
    estimated_value_pence = fields.Integer(required=True, metadata={"description": "Excluding VAT"})
    location = fields.Nested(LocationSchema, required=True)
    lot_id = fields.Integer(required=True)
    dps_id = fields.Integer(required=True)
    reserved_vcse = fields.Boolean(required=True)
    submission_deadline = fields.DateTime(allow_none=True, required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    url = fields.String(required=True)


class QuestionSchema(ma.Schema):
    kind = _enum(QuestionKind, required=True)
    text = fields.String(required=True)
    guidance = fields.String(allow_none=True)
    word_limit = fields.Integer(allow_none=True)
    weight = fields.Integer(allow_none=True)
    about = _enum(QuestionAbout)


class BidsSchema(ma.Schema):
    received = fields.Integer(required=True)


class OpportunitySchema(OpportunitySummarySchema):
    description = fields.String(required=True)
    category = _enum(Category, required=True)
    contract_start = fields.Date(allow_none=True, required=True)
    contract_months = fields.Integer(allow_none=True, required=True)
    question_deadline = fields.DateTime(allow_none=True, required=True)
    price_weight = fields.Integer(required=True)
    quality_weight = fields.Integer(required=True)
    social_value_weight = fields.Integer(required=True)
    score_scale_max = fields.Integer(required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)
    social_value_measures = fields.List(fields.String(), required=True)
    reservation = fields.List(
        fields.String(), required=True, metadata={"description": "Who may bid"}
    )
    payment_terms_days = fields.Integer(required=True)
    real_living_wage = fields.Boolean(required=True)
    contact_name = fields.String(allow_none=True, required=True)
    contact_email = fields.String(allow_none=True, required=True)
    bids = fields.Nested(
        BidsSchema,
        allow_none=True,
        required=True,
        metadata={"description": "Only after the deadline: bids stay sealed until then"},
    )


# --- Drafts (API tokens only) -------------------------------------------------------------------


class ProblemSchema(ma.Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class DraftSchema(OpportunitySchema):
    problems = fields.List(
        fields.Nested(ProblemSchema),
        required=True,
        metadata={"description": "What stops it being published, as the task list says"},
    )


class QuestionInSchema(Strict):
    kind = _enum(QuestionKind, required=True)
    text = fields.String(required=True, validate=validate.Length(1, 2000))
    guidance = fields.String(allow_none=True, validate=validate.Length(max=5000))
    word_limit = fields.Integer(allow_none=True, validate=validate.Range(1, 5000))
    weight = fields.Integer(allow_none=True, validate=validate.Range(0, 100))
    about = _enum(QuestionAbout)


class DraftFieldsSchema(Strict):
    """What a draft's pages let a buyer set (``lots.opportunities.services.DRAFT_FIELDS``)."""

    kind = _enum(OpportunityKind)
    title = fields.String(validate=validate.Length(max=200))
    summary = fields.String(validate=validate.Length(max=600))
    description = fields.String(validate=validate.Length(max=20000))
    estimated_value_pence = fields.Integer(validate=validate.Range(1, 10**13))
    contract_start = fields.Date(allow_none=True)
    contract_months = fields.Integer(allow_none=True, validate=validate.Range(1, 600))
    location_type = _enum(LocationType)
    location_code = fields.String(allow_none=True, validate=validate.Length(max=10))
    reserved_vcse = fields.Boolean()
    reserved_sme = fields.Boolean()
    reserved_area_code = fields.String(allow_none=True, validate=validate.Length(max=10))
    price_weight = fields.Integer(validate=validate.Range(0, 100))
    quality_weight = fields.Integer(validate=validate.Range(0, 100))
    social_value_weight = fields.Integer(validate=validate.Range(0, 100))
    social_value_measures = fields.List(fields.String(validate=validate.Length(max=20)))
    score_scale_max = fields.Integer(validate=validate.OneOf([5, 10]))
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    question_deadline = fields.AwareDateTime(allow_none=True, default_timezone=None)
    submission_deadline = fields.AwareDateTime(allow_none=True, default_timezone=None)
    payment_terms_days = fields.Integer(validate=validate.Range(1, 30))
    real_living_wage = fields.Boolean()
    questions = fields.List(fields.Nested(QuestionInSchema), validate=validate.Length(max=50))


class NewDraftSchema(DraftFieldsSchema):
    lot_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    title = fields.String(required=True, validate=validate.Length(1, 200))


class PublishSchema(Strict):
    acknowledge_bank_holiday = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Publish even though the deadline falls on a bank holiday or weekend"
        },
    )


class PublishedSchema(ma.Schema):
    opportunity = fields.Nested(OpportunitySchema, required=True)
    invited = fields.Integer(required=True, metadata={"description": "Suppliers invited"})


class DraftListSchema(ma.Schema):
    items = fields.List(fields.Nested(OpportunitySummarySchema), required=True)


# --- Suppliers ----------------------------------------------------------------------------------


class SupplierArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=100))
    lot = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    region = fields.String(validate=validate.Length(max=10))
    local_authority = fields.String(validate=validate.Length(max=10))
    type = fields.String(validate=validate.Length(max=40))
    vcse = fields.Boolean()


class ContactSchema(ma.Schema):
    email = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    website = fields.String(allow_none=True, required=True)


class SupplierSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    trading_name = fields.String(allow_none=True, required=True)
    type = fields.String(allow_none=True, required=True)
    type_label = fields.String(required=True)
    vcse = fields.Boolean(required=True)
    area = fields.String(required=True)
    local_authority_code = fields.String(allow_none=True, required=True)
    region_code = fields.String(allow_none=True, required=True)
    staff_band = fields.String(allow_none=True, required=True)
    turnover_band = fields.String(allow_none=True, required=True)
    charity_number = fields.String(allow_none=True, required=True)
    company_number = fields.String(allow_none=True, required=True)
    society_number = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "Its number on the Mutuals Public Register (a registered society)"
        },
    )
    description = fields.String(allow_none=True, required=True)
    contact = fields.Nested(
        ContactSchema,
        required=True,
        metadata={"description": "Only what the supplier chose to show in the directory"},
    )
    lots = fields.List(fields.Nested(LotSummarySchema), required=True)
    url = fields.String(required=True)


# --- Contracts ----------------------------------------------------------------------------------


class ContractArgs(PageArgs):
    buyer = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    supplier = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class PartySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class CommitmentSchema(ma.Schema):
    measure_id = fields.String(required=True)
    measure_name = fields.String(required=True)
    promised = decimal_text(required=True)
    delivered = decimal_text(
        allow_none=True,
        required=True,
        metadata={"description": "So far, by the measure's own rule; null until recorded"},
    )


class ContractSchema(ma.Schema):
    id = fields.Integer(required=True)
    opportunity_id = fields.Integer(required=True)
    reference = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    buyer = fields.Nested(PartySchema, required=True)
    supplier = fields.Nested(PartySchema, required=True)
    lot_id = fields.Integer(required=True)
    value_pence = fields.Integer(required=True, metadata={"description": "Excluding VAT"})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    supplier_is_vcse = fields.Boolean(required=True)
    supplier_is_sme = fields.Boolean(required=True)
    payment_terms_days = fields.Integer(allow_none=True, required=True)
    real_living_wage = fields.Boolean(required=True)
    entered_at = fields.DateTime(required=True)
    social_value = fields.List(fields.Nested(CommitmentSchema), required=True)
    url = fields.String(required=True)


SCOPES = [s.value for s in Scope]
OpportunityPage = page_of(OpportunitySummarySchema, "OpportunityPage")
SupplierPage = page_of(SupplierSchema, "SupplierPage")
ContractPage = page_of(ContractSchema, "ContractPage")
