"""Builders for spend tests: a buyer in Leeds with a member who holds the buyer role, suppliers in
the directory (one an admitted VCSE, found by the directory's own rule), and imports."""

from dataclasses import dataclass

import time_machine

from app.extensions import db
from app.organisations.models import (
    Organisation,
    OrganisationKind,
    StaffBand,
    SupplierType,
    TurnoverBand,
)
from dps.services import deciding
from spend import services
from tests.dps.helpers import make_admin, make_dps, make_supplier
from tests.dps.helpers import submitted_application as submitted
from tests.lots.helpers import make_buyer

MONDAY = "2026-12-07 10:00:00+00:00"


@dataclass
class World:
    admin: object
    dps: object
    lots: list
    buyer_user: object
    buyer: object
    vcse: Organisation  # Riverside Community Care CIO: admitted VCSE, SME, Leeds (deprived)
    large: Organisation  # Yorkshire Water Services Ltd: large, by company number, Bradford
    sme: Organisation  # Northern Lights: SME, not admitted, Manchester


def org(name, **fields):
    organisation = Organisation(kind=OrganisationKind.SUPPLIER, name=name, **fields)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_world():
    admin = make_admin()
    dps, lots = make_dps(admin)
    buyer_user, buyer = make_buyer(admin, dps)
    buyer.local_authority_code = "LDS"
    user, vcse = make_supplier(name="Riverside Community Care CIO")
    vcse.postcode = "LS3 1HS"  # Leeds, IMD decile 1 by full postcode
    vcse.local_authority_code = "LDS"
    vcse.staff_band = StaffBand.SMALL
    vcse.turnover_band = TurnoverBand.UNDER_1M
    db.session.commit()
    with time_machine.travel(MONDAY, tick=False):
        application = submitted(dps, [lots[0].id], user, vcse)
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "An asset-locked CIO")
    large = org(
        "Yorkshire Water Services Limited",
        supplier_type=SupplierType.OTHER,
        company_number="02366682",
        postcode="BD6 2SZ",  # Bradford: found by sector
        staff_band=StaffBand.LARGE,
        turnover_band=TurnoverBand.OVER_44M,
    )
    sme = org(
        "Northern Lights Social Enterprise CIC",
        supplier_type=SupplierType.CIC,
        company_number="11223344",
        postcode="M4 5AB",
        staff_band=StaffBand.MICRO,
        turnover_band=TurnoverBand.UNDER_1M,
    )
    return World(admin, dps, lots, buyer_user, buyer, vcse, large, sme)


def import_file(user, buyer, data, filename="spend.csv", id_kind=None, mapping=None):
    """Upload and import a spend file with the guessed columns (or ``mapping``)."""
    spend_import = services.upload_file(user, buyer, filename, data)
    services.choose_columns(
        user,
        spend_import,
        mapping or dict(spend_import.mapping),
        id_kind or spend_import.id_kind,
    )
    db.session.refresh(spend_import)
    return spend_import
