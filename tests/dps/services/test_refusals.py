"""A refusal names the field it is about: an answer's is its question; a questionnaire version's
is its definition. Amounts of money in messages read as pages write them."""

import pytest

from app.errors import ServiceError
from dps import questionnaire as engine
from dps.services import setup
from tests.dps.helpers import make_admin

DEFINITION = {
    "name": "Test questionnaire",
    "version": 1,
    "sections": [
        {
            "id": "finance",
            "title": "Finance",
            "questions": [
                {"id": "income", "type": "money", "label": "Income", "min": 150050},
                {"id": "cover", "type": "money", "label": "Cover", "max": 500000000},
                {"id": "started", "type": "date", "label": "Start date"},
            ],
        }
    ],
}


@pytest.fixture
def definition():
    return engine.load(DEFINITION)


def test_an_answer_refusal_is_a_service_error_naming_its_question(definition):
    with pytest.raises(ServiceError, match="Income must be an amount of money") as refusal:
        engine.parse(definition.question("income"), "lots")
    assert isinstance(refusal.value, engine.AnswerError)
    assert refusal.value.field == "income"
    with pytest.raises(engine.AnswerError, match="Start date must be a real date") as refusal:
        engine.parse(definition.question("started"), ["31", "2", "2026"])
    assert refusal.value.field == "started"


def test_money_limits_and_answers_read_as_pages_write_them(definition):
    with pytest.raises(engine.AnswerError, match="^Income must be £1,500.50 or more$"):
        engine.parse(definition.question("income"), "1500")
    with pytest.raises(engine.AnswerError, match="^Cover must be £5,000,000 or less$"):
        engine.parse(definition.question("cover"), "5,000,000.01")
    assert engine.parse(definition.question("income"), "£1,500.50") == 150050
    assert engine.display_value(definition.question("cover"), 150000) == "£1,500"
    assert engine.display_value(definition.question("cover"), 150050) == "£1,500.50"
    assert engine.check_stored(definition.question("income"), 150050) is None
    assert engine.check_stored(definition.question("income"), 150049) == (
        "Income must be £1,500.50 or more"
    )


def test_a_broken_questionnaire_version_is_refused_naming_the_definition(app):
    admin = make_admin()
    base = setup.ensure_default_questionnaire()
    with pytest.raises(ServiceError, match="The questionnaire is not valid") as refusal:
        setup.publish_questionnaire_version(admin, base, {"sections": [{"id": "x"}]})
    assert refusal.value.field == "definition"
