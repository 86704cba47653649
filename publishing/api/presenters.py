"""The API's records as plain dicts, from the same queries and rules the pages use: what the
public pages show, and no more. Nothing here reads a bid except through the seal
(``lots.evaluation.sealing.bid_count``, None until the deadline)."""

from flask import url_for

from app.reference import geography, social_value
from dps import queries as dps_queries
from lots.awards import queries as award_queries
from lots.evaluation.sealing import bid_count
from lots.opportunities import readiness
from lots.opportunities.lot_scope import scope_of
from lots.opportunities.models import AreaType
from lots.opportunities.views.public import location_name, reservation_words


def _url(endpoint, **values):
    return url_for(endpoint, _external=True, **values)


def lot_summary(lot):
    return {
        "id": lot.id,
        "dps_id": lot.dps_id,
        "number": lot.number,
        "title": lot.title,
        "url": _url("lots.view_lot", lot_id=lot.id),
    }


def _area(area_type, code):
    if area_type == AreaType.NATIONAL:
        name = "The whole UK"
    else:
        place = geography.region(code) or geography.local_authority(code)
        name = place.name if place else code
    return {"type": str(area_type), "code": code, "name": name}


def lot(lot, admitted=None):
    codes, areas = scope_of(lot.id)
    if admitted is None:
        admitted = dps_queries.admitted_counts(lot.dps_id)
    return {
        **lot_summary(lot),
        "description": lot.description,
        "category": lot.category,
        "light_touch": lot.light_touch,
        "reserved_for": lot.reserved_for,
        "reservation_basis": lot.reservation_basis,
        "min_value_pence": lot.min_value_pence,
        "max_value_pence": lot.max_value_pence,
        "cpv_codes": list(codes),
        "areas": sorted((_area(t, c) for t, c in areas), key=lambda a: (a["type"], a["code"])),
        "admitted_suppliers": admitted.get(lot.id, 0),
    }


def dps(dps):
    return {
        "id": dps.id,
        "slug": dps.slug,
        "name": dps.name,
        "summary": dps.summary,
        "description": dps.description,
        "who_may_join": dps.who_may_join,
        "regime": dps.regime,
        "starts_on": dps.starts_on,
        "ends_on": dps.ends_on,
        "winner_fee_percent": dps.winner_fee_percent,
        "lots": [lot_summary(lot) for lot in dps.lots],
        "url": _url("dps.view_dps", slug=dps.slug),
    }


def _status(opportunity):
    return opportunity.display_status


def opportunity_summary(o):
    return {
        "id": o.id,
        "reference": o.reference,
        "title": o.title,
        "summary": o.summary,
        "buyer_name": o.buyer_name or (o.buyer.display_name if o.buyer else None),
        "status": _status(o),
        "kind": o.kind,
        "estimated_value_pence": o.estimated_value_pence,
        "location": {
            "type": o.location_type,
            "code": o.location_code,
            "name": location_name(o),
        },
        "lot_id": o.lot_id,
        "dps_id": o.dps_id,
        "reserved_vcse": bool(o.reserved_vcse),
        "submission_deadline": o.submission_deadline,
        "published_at": o.published_at,
        "url": _url("lots.view_opportunity", opportunity_id=o.id),
    }


def opportunity(o):
    count = bid_count(o.id) if o.published_at is not None else None
    return {
        **opportunity_summary(o),
        "description": o.description,
        "category": o.category,
        "contract_start": o.contract_start,
        "contract_months": o.contract_months,
        "question_deadline": o.question_deadline,
        "price_weight": o.price_weight,
        "quality_weight": o.quality_weight,
        "social_value_weight": o.social_value_weight,
        "score_scale_max": o.score_scale_max,
        "questions": [
            {
                "kind": q.kind,
                "text": q.text,
                "guidance": q.guidance,
                "word_limit": q.word_limit,
                "weight": q.weight,
                "about": q.about,
            }
            for q in o.questions
        ],
        "social_value_measures": list(o.social_value_measures or []),
        "reservation": reservation_words(o),
        "payment_terms_days": o.payment_terms_days,
        "real_living_wage": bool(o.real_living_wage),
        "contact_name": o.contact_name,
        "contact_email": o.contact_email,
        # The seal: None (not 0) until the deadline has passed.
        "bids": None if count is None else {"received": count},
    }


def draft(o):
    problems = readiness.problems(o) if o.status == "draft" else {}
    return {
        **opportunity(o),
        "problems": [{"field": f, "message": m} for f, m in problems.items()],
    }


def supplier(o, lots_held, vcse, area):
    return {
        "id": o.id,
        "name": o.name,
        "trading_name": o.trading_name,
        "type": o.supplier_type.value if o.supplier_type else None,
        "type_label": o.type_label,
        "vcse": o.id in vcse,
        "area": area,
        "local_authority_code": o.local_authority_code,
        "region_code": o.region_code,
        "staff_band": o.staff_band.value if o.staff_band else None,
        "turnover_band": o.turnover_band.value if o.turnover_band else None,
        "charity_number": o.charity_number,
        "company_number": o.company_number,
        "society_number": o.society_number,
        "description": o.description,
        # What the supplier chose to give the directory: its address and postcode never.
        "contact": {
            "email": o.directory_email,
            "phone": o.directory_phone,
            "website": o.website if o.directory_show_website else None,
        },
        "lots": [lot_summary(lot) for lot in lots_held],
        "url": _url("dps.supplier_profile", organisation_id=o.id),
    }


def _measure_name(measure_id):
    measure = social_value.get(measure_id)
    return measure.name if measure else measure_id


def contract(c):
    return {
        "id": c.id,
        "opportunity_id": c.opportunity_id,
        "reference": c.opportunity.reference,
        "title": c.opportunity.title,
        "buyer": {"id": c.buyer_id, "name": c.buyer.display_name},
        "supplier": {"id": c.supplier_id, "name": c.supplier.display_name},
        "lot_id": c.lot_id,
        "value_pence": c.value_pence,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "supplier_is_vcse": c.supplier_is_vcse,
        "supplier_is_sme": c.supplier_is_sme,
        "payment_terms_days": c.payment_terms_days,
        "real_living_wage": bool(c.real_living_wage),
        "entered_at": c.entered_at,
        "social_value": [
            {
                "measure_id": commitment.measure_id,
                "measure_name": _measure_name(commitment.measure_id),
                "promised": commitment.promised,
                "delivered": delivered,
            }
            for commitment, delivered in award_queries.promised_and_delivered(c)
        ],
        "url": _url("lots.view_contract", contract_id=c.id),
    }
