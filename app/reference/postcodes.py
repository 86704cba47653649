"""The ONS postcode directory (NSPL), when an operator has downloaded it: every UK postcode with
its local authority and small area, loaded by `flask reference load-postcodes FILE` into
``reference_postcodes`` and used by ``deprivation.lookup_all`` after the shipped full postcodes
and before the shipped postcode sectors.

Each postcode's decile is worked out when it is loaded, within its own nation's index:

- England and Wales: its LSOA 2021 (``lsoa21``) in the shipped IMD 2025 and WIMD 2025;
- Scotland and Northern Ireland: its small area (a 2011 data zone ``S01…`` or a 2001 super output
  area ``95…``, in ``lsoa21`` or, in older files, ``lsoa11``) in the shipped SIMD 2020v2 and
  NIMDM 2017 ranks; failing that, the NSPL's own ``imd`` rank for the nation, made a decile the
  same way (``ceil(rank × 10 / areas)``).

The file is the NSPL's CSV as published (``NSPL21_AUG_2024_UK.csv``: ``pcds``, ``laua``,
``lsoa21``, ``ctry``, ``imd`` … are read by name, others ignored), or the zip it comes in. It is
read as a stream and copied in (COPY on PostgreSQL, batches elsewhere), replacing what was
loaded before, in one transaction: a failure half-way leaves the previous load in place.
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.organisations.identifiers import normalise_postcode
from app.reference import deprivation

BATCH = 5000
SCOTLAND = "S92000003"
NORTHERN_IRELAND = "N92000002"
# The number of small areas in each nation's index, for a decile from the NSPL's own rank.
AREAS = {SCOTLAND: (6976, "SIMD 2020v2"), NORTHERN_IRELAND: (890, "NIMDM 2017")}


class LoadedPostcode(db.Model):
    """One postcode of the NSPL an operator loaded."""

    __tablename__ = "reference_postcodes"

    pcds: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # "LS9 8AA"
    lad_code: Mapped[str | None] = mapped_column(sa.String(9))
    area_code: Mapped[str | None] = mapped_column(sa.String(12))  # LSOA, data zone or SOA
    decile: Mapped[int | None] = mapped_column(sa.SmallInteger)
    index_name: Mapped[str | None] = mapped_column(sa.String(20))


class NotAPostcodeFile(ValueError):
    pass


@dataclass(frozen=True)
class Loaded:
    postcodes: int
    with_decile: int


@cache
def _small_areas():
    """{S01… or 95…: (decile, index name)} from the shipped SIMD and NIMDM ranks."""
    path = deprivation.DATA / "simd2020v2_nimdm2017_small_area_ranks.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return {
            row["area_code"]: (int(row["decile_derived"]), row["index_name"])
            for row in csv.DictReader(f)
        }


def decile_for(lad_code, area_codes, country, imd_rank):
    """(decile, index name) of a postcode, or (None, None)."""
    for code in area_codes:
        if not code:
            continue
        if code[0] in "EW":
            decile, index_name = deprivation.decile_of_lsoa(code)
            if decile:
                return decile, index_name
        elif code in _small_areas():
            return _small_areas()[code]
    if country in AREAS and imd_rank and imd_rank.isdigit():
        areas, index_name = AREAS[country]
        rank = int(imd_rank)
        if 1 <= rank <= areas:
            return math.ceil(rank * 10 / areas), index_name
    return None, None


def _text_stream(path):
    """The CSV as text: the file itself, or the biggest CSV in a zip (the NSPL's Data/ file)."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if m.filename.lower().endswith(".csv")]
        if not members:
            raise NotAPostcodeFile("The zip file holds no CSV file")
        biggest = max(members, key=lambda m: m.file_size)
        return io.TextIOWrapper(archive.open(biggest), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def rows_of(stream):
    """(pcds, lad, area, decile, index name) for each postcode of an NSPL CSV stream."""
    reader = csv.reader(stream)
    header = [h.strip().lower() for h in next(reader, [])]
    if "pcds" not in header or "laua" not in header:
        raise NotAPostcodeFile(
            "This is not the ONS postcode directory: it needs the columns pcds and laua"
        )
    at = {name: header.index(name) for name in header}
    areas = [at[name] for name in ("lsoa21", "lsoa11") if name in at]

    def get(cells, name):
        index = at.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for cells in reader:
        pcds = normalise_postcode(get(cells, "pcds"))
        if not pcds:
            continue
        lad = get(cells, "laua") or None
        if lad and lad.endswith("99999999"):  # a pseudo code: no authority
            lad = None
        area_codes = [cells[i].strip() for i in areas if i < len(cells)]
        decile, index_name = decile_for(lad, area_codes, get(cells, "ctry"), get(cells, "imd"))
        area = next((c for c in area_codes if c and not c.endswith("99999999")), None)
        yield pcds, lad, area, decile, index_name


COLUMNS = ("pcds", "lad_code", "area_code", "decile", "index_name")


def load(path):
    """Replace the loaded postcodes with the NSPL file at ``path``; returns ``Loaded``."""
    try:
        return _load_postcodes(path)
    except Exception:
        db.session.rollback()
        raise


def _load_postcodes(path):
    with _text_stream(path) as stream:
        connection = db.session.connection()
        db.session.execute(sa.delete(LoadedPostcode))
        count = with_decile = 0
        seen = set()
        if connection.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(
                    f"COPY reference_postcodes ({', '.join(COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in rows_of(stream):
                        if row[0] in seen:
                            continue
                        seen.add(row[0])
                        copy.write_row(row)
                        count += 1
                        with_decile += row[3] is not None
        else:
            batch = []
            for row in rows_of(stream):
                if row[0] in seen:
                    continue
                seen.add(row[0])
                batch.append(dict(zip(COLUMNS, row, strict=True)))
                count += 1
                with_decile += row[3] is not None
                if len(batch) >= BATCH:
                    db.session.execute(sa.insert(LoadedPostcode), batch)
                    batch = []
            if batch:
                db.session.execute(sa.insert(LoadedPostcode), batch)
    db.session.commit()
    return Loaded(count, with_decile)


def loaded_for(postcodes):
    """{pcds: LoadedPostcode row as a tuple (lad, area, decile, index name)} of these."""
    wanted = sorted({p for p in (normalise_postcode(p) for p in postcodes) if p})
    if not wanted:
        return {}
    found = {}
    for start in range(0, len(wanted), BATCH):
        for row in db.session.execute(
            sa.select(
                LoadedPostcode.pcds,
                LoadedPostcode.lad_code,
                LoadedPostcode.area_code,
                LoadedPostcode.decile,
                LoadedPostcode.index_name,
            ).where(LoadedPostcode.pcds.in_(wanted[start : start + BATCH]))
        ):
            found[row[0]] = tuple(row[1:])
    return found


def lookup_all(postcodes):
    """{postcode as given: deprivation.Place} of these postcodes: the shipped full postcodes
    first, then the loaded NSPL (one query), then the shipped sectors and districts."""
    postcodes = [p for p in postcodes if p]
    loaded = loaded_for(postcodes)
    return {p: deprivation.lookup(p, loaded) for p in postcodes}
