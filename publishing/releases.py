"""OCDS 1.1.5 releases, built from the rows a notice is about at the moment it is published, and
frozen with the notice. A call-off's releases never carry a bid, a bidder or a count before its
deadline: the statistics come from ``lots.evaluation.sealing``, which returns nothing while the
seal holds (the seal holds in open data too).

Extensions used: lots, bid (statistics), techniques (``hasDynamicPurchasingSystem``),
submissionTerms, metrics (social value promised and delivered) and the UK extension
(``noticeType`` on the notice's document, ``Suitability.vcse``, ``details.vcse``,
``assessmentSummariesDateSent``, ``standstillPeriod``, the final stage bid statistics).
"""

from datetime import datetime, time

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.reference import cpv, social_value
from app.timeutil import local_tz
from app.urls import absolute_url
from dps.models import Regime
from dps.queries import vcse_among
from lots.awards.delivery import delivered_so_far
from lots.awards.models import AwardLetter
from lots.evaluation.sealing import bid_count, submitted_bids
from lots.opportunities.models import LotCpvCode, OpportunityStatus
from lots.pipeline.queries import item_for_opportunity
from lots.pipeline.services import quarter_start


def prefix():
    return current_app.config["OCDS_OCID_PREFIX"]


def dps_ocid(dps):
    return f"{prefix()}-dps-{dps.id}"


def call_off_ocid(opportunity):
    # The reference is given once, at publication, and never changes.
    return f"{prefix()}-{opportunity.reference}"


def pipeline_ocid(item):
    """A planned call-off is a contracting process of its own until it is published: the
    call-off's releases link back to it (``relatedProcesses``, ``planning``)."""
    return f"{prefix()}-pipeline-{item.id}"


def iso(moment):
    return moment.isoformat() if moment else None


def day_start(day):
    """A date as the date-time OCDS wants: midnight in London."""
    return datetime.combine(day, time(0, 0), tzinfo=local_tz()).isoformat()


def money(pence):
    pounds = pence / 100
    return {"amount": int(pounds) if pence % 100 == 0 else round(pounds, 2), "currency": "GBP"}


# --- Parties --------------------------------------------------------------------------------------


def charity_scheme(number):
    """The register a charity number is from: OSCR (Scotland), the Charity Commission for
    Northern Ireland, or the Charity Commission for England and Wales."""
    if number.startswith("SC"):
        return "GB-SC"
    if number.startswith("NIC"):
        return "GB-NIC"
    return "GB-CHC"


def identifiers(organisation):
    """The organisation's register identifiers (org-id.guide schemes), the main one first:
    Companies House (GB-COH), then its charity register (GB-CHC, GB-SC, GB-NIC), then the
    Mutuals Public Register (GB-MPR). The order never changes, so a party keeps its id."""
    found = []
    if organisation.company_number:
        found.append(("GB-COH", organisation.company_number))
    if organisation.charity_number:
        found.append((charity_scheme(organisation.charity_number), organisation.charity_number))
    if organisation.society_number:
        found.append(("GB-MPR", organisation.society_number))
    return [{"scheme": s, "id": number, "legalName": organisation.name} for s, number in found]


def identifier(organisation):
    """The organisation's main register identifier, or None."""
    found = identifiers(organisation)
    return found[0] if found else None


def party_id(organisation):
    found = identifier(organisation)
    return f"{found['scheme']}-{found['id']}" if found else f"{prefix()}-org-{organisation.id}"


def party(organisation, roles, vcse=None):
    entry = {"id": party_id(organisation), "name": organisation.name, "roles": list(roles)}
    found = identifiers(organisation)
    if found:
        entry["identifier"] = found[0]
    if len(found) > 1:
        entry["additionalIdentifiers"] = found[1:]
    address = {"countryName": "United Kingdom"}
    if organisation.postcode:
        address["postalCode"] = organisation.postcode
    entry["address"] = address
    if vcse is not None:
        entry["details"] = {"vcse": vcse}
    return entry


def operator_party():
    config = current_app.config
    entry = {
        "id": config.get("OPERATOR_PARTY_ID") or f"{prefix()}-operator",
        "name": config["OPERATOR_NAME"],
        "roles": ["buyer", "procuringEntity"],
    }
    if config.get("OPERATOR_URL"):
        entry["contactPoint"] = {"url": config["OPERATOR_URL"]}
    return entry


