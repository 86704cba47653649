"""What kind of supplier an organisation is, as the whole product decides it: shared by spend
analysis (``spend.classify``, which adds a buyer's own area) and the pipeline's analysis of
interest (``lots.pipeline``).

- **VCSE**: the directory's own rule (``dps.queries.vcse_organisation_ids``);
- **SME**: ``Organisation.is_sme`` (the Procurement Act 2023's definition, from its bands);
  unknown when it gave no staff band;
- **local**: its postcode's local authority district is in the area (a set of districts);
  by the organisation's stated local authority when its postcode cannot be placed;
- **deprivation**: the decile of its postcode's neighbourhood (``app.reference.deprivation``, and
  the NSPL when an operator loaded it: ``app.reference.postcodes``).

An unknown organisation is unclassified: each of these is ``None``, never ``False``.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from app.reference import deprivation, geography, postcodes
from dps.queries import vcse_among


@dataclass(frozen=True)
class Facts:
    """What is known of an organisation, whoever buys from it."""

    vcse: bool
    sme: bool | None
    place: deprivation.Place
    declared_lad_codes: frozenset  # its stated local authority's districts
    basis: str = "the DPS's directory"  # where these facts come from


@dataclass(frozen=True)
class Kind:
    """A supplier as one buyer's report counts it."""

    vcse: bool | None = None
    sme: bool | None = None
    local: bool | None = None
    decile: int | None = None
    place_method: str = deprivation.UNKNOWN
    basis: str | None = None  # where the classification comes from, in plain English

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
    organisations = (
        db.session.execute(sa.select(Organisation).where(Organisation.id.in_(ids))).scalars().all()
    )
    places = postcodes.lookup_all(o.postcode for o in organisations)
    for org in organisations:
        found[org.id] = Facts(
            vcse=org.id in vcse,
            sme=bool(org.is_sme) if org.staff_band is not None else None,
            place=places.get(org.postcode) or deprivation.lookup(org.postcode),
            declared_lad_codes=geography.district_gss_codes(org.local_authority_code),
        )
    return found


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
        basis=facts.basis,
    )
