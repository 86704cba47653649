"""Other packages react to admission without dps importing them.

``lots.init_app`` registers a function to invite a newly admitted supplier to call-offs of the lot
that are still open. Hooks run inside the deciding transaction, before its commit.
"""

_after_admission = []


def after_admission(fn):
    if fn not in _after_admission:  # every app built in one process registers it again
        _after_admission.append(fn)
    return fn


def run_after_admission(lot_membership):
    for fn in _after_admission:
        fn(lot_membership)
