"""Every kind of question on the section pages, given what people really type: nothing, too
much, the wrong kind of thing, a value no browser would send, someone else's document, a file
that is not what it says, and HTML. Each gives its message in the error summary, linked to the
question, with what was typed shown again."""

import pytest

from app.extensions import db
from dps.models import Application, Regime
from dps.services import applying, conditions, setup
from tests.dps.helpers import make_supplier, upload
from tests.dps.views.pages import error_summary, field_error, post_section, section_url
from tests.pages import checked, input_value, soup, summary_rows, text

LONG_TEXT = "x" * 20_001


@pytest.fixture
def draft(client, forms, auth, world):
    """A signed-in supplier with a new application; returns it."""
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    response = forms.post("/dps/community-services/apply", form_url="/dps/community-services")
    assert response.status_code == 302
    return db.session.get(Application, int(response.headers["Location"].rsplit("/", 1)[1]))


def assert_links_work(response):
    """Every link in the error summary goes to something on the page."""
    page = soup(response)
    for _message, href in error_summary(response):
        assert href.startswith("#") and page.find(id=href[1:]) is not None, href


def refused(response, problems):
    assert response.status_code == 200
    assert soup(response).title.get_text().startswith("Error: ")
    assert error_summary(response) == problems
    assert_links_work(response)


