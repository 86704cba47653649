"""Exclusion and debarment are not left to memory: declared exclusion grounds block admission until
the operator decides with reasons; the debarment list is loaded whole or not at all, and
applicants and members on it are found by number (debarred at once) or by name (for review)."""

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.events import AuditEventType as E
from app.errors import Conflict, ServiceError
from app.extensions import db
from dps.models import (
    ApplicationStatus,
    DebarmentEntry,
    ExclusionOutcome,
    LotDecision,
    LotMembership,
    MatchKind,
    MatchStatus,
    MembershipStatus,
)
from dps.services import applying, debarment, deciding, exclusions, renewals, standing
from tests.dps.helpers import (
    complete_answers,
    make_admin,
    make_dps,
    make_supplier,
    sign_and_submit,
)
from tests.reading import audit_events, emails

# Monday 7 December 2026, 10:00 in London.
MONDAY = "2026-12-07 10:00:00+00:00"
HEADER = "supplier_name,company_number,charity_number,grounds,from_date,to_date\n"


def csv(*rows):
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, org = make_supplier()  # Riverside Community Care, charity number 1123456
    return admin, dps, lots, user, org


def _submit(world, lot_numbers=(0,), **sections):
    """The supplier's application for ``lot_numbers`` (indexes into ``lots``), its answers
    complete but for ``sections`` replaced, submitted on Monday 7 December 2026."""
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        answers = {**complete_answers(user, org), **sections}
        for section_id, raw in answers.items():
            assert applying.save_section(user, application, section_id, raw) == {}, section_id
        applying.choose_lots(user, application, [lots[i].id for i in lot_numbers])
        return sign_and_submit(user, application)


def _admit(world, application, lot_numbers=(0,)):
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        for i in lot_numbers:
            deciding.decide_lot(admin, application, lots[i].id, "admitted", "Meets the criteria")


def _load(admin, data, filename="debarment-list.csv"):
    with time_machine.travel(MONDAY, tick=False):
        return debarment.load_list(admin, data, filename)


def _statuses(org):
    db.session.expire_all()
    return {
        m.status
        for m in db.session.execute(
            sa.select(LotMembership).where(LotMembership.organisation_id == org.id)
        ).scalars()
    }


FRAUD = {
    "mandatory_exclusions": {
        "convictions": ["fraud"],
        "tax_breach": "yes",
        "mandatory_self_cleaning": "The director convicted in 2023 left; we repaid the money "
        "and an independent audit now checks our accounts every year.",
    }
}


# --- Mandatory and discretionary exclusion grounds ----------------------------------------------


def test_a_mandatory_ground_blocks_admission(world):
    admin, dps, lots, user, org = world
    application = _submit(world, **FRAUD)
    assert exclusions.declared_grounds(application) == {
        "mandatory": ["Fraud", "Tax or social security not paid"],
        "discretionary": [],
    }
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(ServiceError, match="declares a mandatory exclusion ground"),
    ):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets the criteria")
    db.session.rollback()
    assert application.lots[0].decision == LotDecision.PENDING


def test_a_decision_of_self_cleaning_with_reasons_unblocks_admission(world):
    admin, dps, lots, user, org = world
    application = _submit(world, **FRAUD)
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(ServiceError, match="Enter the reasons") as refused:
            exclusions.decide_exclusion(admin, application, "not_excluded_self_cleaning", " ")
        assert refused.value.field == "reasons"
        decision = exclusions.decide_exclusion(
            admin,
            application,
            "not_excluded_self_cleaning",
            "Repaid in full, the director left, and annual independent audits since 2024.",
        )
        with pytest.raises(Conflict, match="already recorded"):
            exclusions.decide_exclusion(admin, application, "excluded", "Changed my mind")
        db.session.rollback()
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets the criteria")
    assert decision.outcome == ExclusionOutcome.SELF_CLEANED
    assert application.lots[0].decision == LotDecision.ADMITTED
    [event] = audit_events(E.DECIDE_EXCLUSION_GROUNDS)
    assert event.actor_id == admin.id
    assert event.detail["outcome"] == "not_excluded_self_cleaning"
    assert event.detail["grounds"]["mandatory"] == ["Fraud", "Tax or social security not paid"]


