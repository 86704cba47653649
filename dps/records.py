"""What the privacy notice says about the DPS's records (registered with ``app.records``)."""

from app.records import LEGAL_OBLIGATION, PUBLIC_TASK, Kept


def privacy_notice(config):
    return Kept(
        what="Your organisation's applications to join the DPS: the selection questionnaire's "
        "answers (including about the people who run it), the documents uploaded as evidence, "
        "the operator's decisions and reasons, and the organisation's entry in the public "
        "supplier directory",
        basis=f"{PUBLIC_TASK}; {LEGAL_OBLIGATION} for the records of decisions",
        why="To admit suppliers as the Procurement Act 2023 requires, checking the exclusion "
        "grounds and the debarment list. Answers about exclusion grounds may include "
        "information about criminal offences, used only for this purpose the Act sets "
        "(Data Protection Act 2018, Schedule 1, paragraph 6)",
        how_long="While the organisation is on the DPS and for as long as the DPS runs. "
        "Nothing here is deleted automatically yet: ask us, and we erase what the law does not "
        "require us to keep.",
    )