CASES = [
    pytest.param(
        "about",
        {},
        [
            ("Enter contact name", "#contact_name"),
            ("Enter contact role", "#contact_role"),
            ("Enter contact phone number", "#contact_phone"),
            ("Select an answer for time operating", "#years_operating"),
            ("Select an answer for part of a group", "#part_of_group"),
        ],
        {},
        id="required-questions-left-empty",
    ),
    pytest.param(
        "about",
        {
            "contact_name": " ".join(["word"] * 21),
            "contact_role": "Chair",
            "contact_phone": "0113 496 0000",
            "years_operating": "1_to_3",
            "part_of_group": "no",
        },
        [("Contact name must be 20 words or fewer", "#contact_name")],
        {
            "contact_name": " ".join(["word"] * 21),
            "contact_role": "Chair",
            "years_operating": ["1_to_3"],
            "part_of_group": ["no"],
        },
        id="text-over-its-word-limit",
    ),
    pytest.param(
        "mandatory_exclusions",
        {"convictions": ["fraud"], "tax_breach": "no", "mandatory_self_cleaning": "We did. " * 251},
        [
            (
                "Putting it right (mandatory grounds) must be 500 words or fewer",
                "#mandatory_self_cleaning",
            )
        ],
        {"mandatory_self_cleaning": "We did. " * 251, "convictions": ["fraud"]},
        id="long-answer-over-500-words",
    ),
    pytest.param(
        "mandatory_exclusions",
        {"convictions": ["none"], "tax_breach": "yes", "mandatory_self_cleaning": LONG_TEXT},
        [
            (
                "Putting it right (mandatory grounds) must be 20,000 characters or fewer",
                "#mandatory_self_cleaning",
            )
        ],
        {"mandatory_self_cleaning": LONG_TEXT, "tax_breach": ["yes"]},
        id="more-than-20000-characters",
    ),
    pytest.param(
        "about",
        {
            "contact_name": LONG_TEXT,
            "contact_role": "Chair",
            "contact_phone": "0113",
            "years_operating": "over_3",
            "part_of_group": "no",
        },
        [("Contact name must be 20,000 characters or fewer", "#contact_name")],
        {"contact_name": LONG_TEXT},
        id="one-line-answer-of-20001-characters",
    ),
    pytest.param(
        "finance",
        {
            "annual_turnover": "about 250k",
            "has_accounts": "no",
            "accounts_alternative": "bank_reference",
        },
        [
            (
                "Annual income must be an amount of money, like 25000 or 25000.50",
                "#annual_turnover",
            ),
            ("Upload or choose a document for alternative evidence", "#alternative_document-file"),
        ],
        {
            "annual_turnover": "about 250k",
            "has_accounts": ["no"],
            "accounts_alternative": ["bank_reference"],
        },
        id="letters-in-money",
    ),
    pytest.param(
        "finance",
        {"annual_turnover": "-5", "has_accounts": "maybe"},
        [
            ("Annual income must be £0 or more", "#annual_turnover"),
            ("Select yes or no for audited or examined accounts", "#has_accounts"),
        ],
        {"annual_turnover": "-5", "has_accounts": []},
        id="negative-money-and-maybe",
    ),
    pytest.param(
        "insurance",
        {
            "employers_liability": "held",
            "employers_liability_amount": "4,000,000",
            "employers_liability_expiry": ("31", "2", "2027"),
            "public_liability": "will_obtain",
            "professional_indemnity": "insure_me",
        },
        [
            (
                "Employer's liability cover must be £5,000,000 or more",
                "#employers_liability_amount",
            ),
            ("Employer's liability expiry must be a real date", "#employers_liability_expiry-day"),
            (
                "Upload or choose a document for employer's liability certificate",
                "#employers_liability_certificate-file",
            ),
            ("Select one option for professional indemnity", "#professional_indemnity"),
        ],
        {
            "employers_liability_amount": "4,000,000",
            "employers_liability_expiry-day": "31",
            "employers_liability_expiry-month": "2",
            "employers_liability_expiry-year": "2027",
            "employers_liability": ["held"],
            "public_liability": ["will_obtain"],
        },
        id="money-under-its-minimum-a-date-that-does-not-exist-and-a-made-up-option",
    ),
    pytest.param(
        "insurance",
        {
            "employers_liability": "held",
            "employers_liability_amount": "5000000",
            "employers_liability_expiry": ("31", "", "27"),
            "public_liability": "will_obtain",
            "professional_indemnity": "not_applicable",
        },
        [
            ("Employer's liability expiry must include a month", "#employers_liability_expiry-day"),
            (
                "Upload or choose a document for employer's liability certificate",
                "#employers_liability_certificate-file",
            ),
        ],
        {
            "employers_liability_expiry-day": "31",
            "employers_liability_expiry-month": "",
            "employers_liability_expiry-year": "27",
        },
        id="date-without-a-month",
    ),
    pytest.param(
        "about",
        {
            "contact_name": "Rita",
            "contact_role": "Chair",
            "contact_phone": "0113",
            "years_operating": "forever",
            "part_of_group": "maybe",
        },
        [
            ("Select one option for time operating", "#years_operating"),
            ("Select yes or no for part of a group", "#part_of_group"),
        ],
        {"contact_name": "Rita", "contact_phone": "0113"},
        id="yes-no-maybe-and-an-option-that-does-not-exist",
    ),
    pytest.param(
        "mandatory_exclusions",
        {"convictions": ["fraud", "arson"], "tax_breach": "no"},
        [("Select from the options for convictions", "#convictions")],
        {"tax_breach": ["no"]},
        id="checkbox-that-does-not-exist",
    ),
    pytest.param(
        "mandatory_exclusions",
        {"convictions": ["none", "fraud"], "tax_breach": "no"},
        [("Select ‘None of these’ on its own, or only the options that apply", "#convictions")],
        {"convictions": ["fraud", "none"], "tax_breach": ["no"]},
        id="none-of-these-with-another",
    ),
]


@pytest.mark.parametrize("section_id, answers, problems, shown_again", CASES)
def test_bad_answers_are_refused_and_nothing_typed_is_lost(
    client, forms, draft, section_id, answers, problems, shown_again
):
    response = post_section(forms, draft, section_id, answers)
    refused(response, problems)
    for message, href in problems:
        question_id = href[1:].removesuffix("-day").removesuffix("-file")
        assert field_error(response, question_id) == message
    for name, value in shown_again.items():
        if isinstance(value, list):
            assert sorted(checked(response, name)) == sorted(value), name
        else:
            assert input_value(response, name) == value, name


def test_save_and_come_back_later_keeps_the_good_answers_despite_bad_ones(client, forms, draft):
    response = post_section(
        forms,
        draft,
        "about",
        {
            "contact_name": "Rita Owner",
            "contact_role": " ".join(["chair"] * 30),
            "years_operating": "over_3",
        },
        action="later",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).answers == {
        "contact_name": "Rita Owner",
        "years_operating": "over_3",
    }