def test_a_decision_of_excluded_refuses_admission_but_allows_rejection(world):
    admin, dps, lots, user, org = world
    application = _submit(world, lot_numbers=(0, 1), **FRAUD)
    with time_machine.travel(MONDAY, tick=False):
        exclusions.decide_exclusion(admin, application, "excluded", "No evidence of self-cleaning")
        with pytest.raises(ServiceError, match="decided this supplier is excluded"):
            deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        db.session.rollback()
        deciding.decide_lot(admin, application, lots[0].id, "rejected", "Excluded: fraud")
    assert application.lots[0].decision == LotDecision.REJECTED


def test_a_discretionary_ground_flags_for_review_but_does_not_block(world):
    admin, dps, lots, user, org = world
    application = _submit(
        world,
        discretionary_exclusions={
            "discretionary_grounds": ["poor_performance"],
            "discretionary_self_cleaning": "A contract ended early in 2024; we changed our "
            "rota system and have had no complaints since.",
        },
    )
    grounds = exclusions.declared_grounds(application)
    assert grounds["mandatory"] == []
    assert grounds["discretionary"] == [
        "A contract ended early, or damages paid, because of poor performance"
    ]
    assert exclusions.admission_problem(application) is None
    _admit(world, application)
    assert application.lots[0].decision == LotDecision.ADMITTED


def test_no_decision_is_asked_of_an_application_without_grounds(world):
    admin, dps, lots, user, org = world
    application = _submit(world)
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(ServiceError, match="declares no exclusion grounds"),
    ):
        exclusions.decide_exclusion(admin, application, "excluded", "Because")


# --- Normalising numbers and names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1234567", "01234567"),
        ("01234567", "01234567"),
        ("sc 12345", "SC012345"),
        ("NI000123", "NI000123"),
        ("123456789", None),
        ("ABC12345", None),
    ],
)
def test_company_numbers_are_normalised_as_companies_house_writes_them(typed, stored):
    assert debarment.company_key(typed) == stored


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("The Riverside Trust Ltd.", "riverside trust"),
        ("RIVERSIDE TRUST LIMITED", "riverside trust"),
        ("Northern Lights Community Interest Company", "northern lights"),
        ("Northern Lights C.I.C.", "northern lights c i c"),
        ("St John’s Café & Co", "st johns cafe"),
        ("Greenfield Charity", "greenfield"),
    ],
)
def test_names_are_normalised_for_matching(name, key):
    assert debarment.name_key(name) == key


# --- Loading the list ---------------------------------------------------------------------------


def test_a_list_with_bad_rows_loads_nothing_and_names_each_line(world):
    admin, *_ = world
    _load(admin, csv("Old Entry Ltd,01234567,,Fraud,2026-01-01,"))
    bad = csv(
        "Good Row CIC,11223344,,Corruption,2026-02-01,2029-01-31",
        ",,,Fraud,2026-02-01,",
        "Bad Number Ltd,123456789,,Fraud,2026-02-01,",
        "Bad Dates Ltd,,,Fraud,31/02/2026,",
        "Backwards Ltd,,,Fraud,2026-05-01,2026-04-01",
        "Short row,,",
    )
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(debarment.DebarmentListError, match="Line 3") as refused,
    ):
        debarment.load_list(admin, bad, "new-list.csv")
    db.session.rollback()
    assert [line for line, _ in refused.value.problems] == [3, 4, 5, 6, 7]
    messages = refused.value.messages()
    assert messages[0] == "Line 3: enter the supplier's name"
    assert "Line 4: company number ‘123456789’ is not a Companies House number" in messages[1]
    assert messages[2].startswith("Line 5: from date ‘31/02/2026’ must be a real date")
    assert messages[3] == "Line 6: the to date must be the same as or after the from date"
    assert messages[4] == "Line 7: it has 3 values but the header names 6 columns"
    # The old list stands, whole.
    names = db.session.execute(sa.select(DebarmentEntry.supplier_name)).scalars().all()
    assert names == ["Old Entry Ltd"]
    assert len(audit_events(E.LOAD_DEBARMENT_LIST)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (HEADER.encode(), "The file has no rows below its header line"),
        (b"name,number\nX,1\n", "Line 1: the header line must name the columns"),
        ("Café Ltd,,,Fraud,2026-01-01,\n".encode("latin-1"), "saved as UTF-8"),
    ],
)
def test_files_that_are_not_a_list_are_refused(world, data, message):
    admin, *_ = world
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(debarment.DebarmentListError, match=message),
    ):
        debarment.load_list(admin, data, "list.csv")