def notice_document(notice, rule, at, url):
    return {
        "id": f"{notice.notice_type}-{notice.version}",
        "documentType": rule.document_type,
        "noticeType": notice.notice_type,
        "title": rule.name,
        "url": url,
        "datePublished": iso(at),
        "format": "text/html",
        "language": "en",
    }


# --- A DPS ------------------------------------------------------------------------------------


def _lot_codes(lot_ids):
    rows = db.session.execute(
        sa.select(LotCpvCode.lot_id, LotCpvCode.cpv_code)
        .where(LotCpvCode.lot_id.in_(lot_ids))
        .order_by(LotCpvCode.lot_id, LotCpvCode.cpv_code)
    ).all()
    found = {}
    for lot_id, code in rows:
        found.setdefault(lot_id, []).append(code)
    return found


def classification(code):
    """A CPV code as Contracts Finder writes it: the eight digits, without the check digit."""
    entry = {"scheme": "CPV", "id": code.split("-")[0]}
    known = cpv.get(code)
    if known is not None:
        entry["description"] = known.description
    return entry


def dps_release(dps, notice, rule, at, url, ended=False):
    operator = operator_party()
    lots = list(dps.lots)
    codes = _lot_codes([lot.id for lot in lots]) if lots else {}
    items = [
        {
            "id": f"{lot.number}-{code}",
            "classification": classification(code),
            "relatedLot": str(lot.number),
        }
        for lot in lots
        for code in codes.get(lot.id, [])
    ]
    categories = sorted({lot.category.value for lot in lots})
    tender = {
        "id": f"dps-{dps.id}",
        "title": dps.name,
        "description": dps.description,
        "status": "complete" if ended else "active",
        "procurementMethod": "selective",
        "procurementMethodDetails": "Dynamic market (Procurement Act 2023)"
        if dps.regime == Regime.PROCUREMENT_ACT_2023
        else "Dynamic purchasing system (Public Contracts Regulations 2015, regulation 34)",
        "tenderPeriod": {"startDate": day_start(dps.starts_on), "endDate": day_start(dps.ends_on)},
        "submissionMethod": ["electronicSubmission"],
        "submissionTerms": {"electronicSubmissionPolicy": "required", "languages": ["en"]},
        "techniques": {
            "hasDynamicPurchasingSystem": True,
            "dynamicPurchasingSystem": {
                "type": "open",
                "status": "terminated" if ended else "active",
            },
        },
        "documents": [notice_document(notice, rule, at, url)],
    }
    if len(categories) == 1:
        tender["mainProcurementCategory"] = categories[0]
    if lots:
        tender["lots"] = [
            {
                "id": str(lot.number),
                "title": lot.title,
                "description": lot.description,
                "value": money(lot.max_value_pence),
                "status": "complete" if ended else "active",
            }
            for lot in lots
        ]
        tender["lotDetails"] = {"maximumLotsBidPerSupplier": len(lots)}
    if items:
        tender["items"] = items
    return {
        "ocid": dps_ocid(dps),
        "id": notice.release_id,
        "date": iso(at),
        "tag": list(rule.tag),
        "initiationType": "tender",
        "language": "en",
        "parties": [operator],
        "buyer": {"id": operator["id"], "name": operator["name"]},
        "tender": tender,
    }


# --- A planned call-off (the pipeline) ----------------------------------------------------------


def dps_link(dps):
    return {
        "id": "dps",
        "relationship": ["framework"],
        "title": dps.name,
        "scheme": "ocid",
        "identifier": dps_ocid(dps),
        "uri": absolute_url("publishing_api.record", ocid=dps_ocid(dps)),
    }


