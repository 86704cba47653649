"""Social value measures a buyer can ask bidders to commit to, with units.

``data/social_value_measures.csv`` is the project's own open list of measures (not the National
TOMs), mapped to the UK Government Social Value Model's outcomes; written for this project.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    definition: str
    unit: str
    value_type: str

    @property
    def theme(self):
        """SV-EMP-01 -> EMP."""
        return self.id.split("-")[1]


THEMES = {
    "EMP": "Jobs and employment",
    "SKL": "Skills and training",
    "SC": "Supply chain and local spend",
    "COM": "Communities and volunteering",
    "WB": "Health and wellbeing",
    "FW": "Fair work",
    "ENV": "Environment and net zero",
}


@cache
def _measures():
    with open(DATA / "social_value_measures.csv", newline="", encoding="utf-8") as f:
        return {
            r["measure_id"]: Measure(
                r["measure_id"], r["measure"], r["definition"], r["unit"], r["value_type"]
            )
            for r in csv.DictReader(f)
        }


def all_measures():
    return list(_measures().values())


def get(measure_id):
    return _measures().get(measure_id)


def theme_name(theme):
    return THEMES.get(theme, theme.title())
