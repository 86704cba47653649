"""docs/rules.md lists the rules of DOMAIN.md with where each is enforced and the test that proves
it. This keeps the table true: every row names code and a test, and every name it gives exists."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"
NAME = re.compile(r"`([\w./-]+\.py)::([\w:]+)`")


def _rows():
    rows = []
    for number, line in enumerate(RULES.read_text(encoding="utf-8").splitlines(), start=1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3 or set(cells[0]) <= set("-: "):
            continue
        if cells[0] == "Rule":
            continue
        rows.append((number, cells))
    return rows


def _defined(path, dotted):
    """True if ``path`` defines ``dotted`` (a function, a class, Class::method, or a name)."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    scope = tree.body
    for part in dotted.split("::"):
        found = None
        for node in scope:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == part:
                    found = node
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == part for t in targets):
                    found = node
        if found is None:
            return False
        scope = getattr(found, "body", [])
    return True


def test_the_table_has_rows_and_every_row_names_code_and_a_test():
    rows = _rows()
    assert len(rows) >= 60
    for number, (rule, enforced, proved) in rows:
        assert rule, f"line {number}: no rule"
        assert NAME.search(enforced), f"line {number}: {rule!r} names no code"
        tests = NAME.findall(proved)
        assert tests, f"line {number}: {rule!r} names no test"
        assert all(path.startswith("tests/") for path, _ in tests), f"line {number}"


@pytest.mark.parametrize("column", [1, 2], ids=["enforced in", "proved by"])
def test_every_name_in_the_table_exists(column):
    missing = []
    for number, cells in _rows():
        for path, dotted in NAME.findall(cells[column]):
            if not (ROOT / path).is_file() or not _defined(path, dotted):
                missing.append(f"line {number}: {path}::{dotted}")
    assert not missing, "docs/rules.md names what does not exist:\n" + "\n".join(missing)


def test_the_checker_notices_a_name_that_does_not_exist():
    assert _defined("tests/test_rules_doc.py", "_defined")
    assert not _defined("tests/test_rules_doc.py", "no_such_test")
