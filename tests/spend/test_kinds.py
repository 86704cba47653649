"""A supplier's classification is read once a process while its facts stay as they are
(``spend.kinds``), and the sums by kind of supplier reports read hold the classification they
were built with: a change of any fact behind it draws a new stamp in its own transaction, so a
report counts from the supplier sums (with the new facts) at once, and from the sums by kind again
once they are built with them."""

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind, SupplierType
from app.reference.postcodes import LoadedPostcode
from dps.models import LotMembership
from dps.services import standing
from spend import kinds, reports, services, summaries
from spend.models import RegisterEntry
from tests.spend.helpers import import_file, make_world

FILE = (
    b"Payment Date,Supplier Name,Amount,Expense Type,Directorate\n"
    b"10/04/2024,Riverside Community Care CIO,6000,Befriending,Adults\n"
    b"15/07/2024,Yorkshire Water Services Ltd,3000,Water,Resources\n"
    b"21/01/2025,Someone Not Known Ltd,1000,Care,Adults\n"
)


def _shares(buyer_id):
    year = reports.report([buyer_id], year=2024).years[2024]
    return (year.share("vcse"), year.share("local"), year.share("sme"))


def test_a_change_of_facts_changes_the_report_at_once_and_after_the_sums_are_built(app):
    world = make_world()
    import_file(world.buyer_user, world.buyer, FILE)
    buyer = world.buyer.id
    assert reports.stored_current([buyer])
    assert _shares(buyer) == (60, 60, 60)  # Riverside: a local VCSE and SME

    # Riverside leaves its lot: no longer counted as a VCSE.
    membership = db.session.execute(
        sa.select(LotMembership).where(LotMembership.organisation_id == world.vcse.id)
    ).scalar_one()
    standing.remove_from_lot(world.admin, membership, "Asked to leave")
    assert not reports.stored_current([buyer])
    assert _shares(buyer) == (0, 60, 60)
    assert summaries.rebuild_stale() == 1
    assert reports.stored_current([buyer]) and summaries.class_differences(buyer) == []
    assert _shares(buyer) == (0, 60, 60)

    # Yorkshire Water moves to Leeds: local, as soon as it is saved.
    world.large.postcode = "LS3 1HS"
    world.large.local_authority_code = "LDS"
    db.session.commit()
    assert _shares(buyer) == (0, 90, 60)
    summaries.rebuild_stale()
    assert _shares(buyer) == (0, 90, 60)
    top = {row.label: row.kind for row in reports.report([buyer], year=2024).suppliers}
    assert top["Yorkshire Water Services Limited"].local is True


def test_what_draws_a_new_stamp(app):
    world = make_world()
    import_file(world.buyer_user, world.buyer, FILE)

    def changes(make_change):
        before = kinds.current()
        make_change()
        db.session.commit()
        return kinds.current() != before

    def set_(obj, **values):
        def change():
            for name, value in values.items():
                setattr(obj, name, value)

        return change

    assert changes(set_(world.large, postcode="LS9 8AA"))
    assert changes(set_(world.large, staff_band=world.vcse.staff_band))
    assert changes(set_(world.buyer, local_authority_code="BRD"))
    assert not changes(set_(world.large, website="https://example.org"))
    assert not changes(
        lambda: db.session.add(
            Organisation(
                kind=OrganisationKind.SUPPLIER, name="New Ltd", supplier_type=SupplierType.OTHER
            )
        )
    )
    # A buyer's area changes it; its remembered columns do not.
    assert changes(lambda: services.set_area(world.buyer_user, world.buyer, ["LDS", "WKF"]))
    settings = services.settings_of(world.buyer.id)
    assert not changes(set_(settings, mapping={"date": "When"}))
    # Bulk statements on the registers and the postcode directory (as their loads make).
    assert changes(lambda: db.session.execute(sa.delete(RegisterEntry)))
    assert changes(lambda: db.session.execute(sa.delete(LoadedPostcode)))
    # A change rolled back leaves the stamp as it was.
    before = kinds.current()
    world.large.postcode = "M4 5AB"
    db.session.flush()
    assert kinds.current() != before
    db.session.rollback()
    assert kinds.current() == before


def test_the_facts_are_read_once_under_a_stamp(app):
    world = make_world()
    import_file(world.buyer_user, world.buyer, FILE)
    buyer = world.buyer.id
    kinds.bump(db.session.connection())  # count from the supplier sums, classifying here
    db.session.commit()
    assert _shares(buyer) == (60, 60, 60)
    # Changed behind the watch's back (no new stamp): the facts read before are still used...
    db.session.execute(
        sa.text(
            "UPDATE organisations SET postcode = 'BD6 2SZ', local_authority_code = NULL"
            " WHERE id = :id"
        ),
        {"id": world.vcse.id},
    )
    db.session.commit()
    assert _shares(buyer) == (60, 60, 60)
    # ...until a new stamp says the facts changed.
    kinds.bump(db.session.connection())
    db.session.commit()
    assert _shares(buyer) == (60, 0, 60)


def test_the_sums_by_kind_on_sqlite_too(sqlite_app):
    """As ``make run`` has it (SQLite, built by the migrations): the sums by kind agree with the
    supplier sums, and a report read from them with one counted from those."""
    world = make_world()
    import_file(
        world.buyer_user,
        world.buyer,
        FILE + b"03/03/2025,Riverside Community Care CIO,-500,Befriending,Adults\n",
    )
    buyer = world.buyer.id
    assert reports.stored_current([buyer]) and summaries.class_differences(buyer) == []
    stored = reports.report([buyer], year=2024)
    kinds.bump(db.session.connection())
    db.session.commit()
    counted = reports.report([buyer], year=2024)
    for name in ("years", "quarters", "categories", "departments", "lots"):
        assert {
            k: (r.spend, r.counted, r.suppliers, r.measures)
            for k, r in getattr(stored, name).items()
        } == {
            k: (r.spend, r.counted, r.suppliers, r.measures)
            for k, r in getattr(counted, name).items()
        }
    assert list(stored.quarters) == [1, 2, 4]
