"""The Common Procurement Vocabulary (CPV 2008), read once from ``data/cpv_2008_en.csv``.

Source: EU Regulation 213/2008 as packaged by openprocurement/standards (Apache-2.0); reuse
allowed with acknowledgement under Commission Decision 2011/833/EU. See ``data/README.md``.
"""

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CODE = re.compile(r"^\d{8}-\d$")


@dataclass(frozen=True)
class CpvCode:
    code: str  # "85311000-2"
    description: str  # "Social work services with accommodation"

    @property
    def digits(self):
        return self.code[:8]

    @property
    def division(self):
        """The first two digits: the broadest category."""
        return self.code[:2]

    @property
    def label(self):
        return f"{self.code} {self.description}"


@cache
def _codes():
    with open(DATA / "cpv_2008_en.csv", newline="", encoding="utf-8") as f:
        return {row["code"]: CpvCode(row["code"], row["description"]) for row in csv.DictReader(f)}


def all_codes():
    return list(_codes().values())


def get(code):
    return _codes().get((code or "").strip())


def is_valid(code):
    return bool(CODE.match((code or "").strip())) and (code or "").strip() in _codes()


def divisions():
    """The top-level categories (codes ending 000000), for filters."""
    return [c for c in _codes().values() if c.code[2:8] == "000000"]


def within(code, parent):
    """Whether ``code`` falls under ``parent`` in the hierarchy (trailing zeros are wildcards)."""
    parent_digits = parent[:8].rstrip("0")
    return code[:8].startswith(parent_digits)
