"""Importing spend files: every payment or none, rows left out with their reasons, nothing twice,
the columns remembered, large files in the background."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.errors import Conflict, NotAllowed, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from spend import matching, services
from spend.models import ImportStatus, SpendImport, SpendLine, SpendSettings
from tests.lots.helpers import make_colleague
from tests.spend import transparency
from tests.spend.helpers import import_file, make_world


@pytest.fixture
def world(app):
    return make_world()


def _lines(**where):
    stmt = sa.select(SpendLine)
    for name, value in where.items():
        stmt = stmt.where(getattr(SpendLine, name) == value)
    return db.session.execute(stmt).scalars().all()


def _events(event_type):
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.event_type == event_type))
        .scalars()
        .all()
    )


def test_a_councils_file_imports_every_payment_and_lists_what_it_left_out(world):
    data, expect = transparency.metropolitan()
    spend_import = import_file(world.buyer_user, world.buyer, data, "payments-2024-25.csv")
    assert spend_import.status == ImportStatus.IMPORTED
    lines = _lines(import_id=spend_import.id)
    assert len(lines) == spend_import.lines_imported == expect.lines
    assert sum(l.amount_pence for l in lines) == spend_import.spend_pence == expect.pence
    assert sum(1 for l in lines if l.amount_pence < 0) == expect.credits
    redacted = [l for l in lines if l.redacted]
    assert len(redacted) == expect.redacted == spend_import.lines_redacted
    assert all(l.supplier_name is None and l.organisation_id is None for l in redacted)
    assert [s["reason"] for s in spend_import.skipped] == expect.skipped_reasons
    blank = spend_import.skipped[-1]
    assert blank["last_row"] - blank["row"] == 2  # three blank rows, listed once
    assert services.skipped_rows_count(spend_import) == 4
    assert [e.event_type for e in _events("upload_spend_file")] == ["upload_spend_file"]
    (imported,) = _events("import_spend_file")
    assert imported.detail["lines"] == expect.lines and imported.detail["skipped_rows"] == 4


def test_the_same_file_again_changes_nothing(world):
    data, expect = transparency.district()
    import_file(world.buyer_user, world.buyer, data)
    with pytest.raises(Conflict, match="Importing it again would change nothing"):
        services.upload_file(world.buyer_user, world.buyer, "again.csv", data)
    db.session.rollback()
    assert len(_lines()) == expect.lines
    assert db.session.execute(sa.select(sa.func.count()).select_from(SpendImport)).scalar() == 1


def test_a_file_that_overlaps_an_earlier_one_adds_only_the_new_payments(world):
    data, expect = transparency.district(rows=120)
    import_file(world.buyer_user, world.buyer, data)
    # The same payments saved again by another program (no BOM change here: other line endings
    # and one more payment at the end): a different file, the same payments.
    text = data.decode("cp1252").replace("\r\n", "\n")
    text += "2 Jun 2023,Amey Community Limited,£700.00,Catering,Resources,,\n"
    later = import_file(world.buyer_user, world.buyer, text.encode("cp1252"), "again.csv")
    assert later.lines_imported == 1
    assert later.lines_already_held == expect.lines
    assert len(_lines()) == expect.lines + 1
    # The two identical payments on one day are both still there, once each.
    food_bank = [
        l for l in _lines() if l.supplier_name == "The Leeds Food Bank" and l.amount_pence == 60_000
    ]
    assert len([l for l in food_bank if l.paid_on.isoformat() == "2023-06-12"]) == 2


def test_a_failure_half_way_imports_nothing(world, monkeypatch):
    data, _ = transparency.metropolitan(rows=100)
    calls = {"n": 0}
    real = matching.Matcher.match

    def breaks_half_way(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 50:
            raise RuntimeError("the database went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(matching.Matcher, "match", breaks_half_way)
    spend_import = import_file(world.buyer_user, world.buyer, data)
    assert spend_import.status == ImportStatus.FAILED
    assert "nothing was imported" in spend_import.error
    assert _lines() == []
    assert len(_events("fail_spend_import")) == 1
    # Fixed, the same file can be imported: it was never imported.
    monkeypatch.setattr(matching.Matcher, "match", real)
    again = import_file(world.buyer_user, world.buyer, data)
    assert again.status == ImportStatus.IMPORTED and again.lines_imported == 100


def test_the_columns_are_remembered_for_the_buyers_next_file(world):
    first = b"When,Payee,Net,Paid\n01/04/2024,Acme Ltd,720.00,600.00\n"
    spend_import = services.upload_file(world.buyer_user, world.buyer, "a.csv", first)
    assert spend_import.mapping == {"supplier": 1, "amount": 2}  # the guess, before anyone says
    services.choose_columns(
        world.buyer_user, spend_import, {"date": 0, "supplier": 1, "amount": 3}, None
    )
    assert db.session.get(SpendSettings, world.buyer.id).mapping == {
        "date": "When",
        "supplier": "Payee",
        "amount": "Paid",
    }
    second = services.upload_file(
        world.buyer_user, world.buyer, "b.csv", b"Net,Paid,Payee,When\n1,2,Acme Ltd,02/04/2024\n"
    )
    assert second.mapping == {"date": 3, "supplier": 2, "amount": 1}
    assert len(_events("choose_spend_columns")) == 1


def test_columns_that_read_nothing_are_refused_naming_the_field(world):
    spend_import = services.upload_file(
        world.buyer_user, world.buyer, "a.csv", b"Date,Supplier,Amount\n01/04/2024,Acme,600\n"
    )
    with pytest.raises(ServiceError) as refused:
        services.choose_columns(world.buyer_user, spend_import, {"date": 0, "supplier": 1}, None)
    assert refused.value.field == "amount"
    with pytest.raises(ServiceError, match="cannot both be") as refused:
        services.choose_columns(
            world.buyer_user, spend_import, {"date": 0, "supplier": 1, "amount": 1}, None
        )
    with pytest.raises(ServiceError, match="None of the rows can be read"):
        services.choose_columns(
            world.buyer_user, spend_import, {"date": 2, "supplier": 1, "amount": 0}, None
        )
    db.session.rollback()
    assert db.session.get(SpendImport, spend_import.id).status == ImportStatus.MAPPING


def test_only_a_member_with_the_buyer_role_uploads(world):
    evaluator, _ = make_colleague(world.buyer, roles=["evaluator"])
    with pytest.raises(NotAllowed):
        services.upload_file(evaluator, world.buyer, "a.csv", b"Date,Supplier,Amount\n")


def test_a_large_file_is_imported_by_a_background_job(app, world, run_jobs):
    app.config["SPEND_BACKGROUND_ROWS"] = 50
    data, expect = transparency.county(rows=120)
    spend_import = import_file(world.buyer_user, world.buyer, data)
    assert spend_import.status == ImportStatus.QUEUED and _lines() == []
    run_jobs()
    db.session.expire_all()
    spend_import = db.session.get(SpendImport, spend_import.id)
    assert spend_import.status == ImportStatus.IMPORTED
    assert spend_import.percent_done == 100 and spend_import.rows_done == spend_import.rows_total
    assert len(_lines()) == expect.lines
    # A second run of the same job does nothing.
    assert services.run_import(spend_import.id) is False
    assert len(_lines()) == expect.lines


def test_an_import_whose_worker_died_is_queued_again(app, world, run_jobs):
    app.config["SPEND_BACKGROUND_ROWS"] = 10
    data, expect = transparency.county(rows=20)
    spend_import = import_file(world.buyer_user, world.buyer, data)
    spend_import.status = ImportStatus.IMPORTING  # a worker claimed it, then died
    spend_import.started_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.recover_imports(utcnow(), timedelta(minutes=5)) == 1
    run_jobs()
    db.session.expire_all()
    assert db.session.get(SpendImport, spend_import.id).status == ImportStatus.IMPORTED
    assert len(_lines()) == expect.lines


def test_a_cancelled_file_imports_nothing(world):
    spend_import = services.upload_file(
        world.buyer_user, world.buyer, "a.csv", b"Date,Supplier,Amount\n01/04/2024,Acme,600\n"
    )
    services.discard_import(world.buyer_user, spend_import)
    assert spend_import.status == ImportStatus.DISCARDED
    with pytest.raises(Conflict):
        services.choose_columns(
            world.buyer_user, spend_import, {"date": 0, "supplier": 1, "amount": 2}, None
        )
    assert len(_events("discard_spend_file")) == 1