def test_loading_replaces_the_list_and_is_audited(world):
    admin, *_ = world
    _load(admin, csv("First Ltd,1234567,,Fraud,2026-01-01,"), "january.csv")
    result = _load(
        admin,
        csv(
            "Second Ltd,SC 12345,,Bribery,01/03/2026,",
            "Third Charity,,SC 012345,Fraud,2026-03-01,2027-02-28",
        ),
        "march.csv",
    )
    assert (result.rows, result.replaced) == (2, 1)
    entries = db.session.execute(sa.select(DebarmentEntry).order_by(DebarmentEntry.id)).scalars()
    assert [
        (e.supplier_name, e.company_number, e.charity_number, e.source_filename) for e in entries
    ] == [
        ("Second Ltd", "SC012345", None, "march.csv"),
        ("Third Charity", None, "SC012345", "march.csv"),
    ]
    event = audit_events(E.LOAD_DEBARMENT_LIST)[-1]
    assert event.actor_id == admin.id
    assert (event.detail["rows"], event.detail["replaced"], event.detail["filename"]) == (
        2,
        1,
        "march.csv",
    )


def test_only_the_operator_loads_the_list(world):
    admin, dps, lots, user, org = world
    with pytest.raises(ServiceError, match="Only the DPS operator"):
        debarment.load_list(user, csv("X Ltd,,,Fraud,2026-01-01,"), "list.csv")


def test_the_command_loads_a_file_and_reports_bad_lines(app, world, tmp_path):
    good = tmp_path / "debarment.csv"
    good.write_bytes(csv("Command Ltd,01234567,,Fraud,2026-01-01,"))
    with time_machine.travel(MONDAY, tick=False):
        result = app.test_cli_runner().invoke(args=["debarment", "load", str(good)])
    assert result.exit_code == 0, result.output
    assert "Loaded 1 row from debarment.csv (replacing 0 rows)." in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("Bad Ltd,,,,2026-01-01,"))
    result = app.test_cli_runner().invoke(args=["debarment", "load", str(bad)])
    assert result.exit_code == 1
    assert "Line 2: enter the grounds for debarment" in result.output
    assert "Nothing was loaded" in result.output
    assert db.session.execute(sa.select(DebarmentEntry.supplier_name)).scalars().all() == [
        "Command Ltd"
    ]


# --- Matching -----------------------------------------------------------------------------------


def test_a_number_on_the_list_debars_an_applicant_at_once(world):
    """The charity number matches (definite): the application's lots are rejected with the
    grounds, the supplier is emailed, and it cannot be admitted even if the exclusion is lifted
    while the entry is in force."""
    admin, dps, lots, user, org = world
    _load(admin, csv("Riverside Care (old name),,1123456,Fraud conviction,2026-06-01,"))
    application = _submit(world)
    [match] = debarment.matches_for(org.id)
    assert (match.kind, match.basis, match.status) == (
        MatchKind.DEFINITE,
        "charity_number",
        MatchStatus.CONFIRMED,
    )
    assert application.status == ApplicationStatus.DECIDED
    assert application.lots[0].decision == LotDecision.REJECTED
    assert "debarment list" in application.lots[0].reason
    assert standing.active_exclusion(org.id).kind == "debarred"
    [email] = emails("supplier_excluded", user.email)
    assert email.personalisation["kind"] == "debarred"
    assert "Fraud conviction" in email.personalisation["reason"]

    # Lifted by mistake: the service still refuses to admit while the entry is in force.
    standing.lift_exclusion(admin, org, "Lifted in error")
    again = _submit(world)
    assert again.status == ApplicationStatus.SUBMITTED  # the entry is recorded: not twice
    with (
        time_machine.travel(MONDAY, tick=False),
        pytest.raises(ServiceError, match="charity number is on the debarment list"),
    ):
        deciding.decide_lot(admin, again, lots[0].id, "admitted", "Good")


