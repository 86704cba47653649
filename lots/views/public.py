"""Pages anyone can see: finding opportunities, an opportunity's page and a lot's page. An invited
supplier sees more on the opportunity page (see ``supplier``); a member of the buyer sees its own
drafts there as a preview. Anyone else gets a 404 for a draft."""
import math
from functools import lru_cache

from flask import abort, render_template, render_template_string, request, url_for
from markupsafe import Markup
from flask_login import current_user

from app.permissions import is_admin, is_member
from app.reference import cpv, geography, social_value
from app.timeutil import utcnow
from dps.models import RESERVED_LABELS, ReservedFor
from dps.queries import admitted_counts, all_lots
from lots import queries, search
from lots.forms import KIND_LABELS, LOCATION_LABELS, QUESTION_KIND_LABELS, TIE_BREAKS
from lots.models import AreaType, LocationType, OpportunityStatus
from lots.services.lot_scope import scope_of
from lots.views import bp
from lots.views.common import found
from lots.views.supplier import supplier_part

PUBLIC_STATUSES = (OpportunityStatus.PUBLISHED, OpportunityStatus.AWARDED,
                   OpportunityStatus.CANCELLED, OpportunityStatus.NO_SUITABLE_BID)


@bp.app_template_filter("location_name")
def location_name(opportunity):
    """'Leeds', 'Yorkshire and The Humber' or 'Anywhere in the UK'."""
    if opportunity.location_type == LocationType.REGION:
        region = geography.region(opportunity.location_code)
        return region.name if region else opportunity.location_code
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        la = geography.local_authority(opportunity.location_code)
        return la.name if la else opportunity.location_code
    return LOCATION_LABELS[LocationType.NATIONAL]


def area_name(code):
    place = geography.region(code) or geography.local_authority(code)
    return place.name if place else code


def reservation_words(opportunity):
    """Who may bid, in plain words: one sentence per restriction, or open to all."""
    words = []
    if opportunity.lot.reserved_for != ReservedFor.NONE:
        words.append(f"The lot is {RESERVED_LABELS[opportunity.lot.reserved_for].lower()}")
    if opportunity.reserved_vcse:
        words.append("Reserved for VCSE organisations")
    if opportunity.reserved_sme:
        words.append("Reserved for small and medium-sized enterprises (SMEs)")
    if opportunity.reserved_area_code:
        words.append(f"Reserved for suppliers based in {area_name(opportunity.reserved_area_code)}")
    return words or ["Open to every supplier admitted to the lot"]


def measures_of(opportunity):
    return [m for m in (social_value.get(i) for i in opportunity.social_value_measures or []) if m]


@bp.route("/opportunities/<int:opportunity_id>")
def view_opportunity(opportunity_id):
    return render_opportunity(found(queries.opportunity(opportunity_id)))


def render_opportunity(opportunity, ask_form=None, status=200):
    """The opportunity's page, with the invited supplier's part when the person belongs to an
    invited organisation (``ask_form`` is their question form, with what they typed)."""
    of_buyer = is_member(current_user, opportunity.buyer_id)
    if opportunity.status not in PUBLIC_STATUSES and not of_buyer:
        abort(404)
    supplier = supplier_part(opportunity, ask_form)
    now = utcnow()
    return render_template(
        "lots/opportunity.html", opportunity=opportunity, of_buyer=of_buyer, supplier=supplier,
        form=supplier["form"] if supplier else None,
        documents=queries.tender_documents(opportunity.id) if (supplier or of_buyer) else [],
        answers=queries.public_answers(opportunity.id),
        reservation=reservation_words(opportunity), measures=measures_of(opportunity),
        theme_name=social_value.theme_name, kind_labels=KIND_LABELS,
        question_kind_labels=QUESTION_KIND_LABELS, tie_breaks=TIE_BREAKS,
        closes_in_words=search.closes_in_words(opportunity.submission_deadline, now)
        if opportunity.submission_deadline else None,
        questions_close_in_words=search.closes_in_words(opportunity.question_deadline, now)
        if opportunity.question_deadline else None), status


@bp.route("/lots/<int:lot_id>")
def view_lot(lot_id):
    lot = found(queries.lot(lot_id))
    codes, areas = scope_of(lot.id)
    opportunities, total = queries.open_opportunities_of_lot(lot.id)
    return render_template(
        "lots/lot.html", lot=lot, reserved_labels=RESERVED_LABELS,
        categories=[(code, (cpv.get(code).description if cpv.get(code) else "")) for code in codes],
        areas=sorted(_area_label(t, c) for t, c in areas),
        admitted=admitted_counts(lot.dps_id).get(lot.id, 0),
        opportunities=opportunities, total=total, closes_in_words=search.closes_in_words,
        is_admin=is_admin(current_user))


def _area_label(area_type, code):
    if area_type == AreaType.NATIONAL:
        return "The whole UK"
    if area_type == AreaType.REGION:
        region = geography.region(code)
        return region.name if region else code
    la = geography.local_authority(code)
    return la.name if la else code


@bp.route("/opportunities")
def find_opportunities():
    filters = search.parse(request.args)
    rows, total = search.search(filters)
    pages = max(math.ceil(total / search.PAGE_SIZE), 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    pagination = {}
    if filters.page > 1:
        pagination["previous"] = {"href": url_for("lots.find_opportunities",
                                                  page=filters.page - 1, **args)}
    if filters.page < pages:
        pagination["next"] = {"href": url_for("lots.find_opportunities",
                                              page=filters.page + 1, **args)}
    lots = tuple((lot.id, f"{lot.label} ({lot.dps.name})") for lot in all_lots())
    return render_template(
        "lots/find.html", filters=filters, results=rows, total=total, pagination=pagination,
        closes_in_words=search.closes_in_words, page_count=pages,
        lot_select=_select("lot", "Lot", lots, filters.lot_id, "Any lot"),
        cpv_select=_select("cpv", "Category", _cpv_pairs(), filters.cpv_division,
                           "Any category"),
        region_select=_select("region", "Region", _region_pairs(), filters.region_code,
                              "Anywhere in the UK"),
        la_select=_select("local_authority", "Local authority", _la_pairs(),
                          filters.local_authority_code, "Any local authority"),
        sort_select=_select("sort", "Sort by", tuple(search.SORTS.items()), filters.sort, None,
                            full_width=False))


# The filter controls are the same for everyone; rendering hundreds of options on every search
# was most of the page's cost, so each control is rendered once per (options, choice).
_SELECT = ('{% from "govuk_frontend_jinja/components/select/macro.html" import govukSelect %}'
           '{{ govukSelect(params) }}')


@lru_cache(maxsize=4096)
def _select(field_id, label, pairs, selected, empty, full_width=True):
    params = {"id": field_id, "name": field_id,
              "label": {"text": label, "classes": "govuk-label--s"},
              "items": _items(pairs, selected, empty)}
    if full_width:
        params["classes"] = "govuk-!-width-full"
    return Markup(render_template_string(_SELECT, params=params))


@lru_cache(maxsize=1)
def _cpv_pairs():
    return tuple((d.division, d.description) for d in cpv.divisions())


@lru_cache(maxsize=1)
def _region_pairs():
    return tuple((r.code, r.name) for r in geography.regions())


@lru_cache(maxsize=1)
def _la_pairs():
    return tuple((la.code, la.name) for la in geography.local_authorities())


def _items(pairs, selected, empty):
    items = [{"value": "", "text": empty}] if empty else []
    items += [{"value": value, "text": text, "selected": str(value) == str(selected)}
              for value, text in pairs]
    return items
