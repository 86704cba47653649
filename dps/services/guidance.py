"""The operator writes guidance for a question topic (``dps.guidance``): audited, checked."""

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotFound, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from dps.guidance import MAX_PART_CHARACTERS, PART_LABELS, PARTS, QuestionGuidance, topic
from dps.permissions import require_operator
from dps.questionnaire import _CONTROL

WRITE = "Only the DPS operator can write guidance"


def clean(text):
    """Text as stored: control characters (a NUL included) removed, line ends made ``\\n``,
    trailing spaces trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def save_guidance(actor, key, **parts):
    """Write (or change) the guidance for topic ``key``. Every part is optional; all empty
    removes the guidance from the question pages. Returns the row."""
    require_operator(actor, WRITE)
    if topic(key) is None:
        raise NotFound("There is no such question")
    values = {part: clean(parts.get(part)) for part in PARTS}
    for part, value in values.items():
        if len(value) > MAX_PART_CHARACTERS:
            raise ServiceError(
                f"{PART_LABELS[part]} must be {MAX_PART_CHARACTERS:,} characters or fewer", part
            )
    row = db.session.get(QuestionGuidance, key)
    changed = [p for p in PARTS if (getattr(row, p) if row else "") != values[p]]
    if row is None:
        row = QuestionGuidance(topic=key)
        db.session.add(row)
    for part, value in values.items():
        setattr(row, part, value)
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    record(
        E.UPDATE_GUIDANCE,
        subject_type="question_guidance",
        actor=actor,
        detail={"topic": key, "changed": changed},
    )
    commit()
    return row
