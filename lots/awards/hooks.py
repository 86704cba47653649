"""What entering a contract tells the packages above ``lots`` without this stage importing them.

``spend.init_app`` registers what a contract adds to its buyer's spend. Hooks run inside the
service's transaction, before its commit, so what they write commits with the contract.
"""

_on_contract_entered = []


def on_contract_entered(fn):
    """``fn(contract)`` runs whenever a contract is entered."""
    if fn not in _on_contract_entered:  # every app built in one process registers it again
        _on_contract_entered.append(fn)
    return fn


def run_on_contract_entered(contract):
    for fn in _on_contract_entered:
        fn(contract)


_after_letters = []


def after_letters(fn):
    """``fn(opportunity)`` runs when the letters job has issued what it could (every letter, or
    all but those still to come): ``publishing.init_app`` registers the contract award notice,
    which waits for every assessment summary."""
    if fn not in _after_letters:
        _after_letters.append(fn)
    return fn


def run_after_letters(opportunity):
    for fn in _after_letters:
        fn(opportunity)


_on_no_suitable_bid = []


def on_no_suitable_bid(fn):
    """``fn(opportunity)`` runs when the approver records that no bid was suitable."""
    if fn not in _on_no_suitable_bid:
        _on_no_suitable_bid.append(fn)
    return fn


def run_on_no_suitable_bid(opportunity):
    for fn in _on_no_suitable_bid:
        fn(opportunity)
