"""The lots blueprint. Pages are split by who uses them:

- ``public``: finding opportunities, an opportunity's page and a lot's page, for anyone;
- ``supplier``: what an invited supplier adds to the opportunity page: tender documents, its
  own questions and answers, asking a question;
- ``buyer``: a buyer organisation's area: asking for approval, joining a DPS, drafting,
  approval, publishing, amendments, extensions, cancellation and answering questions;
- ``admin``: the operator approves buyers and sets what each lot covers.

Thin: parse the form, call one service, render or redirect. A LotsError from a service is shown
in the error summary against the field it names; NotAllowed is a 403.
"""
from flask import Blueprint

bp = Blueprint("lots", __name__)

from lots import access  # noqa: E402,F401  (invited suppliers read tender documents)
from lots.views import admin, awards, bids, buyer, evaluation, public, supplier  # noqa: E402,F401
