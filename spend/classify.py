"""What kind of supplier a matched organisation is, as the rest of the product decides it:

- **VCSE**: the directory's own rule (``dps.queries.vcse_organisation_ids``: its latest decided
  application said it is a VCSE, was admitted, and it still holds a lot);
- **SME**: ``Organisation.is_sme`` (the Procurement Act 2023's definition, from its bands);
  unknown when it gave no staff band;
- **local**: its postcode's local authority district is in the buyer's area (the districts of the
  local authorities the buyer set, else of its own); by the organisation's stated local
  authority when its postcode cannot be placed;
- **deprivation**: the decile of its postcode's neighbourhood (``app.reference.deprivation``),
  saying whether it was found by full postcode, by sector, or not at all.

A spend line with no matched organisation (redacted, or a name not matched) is unclassified: each
of these is ``None``, never ``False``.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from app.reference import deprivation, geography
from dps.queries import vcse_among
from spend.models import SpendSettings


@dataclass(frozen=True)
class Facts:
    """What is known of an organisation, whoever buys from it."""

    vcse: bool
    sme: bool | None
    place: deprivation.Place
    declared_lad_codes: frozenset  # its stated local authority's districts


@dataclass(frozen=True)
class Kind:
    """A supplier as one buyer's report counts it."""

    vcse: bool | None = None
    sme: bool | None = None
    local: bool | None = None
    decile: int | None = None
    place_method: str = deprivation.UNKNOWN

    @property
    def classified(self):
        return self.vcse is not None

    @property
    def deprived_10(self):
        return None if self.decile is None else self.decile == 1

    @property
    def deprived_20(self):
        return None if self.decile is None else self.decile <= 2


UNCLASSIFIED = Kind()


def facts_of(organisation_ids):
    """{organisation id: Facts} for these organisations, in two queries."""
    ids = sorted({i for i in organisation_ids if i is not None})
    if not ids:
        return {}
    vcse = vcse_among(ids)
    found = {}
    for org in db.session.execute(
        sa.select(Organisation).where(Organisation.id.in_(ids))
    ).scalars():
        found[org.id] = Facts(
            vcse=org.id in vcse,
            sme=bool(org.is_sme) if org.staff_band is not None else None,
            place=deprivation.lookup(org.postcode),
            declared_lad_codes=geography.district_gss_codes(org.local_authority_code),
        )
    return found


def area_codes(buyer):
    """The local authority codes whose districts are local to ``buyer``."""
    settings = db.session.get(SpendSettings, buyer.id)
    if settings is not None and settings.area_codes:
        return list(settings.area_codes)
    return [buyer.local_authority_code] if buyer.local_authority_code else []


def area_districts(buyer):
    return frozenset().union(*(geography.district_gss_codes(c) for c in area_codes(buyer)))


def kind_for(facts, districts):
    """The ``Kind`` of an organisation with ``facts`` to a buyer whose area is ``districts``."""
    if facts is None:
        return UNCLASSIFIED
    if not districts:
        local = None
    elif facts.place.lad_code:
        local = facts.place.lad_code in districts
    elif facts.declared_lad_codes:
        local = bool(facts.declared_lad_codes & districts)
    else:
        local = None
    return Kind(
        vcse=facts.vcse,
        sme=facts.sme,
        local=local,
        decile=facts.place.decile,
        place_method=facts.place.method,
    )
