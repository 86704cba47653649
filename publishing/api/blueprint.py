"""The blueprint of the publishing pages: the API documentation page and API tokens."""

from flask import Blueprint

bp = Blueprint("api_pages", __name__)
