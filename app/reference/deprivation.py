"""Where a postcode is and how deprived its neighbourhood is: postcode → local authority (GSS
code) and LSOA 2021 → the decile of its nation's index of multiple deprivation (decile 1 is the
most deprived 10% of that nation's neighbourhoods).

Read once per process from ``data/`` (see ``data/README.md`` for sources and licences):

- every postcode in the four demo authorities (Leeds, Birmingham, Wigan, Newham) → its LSOA, and
  so its decile exactly (``method`` ``"postcode"``);
- every postcode sector in England, Wales and Scotland (``LS9 8``) → its most common local
  authority, and in England the median decile of its postcodes, in Wales the decile of its most
  common LSOA (``"sector"``; a weaker guide: a sector spans about nine LSOAs);
- every postcode district (``LS9``) → its most common local authority (``"district"``, no decile);
- anything else: ``"unknown"``.

Scotland's and Northern Ireland's indices rank data zones and super output areas that no shipped
postcode file reaches, so their postcodes get a local authority by sector but no decile, until an
operator loads the full NSPL (``app.reference.postcodes``): then every UK postcode is found by
full postcode, with its own nation's decile. The
indices of the four nations are not comparable: a decile is only ever within its own nation.

Used by spend analysis and open to any feature that asks where a supplier or a delivery is.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.organisations.identifiers import normalise_postcode

DATA = Path(__file__).resolve().parent / "data"

POSTCODE = "postcode"
SECTOR = "sector"
DISTRICT = "district"
UNKNOWN = "unknown"
METHOD_LABELS = {
    POSTCODE: "by full postcode",
    SECTOR: "by postcode sector",
    DISTRICT: "by postcode district",
    UNKNOWN: "unknown",
}

_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")


@dataclass(frozen=True)
class Place:
    postcode: str | None  # as normalised, e.g. "LS9 8AA"
    lad_code: str | None  # the local authority district's GSS code, e.g. "E08000035"
    lsoa_code: str | None  # only when found by full postcode (or a Welsh sector's top LSOA)
    decile: int | None  # 1 (most deprived 10%) to 10, within the nation's own index
    index_name: str | None  # "IMD 2025" (England) or "WIMD 2025" (Wales)
    method: str  # POSTCODE, SECTOR, DISTRICT or UNKNOWN

    @property
    def method_label(self):
        return METHOD_LABELS[self.method]


@dataclass(frozen=True)
class _Data:
    lsoa_decile: dict  # lsoa -> (lad, decile, index name)
    postcodes: dict  # "LS9 8AA" -> lsoa
    sectors: dict  # "LS9 8" -> (lad, decile or None, lsoa or None)
    districts: dict  # "LS9" -> lad


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


@cache
def _data():
    lsoa_decile = {
        row["lsoa21cd"]: (row["lad24cd"], int(row["imd_decile"]), "IMD 2025")
        for row in _rows("imd2025_lsoa21_england.csv")
    }
    lsoa_decile.update(
        (row["lsoa21cd"], (row["lad24cd"], int(row["wimd_decile_derived"]), "WIMD 2025"))
        for row in _rows("wimd2025_lsoa21_wales.csv")
    )
    postcodes = {
        row["pcds"]: row["lsoa21cd"] for row in _rows("postcodes_leeds_newham_wigan_birmingham.csv")
    }
    sectors = {}
    for row in _rows("postcode_sectors.csv"):
        lsoa = row["top_lsoa21cd"] or None
        decile = int(row["imd25_decile_median"]) if row["imd25_decile_median"] else None
        if decile is None and lsoa and lsoa.startswith("W"):
            decile = lsoa_decile.get(lsoa, (None, None))[1]
        sectors[row["postcode_sector"]] = (row["lad_cd"], decile, lsoa)
    districts = {row["postcode_district"]: row["lad_cd"] for row in _rows("postcode_districts.csv")}
    return _Data(lsoa_decile, postcodes, sectors, districts)


def _index_of(lad_code):
    if not lad_code:
        return None
    return {"E": "IMD 2025", "W": "WIMD 2025"}.get(lad_code[0])


def lookup(postcode, loaded=None):
    """The ``Place`` of a postcode (a whole one, or only its outward code), found as precisely as
    the shipped data allow, and ``loaded`` ({postcode: (lad, small area, decile, index name)}
    from the NSPL an operator loaded: ``app.reference.postcodes.lookup_all``) after the shipped
    full postcodes and before the sectors."""
    data = _data()
    full = normalise_postcode(postcode)
    if full:
        lsoa = data.postcodes.get(full)
        if lsoa and lsoa in data.lsoa_decile:
            lad, decile, index_name = data.lsoa_decile[lsoa]
            return Place(full, lad, lsoa, decile, index_name, POSTCODE)
        if loaded and full in loaded:
            lad, area, decile, index_name = loaded[full]
            return Place(full, lad, area, decile, index_name, POSTCODE)
        outward, inward = full.split(" ")
        sector = data.sectors.get(f"{outward} {inward[0]}")
        if sector:
            lad, decile, lsoa = sector
            return Place(
                full,
                lad,
                lsoa if lad.startswith("W") else None,
                decile,
                _index_of(lad) if decile else None,
                SECTOR,
            )
    else:
        outward = re.sub(r"\s+", "", (postcode or "").upper())
        if not _OUTWARD.fullmatch(outward):
            return Place(None, None, None, None, None, UNKNOWN)
    lad = data.districts.get(outward)
    if lad:
        return Place(full, lad, None, None, None, DISTRICT)
    return Place(full, None, None, None, None, UNKNOWN)


def decile_of_lsoa(lsoa_code):
    """(decile, index name) of an English or Welsh LSOA 2021, or (None, None)."""
    found = _data().lsoa_decile.get(lsoa_code)
    return (found[1], found[2]) if found else (None, None)


def sector_place(sector):
    """(local authority GSS code, decile, index name) of a postcode sector ("LS6 2"), by its
    postcodes' median decile (England) or its most common LSOA (Wales); (lad, None, None) where
    no shipped index reaches it (Scotland, Northern Ireland), and (None, None, None) for a
    sector the lookup does not hold."""
    found = _data().sectors.get(" ".join((sector or "").upper().split()))
    if not found:
        return (None, None, None)
    lad, decile, _ = found
    return (lad, decile, _index_of(lad) if decile else None)