def test_a_name_match_waits_for_review_and_blocks_admission_until_dismissed(world):
    admin, dps, lots, user, org = world
    _load(admin, csv("RIVERSIDE COMMUNITY CARE LTD.,09999999,,Bribery,2026-01-01,"))
    application = _submit(world)
    [match] = debarment.matches_for(org.id)
    assert (match.kind, match.status) == (MatchKind.POSSIBLE, MatchStatus.PENDING)
    assert application.status == ApplicationStatus.SUBMITTED  # not removed: only flagged
    assert emails("supplier_excluded") == []
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(ServiceError, match="Confirm or dismiss the match"):
            deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        db.session.rollback()
        with pytest.raises(ServiceError, match="Enter the reasons"):
            debarment.dismiss_match(admin, match, "")
        db.session.rollback()
        debarment.dismiss_match(admin, match, "Different company number and address in Hull")
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
    assert application.lots[0].decision == LotDecision.ADMITTED
    [event] = audit_events(E.DISMISS_DEBARMENT_MATCH)
    assert event.detail["reason"] == "Different company number and address in Hull"
    # Loading the same list again does not flag it again.
    result = _load(admin, csv("RIVERSIDE COMMUNITY CARE LTD.,09999999,,Bribery,2026-01-01,"))
    assert result.possible == [] and len(debarment.matches_for(org.id)) == 1


def test_a_new_list_flags_an_existing_member_and_removes_it_with_notice(world):
    admin, dps, lots, user, org = world
    application = _submit(world, lot_numbers=(0, 2))
    _admit(world, application, (0, 2))
    assert _statuses(org) == {MembershipStatus.ADMITTED}
    result = _load(admin, csv("Riverside Community Care,,1123456,Fraud,2026-11-01,2029-10-31"))
    assert [m.organisation_id for m in result.definite] == [org.id]
    assert _statuses(org) == {MembershipStatus.REMOVED}
    [email] = emails("supplier_excluded", user.email)
    assert "until 31 October 2029" in email.personalisation["reason"]
    [flag] = audit_events(E.FLAG_DEBARMENT_MATCH)
    assert flag.detail["found_when"] == "list_loaded"
    [removal] = audit_events(E.EXCLUDE_SUPPLIER)
    assert removal.detail["kind"] == "debarred"
    assert sorted(removal.detail["lots_removed"]) == sorted([lots[0].id, lots[2].id])


def test_confirming_a_possible_match_removes_the_member_with_email_and_audit(world):
    admin, dps, lots, user, org = world
    application = _submit(world)
    _admit(world, application)
    result = _load(admin, csv("The Riverside Community Care,,,Corruption,2026-01-01,"))
    [match] = result.possible
    assert _statuses(org) == {MembershipStatus.ADMITTED}  # waiting for the operator
    with time_machine.travel(MONDAY, tick=False):
        debarment.confirm_match(admin, match, "Same trustees and address as on the list")
        with pytest.raises(Conflict, match="already been reviewed"):
            debarment.dismiss_match(admin, match, "Oops")
    assert _statuses(org) == {MembershipStatus.REMOVED}
    [email] = emails("supplier_excluded", user.email)
    assert email.personalisation["kind"] == "debarred"
    [confirmed] = audit_events(E.CONFIRM_DEBARMENT_MATCH)
    assert confirmed.actor_id == admin.id
    [removal] = audit_events(E.EXCLUDE_SUPPLIER)
    assert removal.actor_id == admin.id and removal.detail["debarment_match_id"] == match.id


def test_an_entry_not_yet_in_force_is_found_at_renewal(world):
    admin, dps, lots, user, org = world
    application = _submit(world)
    _admit(world, application)
    result = _load(admin, csv("Riverside Community Care,,1123456,Fraud,2027-01-04,"))
    assert result.definite == [] and result.possible == []
    with time_machine.travel("2026-12-31 10:00:00+00:00", tick=False):
        renewal = renewals.request_renewal(admin, org, dps)
    with time_machine.travel("2027-01-05 10:00:00+00:00", tick=False):
        renewals.complete_renewal(user, renewal, confirmed=True)
    [match] = debarment.matches_for(org.id)
    assert (match.found_when, match.kind) == ("renewal", MatchKind.DEFINITE)
    assert _statuses(org) == {MembershipStatus.REMOVED}


def test_an_ended_entry_matches_nobody(world):
    admin, dps, lots, user, org = world
    _load(admin, csv("Riverside Community Care,,1123456,Fraud,2020-01-01,2025-12-31"))
    application = _submit(world)
    assert debarment.matches_for(org.id) == []
    assert debarment.admission_problem(org) is None
    _admit(world, application)
