"""The operator sets up a DPS, its lots and the questionnaire versions it uses."""

import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.unitofwork import commit
from dps import questionnaire as engine
from dps.hooks import run_on_dps_event
from dps.models import LOT_BASIS, Category, Dps, Lot, Questionnaire, Regime, ReservedFor
from dps.permissions import require_operator
from dps.thresholds import lot_problem
from dps.working_days import Calendar

DEFAULT_QUESTIONNAIRE = (
    Path(__file__).resolve().parent.parent / "questionnaires" / "standard_sq_v2.json"
)
SET_UP = "Only the DPS operator can set up a DPS"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=32)
def _load_cached(questionnaire_id, definition_json):
    return engine.load(json.loads(definition_json))


def definition_for(questionnaire):
    """The engine's Definition for a stored version (cached; versions never change)."""
    return _load_cached(questionnaire.id, json.dumps(questionnaire.definition, sort_keys=True))


def ensure_default_questionnaire():
    """The shipped standard questionnaire, stored once as version 1. Part of the caller's
    transaction (flushes, does not commit)."""
    data = json.loads(DEFAULT_QUESTIONNAIRE.read_text())
    engine.load(data)  # refuse a broken file early
    existing = db.session.execute(
        sa.select(Questionnaire).where(
            Questionnaire.name == data["name"], Questionnaire.version == data["version"]
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    questionnaire = Questionnaire(name=data["name"], version=data["version"], definition=data)
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def publish_questionnaire_version(actor, base, definition):
    """Publish a new version of a questionnaire. Applications already started keep theirs."""
    require_operator(actor, SET_UP)
    definition = dict(definition)
    latest = db.session.execute(
        sa.select(sa.func.max(Questionnaire.version)).where(Questionnaire.name == base.name)
    ).scalar_one()
    definition["name"], definition["version"] = base.name, latest + 1
    try:
        engine.load(definition)
    except (KeyError, ValueError) as exc:
        raise ServiceError(f"The questionnaire is not valid: {exc}", "definition") from exc
    questionnaire = Questionnaire(name=base.name, version=latest + 1, definition=definition)
    db.session.add(questionnaire)
    db.session.flush()
    record(
        E.PUBLISH_QUESTIONNAIRE,
        subject=questionnaire,
        actor=actor,
        detail={"name": base.name, "version": latest + 1},
    )
    commit()
    return questionnaire


def create_dps(
    actor,
    *,
    name,
    slug,
    summary,
    description,
    who_may_join,
    regime,
    starts_on,
    ends_on,
    admission_days=10,
    calendar=Calendar.ENGLAND_AND_WALES,
    winner_fee_percent=None,
    questionnaire=None,
):
    require_operator(actor, SET_UP)
    regime = Regime(regime)
    if not _SLUG.match(slug or ""):
        raise ServiceError(
            "Web address name must use only lower case letters, numbers and hyphens", "slug"
        )
    if db.session.execute(sa.select(Dps.id).where(Dps.slug == slug)).first():
        raise ServiceError("A DPS with this web address name already exists", "slug")
    if ends_on <= starts_on:
        raise ServiceError("End date must be after the start date", "ends_on")
    if not 1 <= admission_days <= 10:
        raise ServiceError(
            "The time to decide an application must be between 1 and 10 working days",
            "admission_days",
        )
    if winner_fee_percent is not None:
        winner_fee_percent = Decimal(str(winner_fee_percent))
        if regime == Regime.PCR_2015:
            raise ServiceError(
                "A DPS under the Public Contracts Regulations 2015 cannot charge suppliers a fee",
                "winner_fee_percent",
            )
        if not Decimal("0") <= winner_fee_percent <= Decimal("5"):
            raise ServiceError(
                "The fee must be between 0% and 5% of contract value", "winner_fee_percent"
            )
    questionnaire = questionnaire or ensure_default_questionnaire()
    dps = Dps(
        name=name.strip(),
        slug=slug,
        summary=summary.strip(),
        description=description.strip(),
        who_may_join=who_may_join.strip(),
        regime=regime,
        starts_on=starts_on,
        ends_on=ends_on,
        admission_days=admission_days,
        calendar=Calendar(calendar).value,
        winner_fee_percent=winner_fee_percent,
        questionnaire_id=questionnaire.id,
    )
    db.session.add(dps)
    db.session.flush()
    record(
        E.CREATE_DPS,
        subject=dps,
        actor=actor,
        detail={
            "name": dps.name,
            "regime": regime.value,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    run_on_dps_event("established", dps)  # its notice (publishing)
    commit()
    return dps


def add_lot(actor, dps, **fields):
    """Add a lot to a DPS (``new_lot``) and commit."""
    lot = new_lot(actor, dps, **fields)
    commit()
    return lot


def new_lot(
    actor,
    dps,
    *,
    number,
    title,
    description,
    max_value_pence,
    min_value_pence=0,
    reserved_for=ReservedFor.NONE,
    category=Category.SERVICES,
    light_touch=False,
    cap_group=None,
    cap_per_provider=None,
):
    require_operator(actor, SET_UP)
    if min_value_pence < 0 or max_value_pence < min_value_pence:
        raise ServiceError("The maximum value must be at least the minimum value", "max_value")
    try:
        reserved_for, category = ReservedFor(reserved_for), Category(category)
    except ValueError as exc:
        raise ServiceError("Select who may apply and what the lot buys", "reserved_for") from exc
    check_lot_reservation(reserved_for, category, light_touch, max_value_pence)
    if (cap_group is None) != (cap_per_provider is None):
        raise ServiceError(
            "Give both a lot group and the most lots of it a provider may hold", "cap_per_provider"
        )
    if cap_per_provider is not None and cap_per_provider < 1:
        raise ServiceError(
            "A provider must be able to hold at least 1 lot of a group", "cap_per_provider"
        )
    if db.session.execute(
        sa.select(Lot.id).where(Lot.dps_id == dps.id, Lot.number == number)
    ).first():
        raise ServiceError(f"This DPS already has a lot {number}", "number")
    lot = Lot(
        dps_id=dps.id,
        number=number,
        title=title.strip(),
        description=description.strip(),
        reserved_for=reserved_for,
        reservation_basis=LOT_BASIS.get(reserved_for),
        category=category,
        light_touch=bool(light_touch),
        min_value_pence=min_value_pence,
        max_value_pence=max_value_pence,
        cap_group=cap_group,
        cap_per_provider=cap_per_provider,
    )
    db.session.add(lot)
    db.session.flush()
    record(
        E.CREATE_LOT,
        subject=lot,
        actor=actor,
        detail={
            "dps_id": dps.id,
            "number": number,
            "title": lot.title,
            "reserved_for": lot.reserved_for.value,
            "reservation_basis": lot.reservation_basis.value if lot.reservation_basis else None,
            "category": lot.category.value,
            "light_touch": lot.light_touch,
            "max_value_pence": lot.max_value_pence,
            "cap_group": lot.cap_group,
            "cap_per_provider": lot.cap_per_provider,
        },
    )
    run_on_dps_event("changed", dps)  # a notice for the lot (publishing)
    return lot


def check_lot_reservation(reserved_for, category, light_touch, max_value_pence):
    """Refuse a lot whose reservation the law does not allow at its largest value (VAT
    included): for making a lot and for any change to its reservation, category or band."""
    found = lot_problem(reserved_for, category, light_touch, max_value_pence)
    if found:
        raise ServiceError(found[1], found[0])
