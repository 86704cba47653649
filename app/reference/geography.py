"""UK regions (ITL1) and local authorities, read once from the CSV files in ``data/``.

Organisations store a local authority's ``local_authority_code`` (mySociety's stable three-letter
code) and a region's ``itl1_code`` as ``region_code``. See ``data/README.md`` for sources and
licences.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# The tiers whose current councils cover every part of the UK exactly once (361 of them).
COVERING_TIERS = frozenset({"lower tier", "unitary", "ni district"})


@dataclass(frozen=True)
class Region:
    code: str  # ITL1, e.g. "TLE"
    name: str  # e.g. "Yorkshire and The Humber"
    nation: str
    gss_code: str


@dataclass(frozen=True)
class LocalAuthority:
    code: str  # mySociety's code, e.g. "LDS"
    name: str  # the short name, e.g. "Leeds"
    official_name: str
    gss_code: str
    tier: str
    nation: str
    region_code: str
    current: bool
    gss_code_latest: str = ""
    county_code: str = ""  # the county council over a lower-tier district
    combined_authority_code: str = ""  # the combined authority it belongs to, if any

    @property
    def covers_area_once(self):
        return self.current and self.tier in COVERING_TIERS


@dataclass(frozen=True)
class _Data:
    regions: tuple
    regions_by_code: dict
    authorities: tuple
    authorities_by_code: dict


@cache
def _data():
    with open(DATA / "regions.csv", newline="", encoding="utf-8") as f:
        regions = tuple(
            Region(
                code=row["itl1_code"],
                name=row["name"],
                nation=row["nation"],
                gss_code=row["gss_code"],
            )
            for row in csv.DictReader(f)
        )
    with open(DATA / "local_authorities.csv", newline="", encoding="utf-8") as f:
        authorities = tuple(
            sorted(
                (
                    LocalAuthority(
                        code=row["local_authority_code"],
                        name=row["nice_name"],
                        official_name=row["official_name"],
                        gss_code=row["gss_code"],
                        tier=row["tier"],
                        nation=row["nation"],
                        region_code=row["itl1_code"],
                        current=row["current"] == "True",
                        gss_code_latest=row["gss_code_latest"],
                        county_code=row["county_la"],
                        combined_authority_code=row["combined_authority"],
                    )
                    for row in csv.DictReader(f)
                ),
                key=lambda la: (la.name.casefold(), not la.current, la.code),
            )
        )
    return _Data(
        regions=regions,
        regions_by_code={r.code: r for r in regions},
        authorities=authorities,
        authorities_by_code={a.code: a for a in authorities},
    )


def regions():
    """The 12 ITL1 regions, in the ONS order (North East first, Northern Ireland last)."""
    return list(_data().regions)


def region(code):
    return _data().regions_by_code.get(code) if code else None


def local_authorities(current_only=True):
    """Local authorities sorted by name. By default the 361 current lower-tier, unitary and NI
    district councils, which cover the UK once; ``current_only=False`` gives every row."""
    authorities = _data().authorities
    if current_only:
        return [la for la in authorities if la.covers_area_once]
    return list(authorities)


def local_authority(code):
    """Any local authority by code, former ones included (so an old code still has a name)."""
    return _data().authorities_by_code.get(code) if code else None


def area_name(local_authority_code, region_code=None):
    """'Leeds, Yorkshire and The Humber': a council area and its region, by name (the region
    given, or else the council's own); empty when neither is known."""
    authority = local_authority(local_authority_code)
    named_region = region(region_code) or (region(authority.region_code) if authority else None)
    return ", ".join(part.name for part in (authority, named_region) if part)


def region_for_local_authority(code):
    la = local_authority(code)
    return region(la.region_code) if la else None


def district_gss_codes(code):
    """The GSS codes of the districts (lower tier or unitary) that make up a local authority's
    area: its own codes, or a county council's districts. Empty for an unknown code."""
    la = local_authority(code)
    if la is None:
        return frozenset()
    members = [la] + [a for a in _data().authorities if a.county_code == code and a.current]
    return frozenset(c for a in members for c in (a.gss_code, a.gss_code_latest) if c)


def combined_authorities():
    """The current combined authorities (and the Greater London Authority), sorted by name."""
    return [la for la in _data().authorities if la.current and la.tier == "combined"]


def covering_members(code):
    """The current councils that cover a local authority's area once (lower tier, unitary or NI
    district): a combined authority's members, a county's districts, or the council itself."""
    la = local_authority(code)
    if la is None:
        return []
    if la.covers_area_once:
        return [la]
    return [
        a
        for a in _data().authorities
        if a.covers_area_once and code in (a.combined_authority_code, a.county_code)
    ]


@cache
def _by_gss():
    found = {}
    for la in _data().authorities:
        if la.covers_area_once:
            for code in (la.gss_code, la.gss_code_latest):
                if code:
                    found.setdefault(code, la)
    return found


def local_authority_by_gss(gss_code):
    """The current council (lower tier, unitary or NI district) with that GSS code, or None."""
    return _by_gss().get(gss_code) if gss_code else None
