"""Other packages react to a pipeline item without this package importing them.

``notifications.init_app`` registers what publishing an item tells alerts; the notices work
(a UK1 pipeline notice) registers here too. Hooks run inside the service's transaction, before
its commit, so what they write commits with it.
"""

_on_item_published = []
_on_item_withdrawn = []


def on_item_published(fn):
    """``fn(item)`` runs whenever a pipeline item is published (listed publicly)."""
    if fn not in _on_item_published:  # every app built in one process registers it again
        _on_item_published.append(fn)
    return fn


def run_on_item_published(item):
    for fn in _on_item_published:
        fn(item)


def on_item_withdrawn(fn):
    """``fn(item)`` runs whenever a listed pipeline item is withdrawn."""
    if fn not in _on_item_withdrawn:
        _on_item_withdrawn.append(fn)
    return fn


def run_on_item_withdrawn(item):
    for fn in _on_item_withdrawn:
        fn(item)
