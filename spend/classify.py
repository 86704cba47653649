"""What kind of supplier a matched organisation is, as the rest of the product decides it:

- **VCSE**: the directory's own rule (``dps.queries.vcse_organisation_ids``: its latest decided
  application said it is a VCSE, was admitted, and it still holds a lot);
- **SME**: ``Organisation.is_sme`` (the Procurement Act 2023's definition, from its bands);
  unknown when it gave no staff band;
- **local**: its postcode's local authority district is in the buyer's area (the districts of the
  local authorities the buyer set, else of its own); by the organisation's stated local
  authority when its postcode cannot be placed;
- **deprivation**: the decile of its postcode's neighbourhood (``app.reference.deprivation``, and
  the NSPL when an operator loaded it: ``app.reference.postcodes``), saying whether it was found
  by full postcode, by sector, or not at all.

A supplier name matched to no organisation is classified from the public registers the operator
loaded (``spend.registers``), when one lists that name. A spend line with neither (redacted, or a
name no register lists) is unclassified: each of these is ``None``, never ``False``.
"""

from app.extensions import db
from app.reference import deprivation, geography, postcodes
from dps.supplier_kinds import UNCLASSIFIED, Facts, Kind, facts_of, kind_for
from spend import registers
from spend.models import REGISTER_LABELS, SpendSettings

__all__ = [
    "UNCLASSIFIED",
    "Facts",
    "Kind",
    "area_codes",
    "area_districts",
    "facts_of",
    "kind_for",
    "register_facts_of",
]


def register_facts_of(keys):
    """{name key: Facts} of the supplier names (not matched to an organisation) that a loaded
    public register lists: a VCSE if any register says so, the first SME answer and postcode
    known, and the registers' reasons."""
    found = {}
    by_key = registers.entries_by_key(keys)
    places = postcodes.lookup_all(e.postcode for entries in by_key.values() for e in entries)
    for key, entries in by_key.items():
        vcse_answers = [e.vcse for e in entries if e.vcse is not None]
        sme = next((e.sme for e in entries if e.sme is not None), None)
        postcode = next((e.postcode for e in entries if e.postcode), None)
        found[key] = Facts(
            vcse=any(vcse_answers) if vcse_answers else False,
            sme=sme,
            place=places.get(postcode) or deprivation.lookup(postcode),
            declared_lad_codes=frozenset(),
            basis="; ".join(
                f"{e.basis} ({REGISTER_LABELS[e.register]} {e.number})" for e in entries
            ),
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