def pipeline_release(item, notice, rule, at, url):
    """The pipeline notice (UK1) of one planned call-off: what the buyer expects to buy under
    which lot, its estimated value, and the quarter it expects to publish the call-off in."""
    buyer = item.buyer
    lot = item.lot
    codes = _lot_codes([lot.id]).get(lot.id, [])
    buyer_party = party(buyer, ["buyer"])
    buyer_party["contactPoint"] = {"name": item.contact_name, "email": item.contact_email}
    tender = {
        "id": f"pipeline-{item.id}",
        "title": item.title,
        "description": item.description,
        "status": "withdrawn" if item.is_withdrawn else "planned",
        "value": money(item.estimated_value_pence),
        "procurementMethod": "selective",
        "procurementMethodDetails": "Call-off from a dynamic purchasing system",
        "mainProcurementCategory": lot.category.value,
        "techniques": {"hasDynamicPurchasingSystem": True},
        # The call-off is expected to be published from the first day of this quarter.
        "tenderPeriod": {
            "startDate": day_start(quarter_start(item.expected_year, item.expected_quarter))
        },
        "documents": [notice_document(notice, rule, at, url)],
    }
    if codes:
        tender["items"] = [
            {"id": str(n), "description": lot.title, "classification": classification(code)}
            for n, code in enumerate(codes, 1)
        ]
    return {
        "ocid": pipeline_ocid(item),
        "id": notice.release_id,
        "date": iso(at),
        "tag": list(rule.tag),
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer_party],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "tender": tender,
        "relatedProcesses": [dps_link(item.dps)],
    }


def planning_link(opportunity):
    """The link from a call-off to the pipeline notice of the planned call-off it was drafted
    from, or None (not from the pipeline, or no pipeline notice under its regime)."""
    from publishing.models import Notice

    item = item_for_opportunity(opportunity.id) if opportunity.id else None
    if item is None:
        return None
    ocid = pipeline_ocid(item)
    published = db.session.execute(
        sa.select(Notice.id).where(Notice.ocid == ocid, Notice.published_at.is_not(None)).limit(1)
    ).first()
    if published is None:
        return None
    return {
        "id": "pipeline",
        "relationship": ["planning"],
        "title": item.title,
        "scheme": "ocid",
        "identifier": ocid,
        "uri": absolute_url("publishing_api.record", ocid=ocid),
    }


# --- A call-off ---------------------------------------------------------------------------------

TENDER_STATUS = {
    OpportunityStatus.PUBLISHED: "active",
    OpportunityStatus.AWARDED: "complete",
    OpportunityStatus.CANCELLED: "cancelled",
    OpportunityStatus.NO_SUITABLE_BID: "unsuccessful",
}


def bid_statistics(opportunity, at):
    """How many bids, and how many from SMEs and VCSEs: None while the seal holds."""
    if not opportunity.deadline_passed or bid_count(opportunity.id) is None:
        return None
    bids = submitted_bids(opportunity.id)
    organisations = [bid.organisation for bid in bids]
    vcse = vcse_among([o.id for o in organisations]) if organisations else set()
    sme = sum(1 for o in organisations if o.is_sme)
    counts = [
        ("bids", len(bids)),
        ("finalStageBids", len(bids)),
        ("smeFinalStageBids", sme),
        ("vcseFinalStageBids", sum(1 for o in organisations if o.id in vcse)),
    ]
    return {
        "statistics": [
            {"id": measure, "measure": measure, "value": value, "date": iso(at)}
            for measure, value in counts
        ]
    }


