"""The dps blueprint, in a leaf module so that the views can add their pages to it without a
circle (``dps.init_app`` imports them). Pages are split by who uses them:

- ``public``: the DPS's public page and its readable questionnaire;
- ``applications``: a supplier applies (task list, sections, lots, check answers, submit),
  follows its application and answers clarifications;
- ``supplier_standing``: a supplier's lots and applications, renewing its declaration, leaving
  lots;
- ``admin_setup``: the operator sets up a DPS and its lots;
- ``admin_review``: the operator works the admission queue, reviews and decides applications;
- ``admin_standing``: the operator manages suppliers' standing;
- ``directory``: the public directory of admitted suppliers.

Who may see each page is asked of ``dps.permissions``.
"""

from flask import Blueprint

bp = Blueprint("dps", __name__)
