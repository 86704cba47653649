"""The lots blueprint, in a leaf module so that every stage can add its pages to it without
importing another stage. Endpoints keep the ``lots.`` prefix (``lots.view_opportunity``)."""

from flask import Blueprint

bp = Blueprint("lots", __name__)