def call_off_release(opportunity, notice, rule, at, url, award=None, contract=None):
    buyer = opportunity.buyer
    lot = opportunity.lot
    codes = _lot_codes([lot.id]).get(lot.id, [])
    weights = (
        f"Price {opportunity.price_weight}%, quality {opportunity.quality_weight}%, "
        f"social value {opportunity.social_value_weight}%"
    )
    tender = {
        "id": opportunity.reference,
        "title": opportunity.title,
        "description": opportunity.description,
        "status": TENDER_STATUS.get(opportunity.status, "active"),
        "value": money(opportunity.estimated_value_pence),
        "procurementMethod": "selective",
        # As Contracts Finder marks a DPS call-off.
        "procurementMethodDetails": "Call-off from a dynamic purchasing system",
        "mainProcurementCategory": opportunity.category.value,
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": weights,
        "submissionMethod": ["electronicSubmission"],
        "submissionTerms": {"electronicSubmissionPolicy": "required", "languages": ["en"]},
        "techniques": {"hasDynamicPurchasingSystem": True},
        "suitability": {
            "sme": bool(opportunity.reserved_sme),
            "vcse": bool(opportunity.reserved_vcse),
        },
        "documents": [],
    }
    if codes:
        tender["items"] = [
            {"id": str(n), "description": lot.title, "classification": classification(code)}
            for n, code in enumerate(codes, 1)
        ]
    if opportunity.published_at and opportunity.submission_deadline:
        tender["tenderPeriod"] = {
            "startDate": iso(opportunity.published_at),
            "endDate": iso(opportunity.submission_deadline),
        }
    if opportunity.question_deadline:
        tender["enquiryPeriod"] = {
            "startDate": iso(opportunity.published_at),
            "endDate": iso(opportunity.question_deadline),
        }
    if opportunity.contract_start:
        tender["contractPeriod"] = {"startDate": day_start(opportunity.contract_start)}
        if opportunity.contract_months:
            tender["contractPeriod"]["durationInMonths"] = opportunity.contract_months
    document = notice_document(notice, rule, at, url)
    release = {
        "ocid": call_off_ocid(opportunity),
        "id": notice.release_id,
        "date": iso(at),
        "tag": list(rule.tag),
        "initiationType": "tender",
        "language": "en",
        "parties": [party(buyer, ["buyer"])],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "tender": tender,
        "relatedProcesses": [dps_link(opportunity.dps)],
    }
    planned = planning_link(opportunity)
    if planned:
        release["relatedProcesses"].append(planned)
    statistics = bid_statistics(opportunity, at)
    if statistics:
        release["bids"] = statistics
    if award is None:
        tender["documents"].append(document)
        return release
    winner = award.winner.organisation
    supplier_vcse = winner.id in vcse_among([winner.id])
    release["parties"].append(party(winner, ["supplier"], vcse=supplier_vcse))
    row = next((r for r in award.result if r["bid_id"] == award.winner_bid_id), {})
    award_entry = {
        "id": f"{opportunity.reference}-award",
        "title": opportunity.title,
        "status": "active",
        "date": iso(award.confirmed_at),
        "suppliers": [{"id": party_id(winner), "name": winner.name}],
    }
    if row.get("price_pence"):
        award_entry["value"] = money(row["price_pence"])
    sent = db.session.execute(
        sa.select(sa.func.max(AwardLetter.created_at)).where(
            AwardLetter.opportunity_id == opportunity.id
        )
    ).scalar()
    if sent:
        award_entry["assessmentSummariesDateSent"] = iso(sent)
    if opportunity.voluntary_standstill and award.standstill_ends_at:
        award_entry["standstillPeriod"] = {
            "startDate": iso(award.confirmed_at),
            "endDate": iso(award.standstill_ends_at),
        }
    release["awards"] = [award_entry]
    if contract is None:
        award_entry["documents"] = [document]
        return release
    release["contracts"] = [contract_entry(opportunity, contract, award_entry["id"], document)]
    return release


def contract_entry(opportunity, contract, award_id, document):
    entry = {
        "id": f"{opportunity.reference}-contract",
        "awardID": award_id,
        "title": opportunity.title,
        "status": "active",
        "period": {
            "startDate": day_start(contract.start_date),
            "endDate": day_start(contract.end_date),
        },
        "value": money(contract.value_pence),
        "dateSigned": iso(contract.entered_at),
        "documents": [document],
    }
    promised, delivered = [], []
    for commitment in contract.commitments:
        so_far = delivered_so_far(commitment)
        measure = social_value.get(commitment.measure_id)
        name = measure.name if measure else commitment.measure_id
        unit = {"name": measure.unit} if measure and measure.unit else None
        target = {"id": "promised", "measure": float(commitment.promised)}
        if unit:
            target["unit"] = unit
        promised.append({"id": commitment.measure_id, "title": name, "observations": [target]})
        if so_far is not None:
            actual = {"id": "delivered", "measure": float(so_far)}
            if unit:
                actual["unit"] = unit
            delivered.append({"id": commitment.measure_id, "title": name, "observations": [actual]})
    if promised:
        entry["agreedMetrics"] = promised
    if delivered:
        entry["implementation"] = {"metrics": delivered}
    return entry