def test_another_organisations_document_cannot_be_chosen(client, forms, draft, world):
    admin, dps, lots, user, org = world
    own = upload(user, org, "accounts", "our-accounts.pdf")
    other_user, other_org = make_supplier("other@example.org", "Other CIC")
    theirs = upload(other_user, other_org, "accounts", "their-accounts.pdf")
    response = post_section(
        forms,
        draft,
        "finance",
        {"annual_turnover": "1000", "has_accounts": "yes", "accounts_document": str(theirs.id)},
    )
    refused(response, [("Choose one of your organisation's documents", "#accounts_document")])
    assert input_value(response, "annual_turnover") == "1000"
    options = [
        box["value"]
        for box in soup(response).find_all("input", attrs={"name": "accounts_document"})
    ]
    assert options == [str(own.id), "upload"]
    assert "their-accounts.pdf" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert "accounts_document" not in db.session.get(Application, draft.id).answers


def test_a_file_that_is_not_what_it_says_is_refused_against_its_question(client, forms, draft):
    response = post_section(
        forms,
        draft,
        "finance",
        {"annual_turnover": "12,500", "has_accounts": "yes"},
        files={"accounts_document": (b"MZ\x90\x00" + bytes(300), "accounts.pdf")},
    )
    refused(
        response,
        [
            (
                "The selected file accounts.pdf must be a PDF, Word, Excel, OpenDocument, "
                "CSV, PNG or JPEG file. Its name ends .pdf but its contents are none of these",
                "#accounts_document-file",
            )
        ],
    )
    assert input_value(response, "annual_turnover") == "12,500"
    assert checked(response, "has_accounts") == ["yes"]


def test_a_refused_upload_keeps_the_document_already_chosen(client, forms, draft, world):
    admin, dps, lots, user, org = world
    own = upload(user, org, "accounts", "our-accounts.pdf")
    assert (
        post_section(
            forms,
            draft,
            "finance",
            {"annual_turnover": "1000", "has_accounts": "yes", "accounts_document": str(own.id)},
        ).status_code
        == 302
    )
    response = post_section(
        forms,
        draft,
        "finance",
        {"annual_turnover": "1000", "has_accounts": "yes", "accounts_document": "upload"},
        files={"accounts_document": (b"", "empty.pdf")},
    )
    refused(response, [("The selected file empty.pdf is empty", "#accounts_document-file")])
    assert checked(response, "accounts_document") == ["upload"]
    db.session.expire_all()
    assert db.session.get(Application, draft.id).answers["accounts_document"] == own.id


def test_choosing_upload_without_a_file(client, forms, draft, world):
    admin, dps, lots, user, org = world
    upload(user, org, "accounts", "our-accounts.pdf")
    response = post_section(
        forms,
        draft,
        "finance",
        {"annual_turnover": "1000", "has_accounts": "yes", "accounts_document": "upload"},
    )
    refused(response, [("Upload or choose a document for latest accounts", "#accounts_document")])


