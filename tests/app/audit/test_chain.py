"""The audit log's hash chain on PostgreSQL: written in order, one chain however many transactions
write at once, nothing from a rolled-back transaction, `flask audit verify` finds tampering, and
personal data, hashed apart with a salt, can be erased while the chain still verifies."""

import json
import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import time_machine

from app.audit import services as audit
from app.audit.events import AuditEventType as E
from app.audit.models import AuditEvent
from app.audit.services import (
    GENESIS_HASH,
    HASHED_COLUMNS,
    anonymise,
    canonical,
    compute_hash,
    hashed_fields,
    personal_digest,
    record,
    verify_chain,
)
from app.extensions import db
from app.unitofwork import commit
from tests.factories import make_organisation, make_user


def events():
    db.session.expire_all()
    return db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()


def record_many(n, event_type=E.SIGN_IN, **kwargs):
    for i in range(n):
        record(event_type, subject_type="test", subject_id=i, detail={"n": i}, **kwargs)
    commit()


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_events_in_one_transaction_chain_in_the_order_they_were_recorded(app):
    user = make_user()
    record(E.REGISTER_ACCOUNT, subject=user, actor=user)
    record(E.CONFIRM_EMAIL, subject=user, actor=user, detail={"note": "café ✓"})
    record(E.SIGN_IN, subject=user, actor=user)
    commit()

    first, second, third = events()
    assert [e.event_type for e in (first, second, third)] == [
        "register_account",
        "confirm_email",
        "sign_in",
    ]
    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert first.actor_id == user.id
    assert first.actor_label == "sam@example.org"
    assert (first.subject_type, first.subject_id) == ("users", user.id)
    assert second.detail == {"note": "café ✓"}


def test_the_chain_continues_across_transactions(app):
    record_many(2)
    record_many(2, event_type=E.SIGN_OUT)
    chain = events()
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]


def test_each_hash_is_taken_over_the_event_and_its_parent(app):
    record_many(2)
    for event in events():
        assert compute_hash(hashed_fields(event), event.prev_hash) == event.hash
        assert event.personal_hash == personal_digest(hashed_fields(event))
        assert len(event.personal_salt) == 32


def test_verify_passes_on_an_intact_chain(app):
    record_many(5)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "OK: 5 audit events" in result.output


def test_verify_passes_on_an_empty_log(app):
    result = verify(app)
    assert result.exit_code == 0
    assert "OK: 0 audit events" in result.output


def test_verify_finds_a_changed_row(app):
    record_many(5)
    tampered = events()[2]
    db.session.execute(
        sa.text("UPDATE audit_events SET detail = CAST(:d AS json) WHERE id = :id"),
        {"d": '{"n": 99}', "id": tampered.id},
    )
    db.session.commit()

    checked, broken, reason = verify_chain()
    assert (checked, broken.id) == (2, tampered.id)
    assert "contents" in reason

    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at audit event {tampered.id} " in result.output
    assert "2 events before it are intact" in result.output


# Each column an event's hash is taken over (directly, or through its salted personal hash), and SQL
# that changes it in place (as someone with write access to the database would) or erases it.
# ``prev_hash`` links the event to its parent; ``anonymised_at`` says the personal data were erased,
# so setting it on an event that still holds them is tampering too.
TAMPERINGS = [
    ("occurred_at", "occurred_at + interval '1 microsecond'"),
    ("actor_id", ":other_user"),
    ("actor_id", "NULL"),
    ("actor_label", "'someone.else@example.org'"),
    ("actor_label", "NULL"),
    ("organisation_id", ":other_organisation"),
    ("organisation_id", "NULL"),
    ("event_type", "'sign_out'"),
    ("subject_type", "'users'"),
    ("subject_type", "NULL"),
    ("subject_id", "subject_id + 1"),
    ("subject_id", "NULL"),
    ("detail", 'CAST(\'{"changed": ["website"]}\' AS json)'),
    ("detail", "CAST('{}' AS json)"),
    ("detail", 'CAST(\'{"changed": ["name"], "email": "eve@example.org"}\' AS json)'),
    ("detail", 'CAST(\'{"changed": ["name"]}\' AS json)'),  # its email erased by hand
    ("personal_salt", "repeat('f', 32)"),
    ("personal_salt", "NULL"),
    ("personal_hash", "repeat('e', 64)"),
    ("personal_hash", "NULL"),
    ("anonymised_at", "now()"),
    ("prev_hash", "repeat('1', 64)"),
]
HASHED = {*HASHED_COLUMNS, "prev_hash", "anonymised_at"}


