"""Evaluating the bids of an opportunity, in the buyer's area, a module per group of pages:

- ``overview``: the evaluation page (buyer and approver roles): before the deadline only the seal
  and the evaluators; after it, opening the bids, then the bids with their pass/fail outcome,
  exclusions, possibly abnormally low prices, and each evaluator's progress.
- ``evaluators``: the evaluator's pages: the conflict of interest declaration (before any bid is
  shown), scoring each answer, submitting the scores.
- ``moderation``: everyone's scores side by side once all are in, and the moderator's consensus.
- ``result``: the ranked result, from which the buyer proposes the award (see
  ``lots.awards.views`` for the approver's decision).

``pages`` holds what they share. What anyone may see is read through ``lots.evaluation.sealing``
and the evaluation services, which enforce the seal and the evaluators' independence in their
queries; who may do what is asked of ``lots.evaluation.permissions``; a NotAllowed is a 403. These
views only choose which parts of a page to show. ``lots.init_app`` imports each module to add its
pages to the blueprint.
"""
