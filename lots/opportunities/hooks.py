"""Other packages react to what happens to an opportunity without this stage importing them.

``notifications.init_app`` registers what publishing tells opportunity alerts. Hooks run inside
the service's transaction, before its commit, so what they write commits with it.
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