def test_the_tamperings_cover_every_field_the_hash_is_taken_over():
    fields = dict.fromkeys(HASHED_COLUMNS)
    fields["occurred_at"] = datetime(2026, 12, 3, tzinfo=timezone.utc)
    fields["personal_hash"] = "e" * 64
    chained = set(json.loads(canonical(fields, GENESIS_HASH)))
    assert chained == HASHED - {
        "actor_id",
        "actor_label",
        "personal_salt",
        "anonymised_at",
    }
    # ... and those four are what the personal hash covers (anonymised_at says they are erased).
    assert {column for column, _ in TAMPERINGS} == HASHED


@pytest.mark.parametrize("column, value", TAMPERINGS, ids=[f"{c}={v}" for c, v in TAMPERINGS])
def test_verify_names_the_event_whose_hashed_field_was_changed(app, column, value):
    """Every field the hash is taken over is one verify checks: changing any one of them in a
    single event, and nothing else, breaks the chain at that event and not before."""
    user, other_user = make_user("ada@example.org"), make_user("bob@example.org")
    organisation, other_organisation = make_organisation(), make_organisation(name="Other CIO")
    record(E.SIGN_IN, subject=user, actor=user)
    record(
        E.UPDATE_ORGANISATION,
        subject=organisation,
        actor=user,
        organisation=organisation,
        detail={"changed": ["name"], "email": "ada@example.org"},
    )
    record(E.SIGN_OUT, subject=user, actor=user)
    commit()
    target = events()[1]
    assert None not in (
        target.actor_id,
        target.actor_label,
        target.organisation_id,
        target.subject_type,
        target.subject_id,
        target.personal_salt,
        target.personal_hash,
    )
    params = {
        "id": target.id,
        "other_user": other_user.id,
        "other_organisation": other_organisation.id,
    }
    assert verify_chain() == (3, None, None)

    changed = db.session.execute(
        sa.text(
            f"UPDATE audit_events SET {column} = {value} WHERE id = :id "
            f"AND CAST({column} AS text) IS DISTINCT FROM CAST({value} AS text)"
        ),
        params,
    ).rowcount
    db.session.commit()
    assert changed == 1  # the tampering changed the stored value

    checked, broken, reason = verify_chain()
    assert (checked, broken.id) == (1, params["id"])
    assert reason == (
        "its previous-hash does not match the event before it"
        if column == "prev_hash"
        else "its contents do not match its hash"
    )
    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at audit event {params['id']} " in result.output
    assert "1 events before it are intact" in result.output


def test_the_hash_of_a_known_event_written_before_personal_data_were_hashed_apart_is_pinned():
    """A change to how events are hashed (a field left out or added, another format or
    algorithm) would make every stored chain fail verification: it must not happen unnoticed.
    Events written before migration 0010 have no personal hash and are still hashed whole."""
    fields = {
        "occurred_at": datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=timezone.utc),
        "actor_id": 7,
        "actor_label": "ada@example.org",
        "organisation_id": 3,
        "event_type": "update_organisation",
        "subject_type": "organisations",
        "subject_id": 3,
        "detail": {"ip": "192.0.2.1", "changed": ["name"], "note": "café ✓"},
    }
    assert canonical(fields, GENESIS_HASH) == (
        '{"actor_id":7,"actor_label":"ada@example.org","detail":{"changed":["name"],'
        '"ip":"192.0.2.1","note":"café ✓"},"event_type":"update_organisation",'
        '"occurred_at":"2026-12-03T10:00:00.123456+00:00","organisation_id":3,'
        '"prev_hash":"' + "0" * 64 + '","subject_id":3,"subject_type":"organisations"}'
    )
    assert compute_hash(fields, GENESIS_HASH) == (
        "776dec045cd59ea549d063aebd58ffc2d00fb0382d91c2787dcf1b563aa8ee1d"
    )
    assert compute_hash(fields, "a" * 64) == (
        "efc457d9a8eda290f7a29d1fa0d82534a7afe2d29431e635973a045101e70f1c"
    )
    fields["personal_hash"] = None  # how a row written before 0010 reads back
    assert compute_hash(fields, GENESIS_HASH) == (
        "776dec045cd59ea549d063aebd58ffc2d00fb0382d91c2787dcf1b563aa8ee1d"
    )


