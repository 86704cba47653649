"""A supplier's bid pages, a module per group: ``overview`` (the bid's state, its task list,
starting it), ``answers`` (a page per question, autosave, copying an earlier answer),
``sections`` (pass/fail, price, social value), ``partners``, ``attachments``, and ``check``
(check, submit, the receipt, withdrawal). ``bidder`` holds what they share.

``lots.init_app`` imports each module to add its pages to the blueprint.
"""
