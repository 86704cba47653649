"""Help to bid: the operator's plain-English guidance on each question, shown beside it.

Guidance is written for a *topic*: each kind of call-off question (``type:quality``,
``type:social_value``, ``type:pass_fail``, ``type:price``), shown beside every bid question of
that kind, and each standard selection question (``sq:<question id>``, from the shipped standard
questionnaire), shown beside that question in the application. Each has three parts: what a good
answer covers, common mistakes, and an example answer. It is plain text (escaped when shown; a
blank line starts a new paragraph). The operator changes it in ``dps.services.guidance``.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime
from dps import questionnaire as engine

STANDARD_QUESTIONNAIRE = Path(__file__).resolve().parent / "questionnaires" / "standard_sq_v2.json"
PARTS = ("good_answer", "common_mistakes", "example")
PART_LABELS = {
    "good_answer": "What a good answer covers",
    "common_mistakes": "Common mistakes",
    "example": "An example answer",
}
MAX_PART_CHARACTERS = 5000

# The kinds of call-off question (lots.opportunities.models.QuestionKind) and the price, which
# every call-off asks: this layer names them as data, it cannot import the stage that owns them.
QUESTION_TYPES = (
    ("quality", "Quality questions"),
    ("social_value", "Social value questions"),
    ("pass_fail", "Pass or fail questions"),
    ("price", "Price"),
)


class QuestionGuidance(db.Model):
    __tablename__ = "question_guidance"

    topic: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    good_answer: Mapped[str] = mapped_column(sa.Text, default="")
    common_mistakes: Mapped[str] = mapped_column(sa.Text, default="")
    example: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_empty(self):
        return not any((getattr(self, part) or "").strip() for part in PARTS)

    def parts(self):
        """[(label, [paragraph, ...])] for the parts written, in order."""
        return [
            (PART_LABELS[part], paragraphs(getattr(self, part)))
            for part in PARTS
            if (getattr(self, part) or "").strip()
        ]


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    group: str  # "Call-off questions" or a standard questionnaire section's title


def type_topic(kind):
    return f"type:{kind}"


def question_topic(question_id):
    return f"sq:{question_id}"


@lru_cache(maxsize=1)
def standard_definition():
    return engine.load(json.loads(STANDARD_QUESTIONNAIRE.read_text()))


def topics():
    """Every topic the operator can write guidance for, in the order the admin page lists them."""
    found = [Topic(type_topic(kind), label, "Call-off questions") for kind, label in QUESTION_TYPES]
    for section in standard_definition().sections:
        for question in section.questions:
            found.append(Topic(question_topic(question.id), question.label, section.title))
    return found


def topic(key):
    return next((t for t in topics() if t.key == key), None)


def paragraphs(text):
    """Plain text as paragraphs: split on blank lines, each stripped."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in _blocks(text)]
    return [b for b in blocks if b]


def _blocks(text):
    return (text or "").replace("\r\n", "\n").split("\n\n")


def guidance_for(key):
    """The guidance written for a topic, or None when there is none."""
    row = db.session.get(QuestionGuidance, key)
    return None if row is None or row.is_empty else row


def guidance_by_topic(keys):
    """{topic: guidance} for those of ``keys`` with guidance written (one query)."""
    keys = list(keys)
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(QuestionGuidance).where(QuestionGuidance.topic.in_(keys))
    ).scalars()
    return {row.topic: row for row in rows if not row.is_empty}
