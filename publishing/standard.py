"""OCDS 1.1.5 and the extensions this product declares, from the local copies in ``schema/``
(``schema/SOURCES.md`` says where each came from): the release schema patched with each
extension (JSON Merge Patch, as the standard does it), the codelists with the extensions' codes,
and a validator that checks both. Nothing is fetched from the web."""

import csv
import json
from functools import lru_cache
from pathlib import Path

import json_merge_patch

HERE = Path(__file__).resolve().parent / "schema"
CORE = HERE / "1.1"
BASE_URL = "https://standard.open-contracting.org/schema/1__1__5/"

# The extensions the product's releases use, in the order they are applied, and the URL each is
# declared by in a package's ``extensions``.
EXTENSIONS = {
    "lots": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "bid": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "techniques": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "submissionTerms": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_submissionTerms_extension/master/extension.json",
    "metrics": "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json",
    "uk": "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
}

PUBLISHER_LICENCE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def release_schema():
    """The core release schema with every declared extension merged in."""
    schema = _load(CORE / "release-schema.json")
    for name in EXTENSIONS:
        schema = json_merge_patch.merge(
            schema, _load(HERE / "extensions" / name / "release-schema.json")
        )
    return schema


def _codes(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def codelists():
    """{"partyRole.csv": {"buyer", ...}, ...}: the core's, each extension's new ones, and its
    additions (``+name.csv``) and removals (``-name.csv``)."""
    lists = {p.name: _codes(p) for p in (CORE / "codelists").glob("*.csv")}
    folders = [HERE / "extensions" / name / "codelists" for name in EXTENSIONS]
    for folder in folders:  # new codelists first, then the changes to them
        for path in sorted(folder.glob("*.csv")) if folder.exists() else ():
            if path.name[0] not in "+-":
                lists[path.name] = _codes(path)
    for folder in folders:
        for path in sorted(folder.glob("*.csv")) if folder.exists() else ():
            if path.name[0] == "+":
                lists.setdefault(path.name[1:], set()).update(_codes(path))
            elif path.name[0] == "-":
                lists.setdefault(path.name[1:], set()).difference_update(_codes(path))
    return lists


def _validator_class():
    from jsonschema import Draft4Validator, ValidationError, validators

    lists = codelists()

    def codelist(validator, name, instance, schema):
        codes = lists.get(name)
        if codes is None or instance is None:
            return
        for value in instance if isinstance(instance, list) else [instance]:
            if isinstance(value, str) and value not in codes:
                yield ValidationError(f"{value!r} is not in the codelist {name}")

    return validators.extend(Draft4Validator, {"codelist": codelist})


@lru_cache(maxsize=4)
def validator(kind="release"):
    """A jsonschema validator for a release, a release package or a record package, checking
    formats (date-time with rfc3339-validator) and every codelist, open ones included."""
    from jsonschema import FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    release = release_schema()
    resources = [(BASE_URL + "release-schema.json", Resource.from_contents(release, DRAFT4))]
    for name in ("release-package-schema.json", "record-package-schema.json"):
        contents = _load(CORE / name)
        resources.append((BASE_URL + name, Resource.from_contents(contents, DRAFT4)))
    registry = Registry().with_resources(resources)
    schema = {
        "release": release,
        "release-package": _load(CORE / "release-package-schema.json"),
        "record-package": _load(CORE / "record-package-schema.json"),
    }[kind]
    cls = _validator_class()
    return cls(schema, registry=registry, format_checker=FormatChecker())


def errors(data, kind="release"):
    """Every problem in ``data``, as "path: message" strings (empty when valid)."""
    found = []
    for error in validator(kind).iter_errors(data):
        path = "/".join(str(p) for p in error.absolute_path)
        found.append(f"{path}: {error.message}")
    return found