def test_letters_in_a_number(client, forms, auth, world):
    admin, dps, lots, user, org = world
    base = dps.questionnaire
    definition = dict(base.definition)
    sections = [dict(s) for s in definition["sections"]]
    sections[0] = dict(
        sections[0],
        questions=sections[0]["questions"]
        + [
            {
                "id": "paid_staff",
                "type": "number",
                "label": "How many paid staff do you have?",
                "short_label": "Paid staff",
                "min": 0,
            }
        ],
    )
    definition["sections"] = sections
    # Under PCR 2015 the questionnaire of an established DPS may change (members are told).
    dps.regime = Regime.PCR_2015
    conditions.use_questionnaire(
        admin, dps, setup.publish_questionnaire_version(admin, base, definition)
    )
    application = applying.start_application(user, org, dps)
    auth.sign_in(user.email)
    page = client.get(section_url(application, "about"))
    box = soup(page).find("input", attrs={"name": "paid_staff"})
    assert box["inputmode"] == "numeric"
    answers = {
        "contact_name": "Rita",
        "contact_role": "Chair",
        "contact_phone": "0113",
        "years_operating": "over_3",
        "part_of_group": "no",
    }
    response = post_section(forms, application, "about", {**answers, "paid_staff": "twelve"})
    refused(response, [("Paid staff must be a whole number, like 12", "#paid_staff")])
    assert input_value(response, "paid_staff") == "twelve"
    response = post_section(forms, application, "about", {**answers, "paid_staff": "-3"})
    refused(response, [("Paid staff must be 0 or more", "#paid_staff")])
    response = post_section(forms, application, "about", {**answers, "paid_staff": "1,250"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).answers["paid_staff"] == 1250


def test_html_in_an_answer_is_shown_as_text(client, forms, draft):
    script = "<script>alert(1)</script>"
    response = post_section(
        forms,
        draft,
        "about",
        {
            "contact_name": script,
            "contact_role": '"><img src=x onerror=alert(2)>',
            "contact_phone": "0113",
            "years_operating": "over_3",
            "part_of_group": "no",
        },
    )
    assert response.status_code == 302
    page = client.get(section_url(draft, "about"))
    assert input_value(page, "contact_name") == script
    assert soup(page).find("img", src="x") is None

    check = client.get(f"/applications/{draft.id}/check")
    answers = soup(check).find(id="answers-about")
    assert summary_rows(check, "answers-about")["Contact name"] == script
    assert summary_rows(check, "answers-about")["Contact role"] == '"><img src=x onerror=alert(2)>'
    assert answers.find("script") is None
    assert answers.find("img") is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(answers)


def test_a_question_hidden_by_an_answer_is_not_required_and_not_checked(client, forms, draft):
    about = {
        "contact_name": "Rita",
        "contact_role": "Chair",
        "contact_phone": "0113",
        "years_operating": "over_3",
    }
    parent_name = " ".join(["name"] * 40)
    response = post_section(
        forms, draft, "about", {**about, "part_of_group": "no", "parent_name": parent_name}
    )
    assert response.status_code == 302
    response = post_section(forms, draft, "about", {**about, "part_of_group": "yes"})
    refused(response, [("Enter parent organisation", "#parent_name")])


def test_the_page_is_drawn_from_the_definition(client, draft):
    about = client.get(section_url(draft, "about"))
    # A conditional question sits inside the radio option that reveals it.
    assert soup(about).select_one("#conditional-part_of_group #parent_name") is not None
    assert (
        soup(about).select_one('input[name="part_of_group"][value="yes"]')["data-aria-controls"]
        == "conditional-part_of_group"
    )
    assert soup(about).select_one('input[name="contact_phone"]') is not None

    exclusions = client.get(section_url(draft, "mandatory_exclusions"))
    none = soup(exclusions).select_one('input[name="convictions"][value="none"]')
    assert none["data-behaviour"] == "exclusive"
    assert text(soup(exclusions).select_one(".govuk-checkboxes__divider")) == "or"
    # Asked on two conditions, so it stands on its own and says when to answer it.
    count = soup(exclusions).select_one(".govuk-character-count")
    assert count["data-maxwords"] == "500"
    assert count.find("textarea")["name"] == "mandatory_self_cleaning"
    assert "Only answer this if you answered ‘Yes’ to ‘Has your organisation failed to pay" in (
        text(soup(exclusions).find(id="question-mandatory_self_cleaning"))
    )

    finance = client.get(section_url(draft, "finance"))
    money = soup(finance).find("input", attrs={"name": "annual_turnover"})
    assert money["inputmode"] == "decimal"
    assert (
        text(money.find_parent(class_="govuk-input__wrapper").select_one(".govuk-input__prefix"))
        == "£"
    )
    assert soup(finance).find("form")["enctype"] == "multipart/form-data"
    assert (
        soup(finance).select_one("#conditional-has_accounts #accounts_document-file")["type"]
        == "file"
    )

    insurance = client.get(section_url(draft, "insurance"))
    assert [box["name"] for box in soup(insurance).select("#employers_liability_expiry input")] == [
        "employers_liability_expiry-day",
        "employers_liability_expiry-month",
        "employers_liability_expiry-year",
    ]
    for form in (about, exclusions, finance, insurance):
        element = soup(form).find("form", id="section-form")
        assert element.has_attr("novalidate")
        assert element.find("input", attrs={"name": "csrf_token"})["value"]