SALT = "5a17" * 8


def test_the_hash_of_a_known_event_with_its_personal_data_hashed_apart_is_pinned():
    """The same event as written since migration 0010: who acted, the IP address and any email in
    the detail are hashed with the salt, and the chain takes that hash and the rest."""
    fields = {
        "occurred_at": datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=timezone.utc),
        "actor_id": 7,
        "actor_label": "ada@example.org",
        "organisation_id": 3,
        "event_type": "update_organisation",
        "subject_type": "organisations",
        "subject_id": 3,
        "detail": {"ip": "192.0.2.1", "changed": ["name"], "note": "café ✓"},
        "personal_salt": SALT,
    }
    fields["personal_hash"] = personal_digest(fields)
    assert fields["personal_hash"] == (
        "7a6b605e232ab09e88bf4c8257c76b43e55cc10250dd680f7050dc47a03ba406"
    )
    assert canonical(fields, GENESIS_HASH) == (
        '{"detail":{"changed":["name"],"note":"café ✓"},"event_type":"update_organisation",'
        '"occurred_at":"2026-12-03T10:00:00.123456+00:00","organisation_id":3,'
        '"personal_hash":"' + fields["personal_hash"] + '","prev_hash":"' + "0" * 64 + '",'
        '"subject_id":3,"subject_type":"organisations"}'
    )
    assert compute_hash(fields, GENESIS_HASH) == (
        "d04c49ce7466bf71ec7e29d9c731280f7e34f24123439360736b21d9891acb38"
    )


def test_an_event_recorded_at_a_known_moment_is_stored_with_its_known_hash(app, monkeypatch):
    monkeypatch.setattr(audit, "new_salt", lambda: SALT)
    at = datetime(2026, 12, 3, 10, 0, 0, 123456, tzinfo=timezone.utc)
    with time_machine.travel(at, tick=False):
        record(
            E.UPDATE_ORGANISATION,
            subject_type="organisations",
            subject_id=3,
            detail={"changed": ["name"], "note": "café ✓"},
        )
        commit()
    [event] = events()
    assert (event.occurred_at, event.prev_hash) == (at, GENESIS_HASH)
    assert event.personal_salt == SALT
    assert event.personal_hash == (
        "2508ad5d2bac79416efed7cad6d82562360e897ccc999e58ee6d3f8e4ad1d9b6"
    )
    assert event.hash == "7295e96e2215998244130c2dae3c0f8eff483fb2c0f2a01595c052fb38461ea5"
    assert verify_chain() == (1, None, None)


def test_verify_finds_a_row_rewritten_with_a_fresh_hash(app):
    """Recomputing the changed row's own hash does not help: the next row points at the old one."""
    record_many(4)
    target = events()[1]
    fields = hashed_fields(target)
    fields["detail"] = {"n": "forged"}
    db.session.execute(
        sa.text("UPDATE audit_events SET detail = CAST(:d AS json), hash = :h WHERE id = :id"),
        {"d": '{"n": "forged"}', "h": compute_hash(fields, target.prev_hash), "id": target.id},
    )
    db.session.commit()

    _, broken, reason = verify_chain()
    assert broken.id == target.id + 1
    assert "previous-hash" in reason


def test_verify_finds_a_deleted_row(app):
    record_many(5)
    chain = events()
    db.session.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": chain[2].id})
    db.session.commit()

    result = verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at audit event {chain[3].id} " in result.output
    assert "previous-hash does not match" in result.output


