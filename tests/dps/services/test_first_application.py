"""The rules that make a first application short (issue 20): which DPSs a new organisation is
offered, where "Save and continue" goes next, and how the declaration is first filled in."""

from datetime import timedelta

import pytest

from app.errors import ServiceError
from dps.services import applying, setup, standing
from dps.services.clock import today
from tests.dps.helpers import complete_answers, make_admin, make_dps, make_supplier
from tests.factories import make_organisation, make_user

SECTION_IDS = [
    "about",
    "mandatory_exclusions",
    "discretionary_exclusions",
    "finance",
    "insurance",
    "policies",
    "living_wage",
    "vcse_status",
    "reserved_lots",
]


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, org = make_supplier()
    return admin, dps, lots, user, org


def _another_dps(admin, slug, starts_on, ends_on):
    return setup.create_dps(
        admin,
        name=slug.replace("-", " ").title(),
        slug=slug,
        summary="Another DPS",
        description="Another DPS",
        who_may_join="Anyone",
        regime="procurement_act_2023",
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _steps(application, after):
    step = applying.next_step(application, after)
    return (step.kind, step.section_id)


# --- What a new organisation is offered ------------------------------------------------------


def test_a_supplier_is_offered_every_dps_open_today_earliest_closing_first(world):
    admin, dps, lots, user, org = world
    on = today()
    soon = _another_dps(admin, "closes-soon", on - timedelta(days=30), on + timedelta(days=10))
    _another_dps(admin, "not-yet-open", on + timedelta(days=1), on + timedelta(days=400))
    _another_dps(admin, "closed", on - timedelta(days=400), on - timedelta(days=1))
    _another_dps(admin, "closes-today", on - timedelta(days=30), on)

    offers = applying.dps_to_join(org)

    assert [offer.dps.slug for offer in offers] == ["closes-today", "closes-soon", dps.slug]
    assert all(offer.draft is None for offer in offers)
    assert soon in [offer.dps for offer in offers]


def test_an_offer_carries_the_organisations_draft(world):
    admin, dps, lots, user, org = world
    draft = applying.start_application(user, org, dps)
    other_user, other_org = make_supplier("owner@hillside.example", "Hillside Care")

    [mine] = applying.dps_to_join(org)
    [theirs] = applying.dps_to_join(other_org)

    assert mine.draft == draft
    assert theirs.draft is None


def test_a_buyer_or_an_excluded_supplier_is_offered_nothing(world):
    admin, dps, lots, user, org = world
    buyer = make_organisation("buyer", owner=user)
    assert applying.dps_to_join(buyer) == []

    standing.exclude_organisation(admin, org, "excluded", "Convicted of fraud in 2025")

    assert applying.dps_to_join(org) == []
    # What it is not offered, it cannot start either.
    with pytest.raises(ServiceError, match="excluded"):
        applying.start_application(user, org, dps)


# --- Where "Save and continue" goes ----------------------------------------------------------


def test_save_and_continue_goes_through_the_sections_in_order_then_lots_then_check(world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    answers = complete_answers(user, org)

    assert _steps(application, None) == ("section", "about")
    for here, following in zip(SECTION_IDS, SECTION_IDS[1:]):
        assert applying.save_section(user, application, here, answers[here]) == {}
        assert _steps(application, here) == ("section", following)
    assert applying.save_section(user, application, "reserved_lots", answers["reserved_lots"]) == {}
    assert _steps(application, "reserved_lots") == ("lots", None)

    applying.choose_lots(user, application, [lots[0].id])
    assert _steps(application, "lots") == ("check", None)
    assert _steps(application, "finance") == ("check", None)


def test_save_and_continue_skips_finished_sections_and_comes_round_to_earlier_ones(world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    answers = complete_answers(user, org)
    for section_id in ("about", "finance", "insurance", "living_wage"):
        assert applying.save_section(user, application, section_id, answers[section_id]) == {}

    # After "about", the next unfinished one; "finance" and "insurance" are done, so skipped.
    assert _steps(application, "about") == ("section", "mandatory_exclusions")
    assert _steps(application, "discretionary_exclusions") == ("section", "policies")
    # From the last section, round to the first unfinished one.
    assert _steps(application, "reserved_lots") == ("section", "mandatory_exclusions")


def test_a_section_saved_with_problems_is_still_to_do(world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    answers = complete_answers(user, org)
    for section_id in SECTION_IDS:
        applying.save_section(user, application, section_id, answers[section_id])
    half = {**answers["about"], "contact_phone": ""}
    assert applying.save_section(user, application, "about", half) != {}
    applying.choose_lots(user, application, [lots[0].id])

    assert _steps(application, "reserved_lots") == ("section", "about")
    assert _steps(application, "lots") == ("section", "about")


def test_choosing_lots_before_the_questions_goes_to_the_first_unfinished_section(world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    applying.choose_lots(user, application, [lots[0].id])
    assert _steps(application, "lots") == ("section", "about")


# --- The declaration -------------------------------------------------------------------------


def test_the_declaration_is_first_filled_in_with_the_signed_in_persons_name(world):
    admin, dps, lots, user, org = world
    colleague = make_user("chair@riverside.example", name="Chidi Chair")
    assert applying.declaration_defaults(user) == {"declaration_name": "Rita Owner"}
    assert applying.declaration_defaults(colleague) == {"declaration_name": "Chidi Chair"}
