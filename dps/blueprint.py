"""The dps blueprint, in a leaf module so that the views can add their pages to it without a
circle (``dps.init_app`` imports them). Pages are split by who uses them:

- ``public``: the DPS's public page and its readable questionnaire;
- ``applications``: a supplier applies (task list, sections, lots, check answers, submit),
  follows its application, answers clarifications, renews its declaration, leaves lots;
- ``admin``: the operator sets up a DPS and lots, works the admission queue, decides, and
  manages suppliers' standing;
- ``directory``: the public directory of admitted suppliers.
"""

from flask import Blueprint

bp = Blueprint("dps", __name__)
