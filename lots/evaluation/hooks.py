"""What this stage needs to know from the stage after it, without importing it.

``lots.init_app`` tells it how to find an opportunity's award: once one is proposed the evaluation
can no longer change, and the evaluation pages show it.
"""

_award_lookup = []


def find_awards_with(lookup):
    """``lookup(opportunity_id)`` returns the opportunity's award or None."""
    _award_lookup[:] = [lookup]


def award_of(opportunity_id):
    return _award_lookup[0](opportunity_id) if _award_lookup else None
