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


_on_dps_event = []


def on_dps_event(fn):
    """``fn(event, dps)`` runs when the operator sets up a DPS (``"established"``) or changes
    it (``"changed"``: a lot added, a lot's conditions or the questionnaire changed).
    ``publishing.init_app`` registers the notices these need. Inside the service's transaction."""
    if fn not in _on_dps_event:
        _on_dps_event.append(fn)
    return fn


def run_on_dps_event(event, dps):
    for fn in _on_dps_event:
        fn(event, dps)


# The areas a lot covers live with its scope in ``lots.opportunities``; ``lots.init_app``
# provides them here so that a lot's conditions (an office in the area) can read them.
_lot_areas = []


def provide_lot_areas(fn):
    """``fn(lot_id) -> [(area_type, code)]``, with area_type "national", "region" or
    "local_authority"."""
    _lot_areas[:] = [fn]
    return fn


def lot_areas(lot_id):
    return [(str(t), c) for t, c in _lot_areas[0](lot_id)] if _lot_areas else []
