"""The project's open list of measures (``app/reference/data/measures_open.csv``, an unchanged
copy of the shared list) and the Social Value Model's missions and outcomes
(``social_value_model.csv``), read as the rows the measures table holds.

The open list's own vocabulary is mapped once, here: value types ``integer`` -> ``count`` and
``ratio`` -> ``percentage``; aggregations ``snapshot`` -> ``latest`` and ``ratio`` -> ``average``
(a ratio's numerator and denominator are not recorded, so the periods' shares are averaged);
directions ``higher``/``lower`` -> ``more``/``less``; units ``GBP`` -> ``£``, ``percent`` ->
``%``, ``tCO2e`` -> ``tonnes CO2e``, and units that name what is counted (apprenticeships,
qualifications, weeks, m2) -> ``count`` with that name as the unit label.

Pure functions of the files: the migration that makes the table seeds it from here."""

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "reference" / "data"
OPEN_LIST = DATA / "measures_open.csv"
MODEL = DATA / "social_value_model.csv"

SOURCE = (
    "VCSE DPS open list of social value measures (measures_open.csv), written for this project; "
    "not the National TOMs"
)
LICENCE = "Written for this project; no third-party content"

VALUE_TYPES = {"integer": "count", "ratio": "percentage"}
AGGREGATIONS = {"snapshot": "latest", "ratio": "average"}
DIRECTIONS = {"higher": "more", "lower": "less"}
UNITS = {
    "GBP": ("£", None),
    "percent": ("%", None),
    "tCO2e": ("tonnes CO2e", None),
    "m2": ("count", "square metres"),
    "apprenticeships": ("count", "apprenticeships"),
    "qualifications": ("count", "qualifications"),
    "weeks": ("count", "weeks"),
}
# Measures that count people by where they live: their home postcode sectors are asked for.
POSTCODE_SECTOR_MEASURES = {"SV-EMP-01"}


def unit_of(raw):
    """(unit, unit label) for a unit as the open list (or an imported file) writes it."""
    raw = (raw or "").strip()
    return UNITS.get(raw, (raw, None))


def row_from_open_list(r):
    unit, unit_label = unit_of(r["unit"])
    return {
        "id": r["measure_id"].strip(),
        "name": r["measure"].strip(),
        "definition": r["definition"].strip(),
        "unit": unit,
        "unit_label": unit_label,
        "value_type": VALUE_TYPES.get(r["value_type"], r["value_type"]),
        "aggregation": AGGREGATIONS.get(r["aggregation"], r["aggregation"]),
        "direction": DIRECTIONS.get(r["direction"], r["direction"]),
        "ppn002_missions": " ".join(r["svm_ppn002_missions"].split()),
        "ppn0620_outcomes": " ".join(r["svm_ppn0620_outcomes"].split()),
        "evidence": r["evidence_examples"].strip(),
        "asks_postcode_sectors": r["measure_id"] in POSTCODE_SECTOR_MEASURES,
        "status": "active",
        "source": SOURCE,
        "licence": LICENCE,
    }


def open_list_rows():
    with open(OPEN_LIST, newline="", encoding="utf-8") as f:
        return [row_from_open_list(r) for r in csv.DictReader(f)]


@cache
def policy_outcomes():
    """{key: (model, label)}: "M1" -> ("PPN 002", "Kickstart economic growth"), "T2.1" ->
    ("PPN 06/20", "Tackling economic inequality: Create new businesses, ...")."""
    found = {}
    with open(MODEL, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["theme_level"] == "mission" and r["theme_id"]:
                found[r["theme_id"]] = ("PPN 002", r["theme"])
            elif r["theme_level"] == "theme" and r["outcome_id"]:
                found[r["outcome_id"]] = ("PPN 06/20", f"{r['theme']}: {r['policy_outcome']}")
    return found
