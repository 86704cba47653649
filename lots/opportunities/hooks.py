"""Other packages react to what happens to an opportunity without this stage importing them.

``notifications.init_app`` registers what publishing tells opportunity alerts; ``lots.init_app``
what an amended price schedule does to submitted bids. Hooks run inside the service's
transaction, before its commit, so what they write commits with it.
"""

_on_publish = []


def on_publish(fn):
    """``fn(opportunity)`` runs whenever an opportunity is published."""
    if fn not in _on_publish:  # every app built in one process registers it again
        _on_publish.append(fn)
    return fn


def run_on_publish(opportunity):
    for fn in _on_publish:
        fn(opportunity)


_on_price_schedule_change = []


def on_price_schedule_change(fn):
    """``fn(opportunity, old_schedule, amendment, user)`` runs when an amendment changes a
    published opportunity's price schedule (``lots.init_app`` registers the bids stage's: every
    submitted bid goes back to its supplier to price again)."""
    if fn not in _on_price_schedule_change:
        _on_price_schedule_change.append(fn)
    return fn


def run_on_price_schedule_change(opportunity, old_schedule, amendment, user):
    for fn in _on_price_schedule_change:
        fn(opportunity, old_schedule, amendment, user)


_on_amend = []


def on_amend(fn):
    """``fn(opportunity, amendment)`` runs whenever a published opportunity is amended (its
    details, a tender document or its deadlines). ``publishing.init_app`` registers the new
    version of its tender notice."""
    if fn not in _on_amend:
        _on_amend.append(fn)
    return fn


def run_on_amend(opportunity, amendment):
    for fn in _on_amend:
        fn(opportunity, amendment)


_on_cancel = []


def on_cancel(fn):
    """``fn(opportunity)`` runs when a published opportunity is cancelled."""
    if fn not in _on_cancel:
        _on_cancel.append(fn)
    return fn


def run_on_cancel(opportunity):
    for fn in _on_cancel:
        fn(opportunity)
