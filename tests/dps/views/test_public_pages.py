"""The public pages of a DPS, as someone thinking of applying reads them (no sign-in)."""

import time_machine

from dps.services import applying, deciding
from dps.services.setup import definition_for
from tests.dps.helpers import complete_answers, make_supplier, sign_and_submit
from tests.pages import heading, soup, summary_rows, table_rows, text


def _apply_and_decide(user, org, dps, lot, admin, sent, decided, answers=None):
    with time_machine.travel(sent, tick=False):
        application = applying.start_application(user, org, dps)
        for section_id, raw in (answers or {}).items():
            assert applying.save_section(user, application, section_id, raw) == {}
        applying.choose_lots(user, application, [lot.id])
        sign_and_submit(user, application)
    with time_machine.travel(decided, tick=False):
        deciding.decide_lot(admin, application, lot.id, "admitted", "Meets every criterion")
    return application


def test_the_dps_page_shows_lots_admitted_counts_and_the_median_time_to_decide(client, world):
    admin, dps, lots, user, org = world
    answers = complete_answers(user, org)
    # Decided in March: more than 90 days before the page is read, so not counted.
    _apply_and_decide(
        user,
        org,
        dps,
        lots[1],
        admin,
        "2026-03-02 10:00:00+00:00",
        "2026-03-16 10:00:00+00:00",
        answers,
    )
    # Monday 5 October to Friday 9 October: 4 working days.
    _apply_and_decide(
        user, org, dps, lots[0], admin, "2026-10-05 10:00:00+00:00", "2026-10-09 10:00:00+00:00"
    )
    # Monday 12 October to Tuesday 20 October: 6 working days.
    _apply_and_decide(
        user, org, dps, lots[2], admin, "2026-10-12 10:00:00+00:00", "2026-10-20 10:00:00+00:00"
    )
    other_user, other_org = make_supplier("owner@other.example", "Other Community Interest Co")
    _apply_and_decide(
        other_user,
        other_org,
        dps,
        lots[0],
        admin,
        "2026-10-19 10:00:00+00:00",
        "2026-10-26 10:00:00+00:00",
        complete_answers(other_user, other_org),
    )

    with time_machine.travel("2026-11-02 10:00:00+00:00", tick=False):
        page = client.get("/dps/community-services")
    assert page.status_code == 200
    assert heading(page) == "Community Services DPS"
    facts = summary_rows(page, "dps-facts")
    assert facts["Time to decide"] == "We decide applications within 10 working days"
    # 4, 6 and 5 (Monday 19 to Monday 26 October) working days: the median is 5.
    assert facts["Recent decisions"] == (
        "Over the last 90 days, the median time to a decision was 5 working days"
    )
    assert facts["Fees"].startswith("None")
    assert facts["Open for applications"] == (
        f"From 1 January 2026 to 31 December {dps.ends_on.year}"
    )
    assert "Procurement Act 2023" in text(soup(page).find(id="main-content"))
    assert table_rows(page, "lots") == [
        ["1", "Befriending", "Up to £50,000", "Open to all suppliers", "No limit", "2"],
        [
            "2",
            "Community meals (VCSE only)",
            "Up to £100,000",
            "Reserved for VCSE organisations",
            "No limit",
            "1",
        ],
        [
            "3",
            "Homecare: north patch",
            "Up to £200,000",
            "Open to all suppliers",
            "A provider can hold at most 1 lot in the ‘Homecare patches’ group",
            "1",
        ],
        [
            "4",
            "Homecare: south patch",
            "Up to £200,000",
            "Open to all suppliers",
            "A provider can hold at most 1 lot in the ‘Homecare patches’ group",
            "0",
        ],
    ]
    steps = [text(li) for li in soup(page).select("#how-to-apply li")]
    assert len(steps) == 6
    assert steps[-1].endswith("within 10 working days.")
    start = soup(page).find(id="start")
    assert start["href"] == "/dps/community-services/apply"


def test_with_no_recent_decisions_the_page_says_so(client, world):
    admin, dps, lots, user, org = world
    page = client.get("/dps/community-services")
    assert summary_rows(page, "dps-facts")["Recent decisions"] == (
        "No applications decided in the last 90 days"
    )
    assert [row[-1] for row in table_rows(page, "lots")] == ["0", "0", "0", "0"]


def test_a_winner_fee_is_published(client, app):
    from tests.dps.helpers import make_admin, make_dps

    make_dps(make_admin(), slug="fee-dps", winner_fee_percent="1.5")
    page = client.get("/dps/fee-dps")
    assert summary_rows(page, "dps-facts")["Fees"] == (
        "Joining is free. If you win a contract, you pay a fee of 1.5% of its value."
    )


def test_the_questionnaire_can_be_read_before_registering(client, world):
    admin, dps, lots, user, org = world
    page = client.get("/dps/community-services/questionnaire")
    assert page.status_code == 200
    definition = definition_for(dps.questionnaire)
    questions = soup(page).select(".app-question")
    assert len(questions) == len(definition.by_id) == 51
    assert [q["id"] for q in questions] == [f"question-{qid}" for qid in definition.by_id]
    assert [text(h) for h in soup(page).select(".app-questionnaire-section > h2")] == [
        f"{n}. {section.title}" for n, section in enumerate(definition.sections, 1)
    ]

    parent = soup(page).find(id="question-parent_name")
    assert text(parent.select_one(".app-question__condition")) == (
        "Only asked if you answered ‘Yes’ to ‘Is your organisation part of a group, or does it "
        "have a parent organisation?’."
    )
    self_cleaning = soup(page).find(id="question-mandatory_self_cleaning")
    assert "Up to 500 words." in text(self_cleaning)
    assert "or you selected anything other than ‘None of these’ for ‘Has anyone been" in text(
        self_cleaning
    )
    convictions = soup(page).find(id="question-convictions")
    assert [text(li) for li in convictions.select(".app-question__options li")][-1] == (
        "None of these (cannot be chosen with another answer)"
    )
    assert "This question is optional." in text(soup(page).find(id="question-ico_number"))
    assert "At least £5,000,000." in text(soup(page).find(id="question-employers_liability_amount"))
    unconditional = [q for q in questions if not q.select_one(".app-question__condition")]
    assert len(unconditional) == len([q for q in definition.by_id.values() if not q.show_if])


def test_the_list_of_dps_links_to_each_and_is_linked_from_home(client, world):
    page = client.get("/dps")
    assert page.status_code == 200
    link = soup(page).select_one("#dps-list a")
    assert (text(link), link["href"]) == ("Community Services DPS", "/dps/community-services")
    home = client.get("/")
    assert soup(home).find(id="find-a-dps")["href"] == "/dps"
    navigation = {text(a): a["href"] for a in soup(home).select(".govuk-service-navigation__link")}
    assert navigation["Find a DPS"] == "/dps"


def test_an_unknown_dps_is_not_found(client, app):
    assert client.get("/dps/nothing-here").status_code == 404
    assert client.get("/dps/nothing-here/questionnaire").status_code == 404
