"""The rules of the DPS and admission, one module per stage:

- ``setup``: the operator creates a DPS, its lots and questionnaire versions;
- ``applying``: a supplier answers the questionnaire, chooses lots and submits;
- ``deciding``: the operator clarifies, extends and decides each lot;
- ``standing``: staying admitted: exclusion, suspension, reinstatement, removal, leaving;
- ``renewals``: the operator asks a supplier to renew its self-declaration, and lapses;
- ``expiry``: documents that expire: reminders, suspension, reinstatement once replaced.

A refusal is an ``app.errors`` error (``ServiceError``, ``NotAllowed``) naming the field it is
about; who may do what is asked of ``dps.permissions``.
"""