def test_verify_walks_the_log_in_batches(app):
    record_many(7)
    assert verify_chain(batch_size=3)[0] == 7
    db.session.execute(sa.text("UPDATE audit_events SET event_type = 'sign_out' WHERE id = 5"))
    db.session.commit()
    assert verify_chain(batch_size=3)[1].id == 5


def test_transactions_on_many_threads_make_one_chain(app):
    threads, per_thread = 8, 10
    start = threading.Barrier(threads)
    errors = []

    def work(n):
        try:
            with app.app_context():
                start.wait()
                for i in range(per_thread):
                    record(E.SIGN_IN, subject_type="thread", subject_id=n, detail={"i": i})
                    if i % 3 == 0:  # some transactions write two events
                        record(E.SIGN_OUT, subject_type="thread", subject_id=n, detail={"i": i})
                    commit()
                db.session.remove()
        except Exception as exc:  # reported below: an assert in a thread would be lost
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []

    chain = events()
    assert len(chain) == threads * (per_thread + 4)
    assert chain[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert len({e.prev_hash for e in chain}) == len(chain)  # no two events share a parent
    assert verify_chain() == (len(chain), None, None)
    # Each thread's events are in its own order within the one chain.
    for n in range(threads):
        mine = [e.detail["i"] for e in chain if e.subject_id == n and e.event_type == "sign_in"]
        assert mine == list(range(per_thread))


def test_a_rolled_back_transaction_writes_no_event(app):
    user = make_user()
    db.session.get(user.__class__, user.id)  # the transaction has begun
    record(E.CHANGE_PASSWORD, subject=user, actor=user)
    db.session.rollback()
    record(E.SIGN_IN, subject=user, actor=user)
    commit()
    assert [e.event_type for e in events()] == ["sign_in"]


def test_an_event_recorded_before_any_query_is_dropped_by_a_rollback(app):
    """With no SQL run yet there is no transaction for rollback() to end, so record() begins one:
    otherwise the event would be left waiting and written by the next commit."""
    record(E.CHANGE_PASSWORD, subject_type="users", subject_id=1)
    db.session.rollback()
    record(E.SIGN_IN, subject_type="users", subject_id=1)
    commit()
    assert [e.event_type for e in events()] == ["sign_in"]


def test_an_event_from_a_failed_service_is_not_written_by_the_next_commit(app):
    user = make_user()

    def failing_service():
        record(E.CHANGE_PASSWORD, subject=user, actor=user)
        raise ValueError("a guard stopped it")

    with pytest.raises(ValueError, match="a guard stopped it"):
        failing_service()
    db.session.rollback()
    record_many(1)
    assert [e.event_type for e in events()] == ["sign_in"]


def test_a_closed_session_drops_what_it_recorded(app):
    record(E.CHANGE_PASSWORD, subject_type="users", subject_id=1)
    db.session.close()
    record_many(1)
    assert [e.event_type for e in events()] == ["sign_in"]


def test_a_rolled_back_savepoint_drops_only_its_own_events(app):
    record(E.CREATE_ORGANISATION, subject_type="organisations", subject_id=1)
    savepoint = db.session.begin_nested()
    record(E.INVITE_MEMBER, subject_type="invitations", subject_id=1)
    savepoint.rollback()
    savepoint = db.session.begin_nested()
    record(E.UPDATE_ORGANISATION, subject_type="organisations", subject_id=1)
    savepoint.commit()
    commit()
    assert [e.event_type for e in events()] == ["create_organisation", "update_organisation"]
    assert verify_chain()[1] is None


def test_a_savepoint_released_inside_a_transaction_that_rolls_back_writes_nothing(app):
    db.session.execute(sa.text("SELECT 1"))
    savepoint = db.session.begin_nested()
    record(E.UPDATE_ORGANISATION, subject_type="organisations", subject_id=1)
    savepoint.commit()
    db.session.rollback()
    commit()
    assert events() == []


def _people_events():
    """Three events by Ada: the middle one names an email and an IP address in its detail."""
    ada = make_user("ada@example.org")
    record(E.SIGN_IN, subject=ada, actor=ada, detail={"ip": "192.0.2.1"})
    record(
        E.INVITE_MEMBER,
        subject_type="invitations",
        subject_id=1,
        actor=ada,
        detail={"email": "bob@example.org", "role": "member", "ip": "192.0.2.1"},
    )
    record(E.SIGN_OUT, subject=ada, actor=ada)
    commit()
    return ada


def test_anonymising_erases_personal_data_and_keeps_the_rest_and_the_chain(app):
    _people_events()
    before = {e.id: (e.hash, e.personal_hash) for e in events()}
    condition = AuditEvent.event_type == "invite_member"
    assert audit.count_anonymisable(condition) == (1, 0)

    assert anonymise(condition) == 1
    commit()

    first, invited, last = events()
    assert (invited.actor_id, invited.actor_label, invited.personal_salt) == (None, None, None)
    assert invited.detail == {"role": "member"}
    assert invited.anonymised_at is not None
    assert {e.id: (e.hash, e.personal_hash) for e in events()} == before
    assert first.actor_label == last.actor_label == "ada@example.org"  # not theirs to erase
    assert first.detail == {"ip": "192.0.2.1"}
    assert verify_chain() == (3, None, None)
    result = verify(app)
    assert result.exit_code == 0, result.output


def test_anonymising_again_changes_nothing(app):
    _people_events()
    assert anonymise(AuditEvent.id.is_not(None)) == 3
    commit()
    stamps = [e.anonymised_at for e in events()]
    assert audit.count_anonymisable(AuditEvent.id.is_not(None)) == (0, 0)
    assert anonymise(AuditEvent.id.is_not(None)) == 0
    commit()
    assert [e.anonymised_at for e in events()] == stamps
    assert verify_chain() == (3, None, None)


@pytest.mark.parametrize(
    "column, value",
    [
        ("actor_label", "'mallory@example.org'"),
        ("actor_id", ":user"),
        ("personal_salt", "repeat('f', 32)"),
        ("detail", 'CAST(\'{"role": "member", "email": "mallory@example.org"}\' AS json)'),
        ("detail", 'CAST(\'{"role": "owner"}\' AS json)'),
        ("anonymised_at", "NULL"),
        ("personal_hash", "repeat('e', 64)"),
    ],
)
def test_an_anonymised_event_cannot_be_given_other_data(app, column, value):
    """Erasing is the only change anonymising allows: giving an anonymised event a person back,
    changing what is left, or saying it was never anonymised, breaks the chain at it."""
    ada = _people_events()
    anonymise(AuditEvent.event_type == "invite_member")
    commit()
    target = events()[1]
    db.session.execute(
        sa.text(f"UPDATE audit_events SET {column} = {value} WHERE id = :id"),
        {"id": target.id, "user": ada.id},
    )
    db.session.commit()
    checked, broken, reason = verify_chain()
    assert (checked, broken.id, reason) == (1, target.id, "its contents do not match its hash")


def test_an_event_written_before_personal_data_were_hashed_apart_verifies_and_is_kept(app):
    """Events written before migration 0010 are chained whole: they still verify, amid newer
    events, and anonymising leaves them as they are (erasing would break their hash)."""
    record_many(1)
    [first] = events()
    old = {
        "occurred_at": datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc),
        "actor_id": None,
        "actor_label": "ada@example.org",
        "organisation_id": None,
        "event_type": "sign_in",
        "subject_type": "users",
        "subject_id": 1,
        "detail": {"ip": "192.0.2.1"},
    }
    db.session.add(AuditEvent(prev_hash=first.hash, hash=compute_hash(old, first.hash), **old))
    db.session.commit()
    record_many(1)
    assert verify_chain() == (3, None, None)

    everything = AuditEvent.id.is_not(None)
    assert audit.count_anonymisable(everything) == (2, 1)
    assert anonymise(everything) == 2
    commit()
    assert events()[1].actor_label == "ada@example.org"
    assert verify_chain() == (3, None, None)
