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
