"""Records: every release of one contracting process (an ``ocid``) and the compiled release
that merges them, by the Open Contracting Partnership's own merge library (``ocdsmerge``) with
the merge rules of the release schema as this product extends it."""

from functools import lru_cache

import ocdsmerge
import sqlalchemy as sa

from app.extensions import db
from publishing import standard
from publishing.models import Notice


@lru_cache(maxsize=1)
def merger():
    return ocdsmerge.Merger(standard.release_schema())


def releases_of(ocid):
    return (
        db.session.execute(
            sa.select(Notice.release)
            .where(Notice.ocid == ocid, Notice.published_at.is_not(None))
            .order_by(Notice.published_at, Notice.id)
        )
        .scalars()
        .all()
    )


def record_for(ocid):
    """The record of ``ocid`` (its releases in full and the compiled release), or None."""
    found = releases_of(ocid)
    if not found:
        return None
    return {
        "ocid": ocid,
        "releases": found,
        "compiledRelease": merger().create_compiled_release(found),
    }
