"""Conditions of membership: the questionnaire a DPS asks, and each lot's reservation and cap.

Under the Procurement Act 2023 the conditions of membership of a dynamic market are fixed for its
life: once it is established (its start date has come, or anyone has been admitted) a change is
refused, and the way to new conditions is a new lot or a new market. Under PCR 2015 regulation
34 the operator may change them, and every member of the lots affected is told by email. Before
a DPS is established either regime allows a change. The audit event records which rule applied.
"""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.unitofwork import commit
from app.urls import absolute_url
from dps.hooks import run_on_dps_event
from dps.models import LOT_BASIS, RESERVED_LABELS, Lot, LotMembership, Regime, ReservedFor
from dps.permissions import require_operator
from dps.services.clock import today
from dps.services.standing import HELD, email_organisation
from dps.thresholds import lot_problem

NOT_ESTABLISHED = "not_established"
FIXED_FOR_LIFE = "procurement_act_2023_fixed"
NOTICE_TO_MEMBERS = "pcr_2015_notice_to_members"

FIXED_MESSAGE = (
    "The conditions of membership of this dynamic market are fixed for its life (Procurement "
    "Act 2023), and it is already established. To change them, add a new lot or set up a new "
    "market"
)


def is_established(dps, on=None):
    """Its start date has come, or someone has been admitted to one of its lots."""
    if dps.starts_on <= (on or today()):
        return True
    admitted = db.session.execute(
        sa.select(LotMembership.id).join(Lot).where(Lot.dps_id == dps.id).limit(1)
    ).first()
    return admitted is not None


def change_rule(dps, field):
    """The rule under which the DPS's conditions may change now, or a refusal naming ``field``."""
    if not is_established(dps):
        return NOT_ESTABLISHED
    if dps.regime == Regime.PROCUREMENT_ACT_2023:
        raise Conflict(FIXED_MESSAGE, field)
    return NOTICE_TO_MEMBERS


def notify_members(dps, lot_ids, key, changes):
    """Email every organisation holding any of ``lot_ids`` (admitted or suspended) once; returns
    the organisation ids told."""
    organisation_ids = (
        db.session.execute(
            sa.select(LotMembership.organisation_id)
            .where(LotMembership.lot_id.in_(list(lot_ids)), LotMembership.status.in_(HELD))
            .distinct()
            .order_by(LotMembership.organisation_id)
        )
        .scalars()
        .all()
    )
    for organisation_id in organisation_ids:
        email_organisation(
            organisation_id,
            "conditions_changed",
            key,
            dps=dps.name,
            changes=changes,
            url=absolute_url("dps.view_dps", slug=dps.slug),
        )
    return organisation_ids


def use_questionnaire(actor, dps, questionnaire):
    """Point a DPS at a questionnaire version for applications started from now on."""
    require_operator(actor, "Only the DPS operator can set up a DPS")
    if questionnaire.id == dps.questionnaire_id:
        raise ServiceError(
            "The DPS already uses this version of the questionnaire", "questionnaire"
        )
    rule = change_rule(dps, "questionnaire")
    old = dps.questionnaire_id
    dps.questionnaire_id = questionnaire.id
    told = []
    if rule == NOTICE_TO_MEMBERS:
        told = notify_members(
            dps,
            [lot.id for lot in dps.lots],
            f"questionnaire:{dps.id}:{questionnaire.id}",
            [
                f"The selection questionnaire is now {questionnaire.name}, version "
                f"{questionnaire.version}. The operator may ask you to renew your declaration "
                "on it."
            ],
        )
    record(
        E.UPDATE_DPS,
        subject=dps,
        actor=actor,
        detail={
            "questionnaire_id": [old, questionnaire.id],
            "regime": dps.regime.value,
            "rule": rule,
            "notified_organisation_ids": told,
        },
    )
    run_on_dps_event("changed", dps)
    commit()


def change_lot_conditions(actor, lot, *, reserved_for, cap_group=None, cap_per_provider=None):
    """Change who a lot is reserved for and its per-provider cap, under ``change_rule``."""
    require_operator(actor, "Only the DPS operator can change a lot")
    try:
        reserved_for = ReservedFor(reserved_for)
    except ValueError:
        raise ServiceError("Choose who the lot is open to", "reserved_for") from None
    cap_group = (cap_group or "").strip() or None
    if (cap_group is None) != (cap_per_provider is None):
        raise ServiceError(
            "Give both a lot group and the most lots of it a provider may hold", "cap_per_provider"
        )
    if cap_per_provider is not None and cap_per_provider < 1:
        raise ServiceError(
            "A provider must be able to hold at least 1 lot of a group", "cap_per_provider"
        )
    before = {
        "reserved_for": lot.reserved_for.value,
        "cap_group": lot.cap_group,
        "cap_per_provider": lot.cap_per_provider,
    }
    after = {
        "reserved_for": reserved_for.value,
        "cap_group": cap_group,
        "cap_per_provider": cap_per_provider,
    }
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changed:
        raise ServiceError("Nothing has changed", "reserved_for")
    rule = change_rule(lot.dps, next(iter(changed)))
    # The reservation keeps its basis in law, and the law's threshold for it.
    problem = lot_problem(reserved_for, lot.category, lot.light_touch, lot.max_value_pence)
    if problem:
        raise ServiceError(problem[1], "reserved_for")
    lot.reserved_for = reserved_for
    lot.reservation_basis = LOT_BASIS.get(reserved_for)
    lot.cap_group = cap_group
    lot.cap_per_provider = cap_per_provider
    told = []
    if rule == NOTICE_TO_MEMBERS:
        label = RESERVED_LABELS[reserved_for]
        lines = [f"{lot.label} is now {label[0].lower()}{label[1:]}."]
        if cap_group:
            lines.append(
                f"A provider may hold at most {cap_per_provider} "
                f"{'lot' if cap_per_provider == 1 else 'lots'} of the ‘{cap_group}’ group."
            )
        elif before["cap_group"]:
            lines.append(
                f"There is no longer a limit on how many lots of the "
                f"‘{before['cap_group']}’ group a provider may hold."
            )
        key = ":".join(str(v) for v in after.values())
        told = notify_members(lot.dps, [lot.id], f"lot:{lot.id}:{key}", lines)
    record(
        E.UPDATE_LOT,
        subject=lot,
        actor=actor,
        detail={
            "conditions": changed,
            "regime": lot.dps.regime.value,
            "rule": rule,
            "notified_organisation_ids": told,
        },
    )
    run_on_dps_event("changed", lot.dps)
    commit()
    return lot
