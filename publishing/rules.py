"""The one table in code of which notice each event needs under each regime.

Event                           Procurement Act 2023                PCR 2015
DPS established/changed/ended   UK14, UK15, UK16 (UK13 optional)    contract notice, DPS flag
Call-off published              UK4 tender notice                   call-off advert
Call-off amended                UK4, a new version (not after       a new version of the advert
                                its deadline)
Call-off cancelled / no award   UK12 termination notice             a new version of the advert
Award decided                   UK6, refused while any assessment   contract award notice
                                summary is unsent
Contract entered                UK7, due within 30 days (reminder,  award notice on Contracts
                                then overdue on the buyer's page)   Finder, the same 30 days
Planned call-off listed         UK1 pipeline notice, one per        none
(the pipeline)                  planned call-off
Planned call-off withdrawn      UK1, a new version (withdrawn)      none

``services.publish_for`` looks an event up here and nowhere else.
"""

import enum
from dataclasses import dataclass

from dps.models import Regime


class Event(enum.StrEnum):
    DPS_PLANNED = "dps_planned"
    DPS_ESTABLISHED = "dps_established"
    DPS_CHANGED = "dps_changed"
    DPS_ENDED = "dps_ended"
    CALL_OFF_PUBLISHED = "call_off_published"
    CALL_OFF_AMENDED = "call_off_amended"
    CALL_OFF_CANCELLED = "call_off_cancelled"
    CALL_OFF_NOT_AWARDED = "call_off_not_awarded"  # no suitable bid
    AWARD_DECIDED = "award_decided"
    CONTRACT_ENTERED = "contract_entered"
    PIPELINE_ITEM_PUBLISHED = "pipeline_item_published"
    PIPELINE_ITEM_WITHDRAWN = "pipeline_item_withdrawn"


@dataclass(frozen=True)
class NoticeRule:
    notice_type: str
    name: str
    tag: tuple  # OCDS release tags
    document_type: str  # OCDS documentType of the notice itself
    # A new version of this notice type (the event corrects or updates it) rather than a new one.
    amends: bool = False
    # Days the law gives to publish it (the buyer publishes it); None: published at once.
    due_days: int | None = None


PA = Regime.PROCUREMENT_ACT_2023
PCR = Regime.PCR_2015

UK1 = "UK1"
UK14 = "UK14"
UK4 = "UK4"
UK6 = "UK6"
UK7 = "UK7"

RULES = {
    # A dynamic market's life. UK13 is optional and the product does not publish one.
    (Event.DPS_PLANNED, PA): None,
    (Event.DPS_ESTABLISHED, PA): NoticeRule(
        "UK14", "Dynamic market notice: establishment", ("tender",), "tenderNotice"
    ),
    (Event.DPS_CHANGED, PA): NoticeRule(
        "UK15", "Dynamic market notice: modification", ("tenderAmendment",), "tenderNotice"
    ),
    (Event.DPS_ENDED, PA): NoticeRule(
        "UK16", "Dynamic market notice: cessation", ("tenderUpdate",), "tenderNotice"
    ),
    (Event.DPS_PLANNED, PCR): None,
    (Event.DPS_ESTABLISHED, PCR): NoticeRule(
        "PCR-CN-DPS", "Contract notice (dynamic purchasing system)", ("tender",), "tenderNotice"
    ),
    (Event.DPS_CHANGED, PCR): NoticeRule(
        "PCR-CN-DPS",
        "Contract notice (dynamic purchasing system)",
        ("tenderAmendment",),
        "tenderNotice",
        amends=True,
    ),
    (Event.DPS_ENDED, PCR): NoticeRule(
        "PCR-CN-DPS",
        "Contract notice (dynamic purchasing system)",
        ("tenderUpdate",),
        "tenderNotice",
        amends=True,
    ),
    # Each call-off.
    (Event.CALL_OFF_PUBLISHED, PA): NoticeRule("UK4", "Tender notice", ("tender",), "tenderNotice"),
    (Event.CALL_OFF_AMENDED, PA): NoticeRule(
        "UK4", "Tender notice", ("tenderAmendment",), "tenderNotice", amends=True
    ),
    (Event.CALL_OFF_CANCELLED, PA): NoticeRule(
        "UK12", "Procurement termination notice", ("tenderCancellation",), "tenderNotice"
    ),
    (Event.CALL_OFF_NOT_AWARDED, PA): NoticeRule(
        "UK12", "Procurement termination notice", ("tenderUpdate",), "tenderNotice"
    ),
    (Event.AWARD_DECIDED, PA): NoticeRule(
        "UK6", "Contract award notice", ("award",), "awardNotice"
    ),
    (Event.CONTRACT_ENTERED, PA): NoticeRule(
        "UK7", "Contract details notice", ("contract",), "contractNotice", due_days=30
    ),
    # A planned call-off in a buyer's pipeline (section 93 of the Act): its pipeline notice. PCR
    # 2015 has no pipeline notice (a prior information notice is optional and not published).
    (Event.PIPELINE_ITEM_PUBLISHED, PA): NoticeRule(
        "UK1", "Pipeline notice", ("planning",), "plannedProcurementNotice"
    ),
    (Event.PIPELINE_ITEM_WITHDRAWN, PA): NoticeRule(
        "UK1", "Pipeline notice", ("planningUpdate",), "plannedProcurementNotice", amends=True
    ),
    (Event.PIPELINE_ITEM_PUBLISHED, PCR): None,
    (Event.PIPELINE_ITEM_WITHDRAWN, PCR): None,
    (Event.CALL_OFF_PUBLISHED, PCR): NoticeRule(
        "CF-CALL-OFF", "Call-off advert", ("tender",), "tenderNotice"
    ),
    (Event.CALL_OFF_AMENDED, PCR): NoticeRule(
        "CF-CALL-OFF", "Call-off advert", ("tenderAmendment",), "tenderNotice", amends=True
    ),
    (Event.CALL_OFF_CANCELLED, PCR): NoticeRule(
        "CF-CALL-OFF", "Call-off advert", ("tenderCancellation",), "tenderNotice", amends=True
    ),
    (Event.CALL_OFF_NOT_AWARDED, PCR): NoticeRule(
        "CF-CALL-OFF", "Call-off advert", ("tenderUpdate",), "tenderNotice", amends=True
    ),
    (Event.AWARD_DECIDED, PCR): NoticeRule(
        "PCR-CAN", "Contract award notice", ("award",), "awardNotice"
    ),
    (Event.CONTRACT_ENTERED, PCR): NoticeRule(
        "CF-AWARD", "Award notice on Contracts Finder", ("contract",), "contractNotice", due_days=30
    ),
}

# The name of each notice type, for pages.
NAMES = {rule.notice_type: rule.name for rule in RULES.values() if rule}


def rule_for(event, regime):
    """The notice ``event`` needs under ``regime``, or None when it needs none."""
    return RULES[(Event(event), Regime(regime))]
