"""The operator's pages for the social value measures: placeholder, filled in below."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
