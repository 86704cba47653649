"""Matching suppliers: by company or charity number, by normalised name, by what was matched
before, and through the review queue (accepted or rejected, audited)."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.errors import Conflict, NotAllowed
from app.extensions import db
from spend import services
from spend.matching import supplier_key
from spend.models import MatchMethod, MatchStatus, SpendLine, SupplierMatch
from tests.factories import make_user
from tests.lots.helpers import make_colleague
from tests.spend import transparency
from tests.spend.helpers import import_file, make_world


@pytest.fixture
def world(app):
    return make_world()


def _by_name():
    out = {}
    for line in db.session.execute(sa.select(SpendLine)).scalars():
        out.setdefault(line.supplier_name, set()).add((line.organisation_id, line.match_method))
    return out


def _csv(*rows):
    return ("Date,Supplier,Amount,Supplier Number\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(
    "written, normalised",
    [
        ("The Riverside Trust Ltd.", "riverside trust"),
        ("RIVERSIDE TRUST LIMITED", "riverside trust"),
        ("Northern Lights Social Enterprise C.I.C.", "northern lights social enterprise"),
        ("Smith & Co", "smith"),
    ],
)
def test_names_are_compared_without_legal_forms_punctuation_or_case(written, normalised):
    assert supplier_key(written) == normalised


def test_company_numbers_match_whatever_the_name_says(world):
    data, _ = transparency.county(rows=60)
    import_file(world.buyer_user, world.buyer, data, id_kind="company")
    found = _by_name()
    assert found["Yorkshire Water Services Ltd"] == {(world.large.id, MatchMethod.NUMBER)}
    assert found["NORTHERN LIGHTS SOCIAL ENTERPRISE C.I.C."] == {(world.sme.id, MatchMethod.NUMBER)}
    # No number: by its name (legal form and case aside).
    assert found["Riverside Community Care CIO"] == {(world.vcse.id, MatchMethod.NAME)}
    # Not in the directory: unclassified.
    assert found["Veolia ES (UK) Ltd"] == {(None, MatchMethod.NONE)}


def test_vat_numbers_and_the_councils_own_ids_are_never_read_as_company_numbers(world):
    # 02366682 is Yorkshire Water's company number; as a VAT number or an id it proves nothing.
    import_file(
        world.buyer_user,
        world.buyer,
        _csv("01/04/2024,Some Other Firm,600,02366682"),
        id_kind="vat",
    )
    assert _by_name()["Some Other Firm"] == {(None, MatchMethod.NONE)}


def test_a_likely_name_waits_for_review_and_an_accepted_one_is_remembered(world):
    import_file(
        world.buyer_user,
        world.buyer,
        _csv(
            "01/04/2024,Riverside Comunity Care,600,V1", "02/04/2024,Riverside Comunity Care,-50,V1"
        ),
        id_kind="internal",
    )
    match = db.session.execute(sa.select(SupplierMatch)).scalar_one()
    assert match.status == MatchStatus.PENDING and match.organisation_id == world.vcse.id
    assert 85 <= match.score < 100
    assert _by_name()["Riverside Comunity Care"] == {(None, MatchMethod.NONE)}

    # Someone without the buyer role cannot decide it; the operator can.
    evaluator, _ = make_colleague(world.buyer, roles=["evaluator"])
    with pytest.raises(NotAllowed):
        services.accept_match(evaluator, match)
    assert services.accept_match(world.admin, match) == 2
    assert _by_name()["Riverside Comunity Care"] == {(world.vcse.id, MatchMethod.REVIEW)}
    with pytest.raises(Conflict):
        services.reject_match(world.buyer_user, match)
    (event,) = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.event_type == "accept_supplier_match")
    ).scalars()
    assert event.detail["lines"] == 2 and event.detail["organisation_id"] == world.vcse.id

    # The next file: the same name is matched at once, and so is the council's own supplier
    # number, whatever the name says.
    import_file(
        world.buyer_user,
        world.buyer,
        _csv("03/05/2024,Riverside Comunity Care,700,V1", "04/05/2024,Riverside CC,800,V1"),
        id_kind="internal",
    )
    found = _by_name()
    assert (world.vcse.id, MatchMethod.EARLIER) in found["Riverside Comunity Care"]
    assert found["Riverside CC"] == {(world.vcse.id, MatchMethod.EARLIER)}


def test_a_rejected_name_stays_unmatched(world):
    import_file(world.buyer_user, world.buyer, _csv("01/04/2024,Riverside Comunity Care,600,"))
    match = db.session.execute(sa.select(SupplierMatch)).scalar_one()
    services.reject_match(world.buyer_user, match)
    assert match.status == MatchStatus.REJECTED
    import_file(world.buyer_user, world.buyer, _csv("01/05/2024,Riverside Comunity Care,900,"))
    assert _by_name()["Riverside Comunity Care"] == {(None, MatchMethod.NONE)}
    assert db.session.execute(sa.select(sa.func.count()).select_from(SupplierMatch)).scalar() == 1


def test_another_buyers_settled_match_is_used(world):
    import_file(world.buyer_user, world.buyer, _csv("01/04/2024,Riverside Comunity Care,600,"))
    services.accept_match(
        world.buyer_user, db.session.execute(sa.select(SupplierMatch)).scalar_one()
    )
    from tests.lots.helpers import make_buyer

    other_user, other = make_buyer(
        world.admin, world.dps, email="b@wakefield.example", name="Wakefield Council"
    )
    import_file(other_user, other, _csv("01/04/2024,Riverside Comunity Care,600,"))
    lines = (
        db.session.execute(sa.select(SpendLine).where(SpendLine.buyer_id == other.id))
        .scalars()
        .all()
    )
    assert [(l.organisation_id, l.match_method) for l in lines] == [
        (world.vcse.id, MatchMethod.EARLIER)
    ]
    # A stranger sees neither buyer's queue.
    stranger = make_user(email="x@x.example")
    with pytest.raises(NotAllowed):
        services.upload_file(stranger, other, "a.csv", _csv())
