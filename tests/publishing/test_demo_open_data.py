"""Every release and record the demo data produces validates against OCDS 1.1.5 with the
declared extensions (jsonschema with the local schemas), with every codelist value from its
codelist; the API serves them as valid packages; each notice has its page."""

import sqlalchemy as sa

from app.extensions import db
from publishing import records, standard
from publishing.models import Notice


def test_the_demo_publishes_valid_releases_records_and_pages(app, client, seeded_demo):
    published = (
        db.session.execute(sa.select(Notice).where(Notice.published_at.is_not(None)))
        .scalars()
        .all()
    )
    kinds = {n.notice_type for n in published}
    assert {"UK14", "UK4", "UK12", "UK6", "UK7"} <= kinds
    for notice in published:
        assert standard.errors(notice.release) == [], notice.release_id
    for ocid in {n.ocid for n in published}:
        record = records.record_for(ocid)
        assert standard.errors(record["compiledRelease"]) == [], ocid
        response = client.get(f"/api/ocds/records/{ocid}")
        assert standard.errors(response.get_json(), "record-package") == [], ocid
    package = client.get("/api/ocds/releases").get_json()
    assert standard.errors(package, "release-package") == []
    assert len(package["releases"]) == min(len(published), 100)
    # Each notice's page, for people.
    for notice in published[:: max(1, len(published) // 6)] + [published[-1]]:
        page = client.get(f"/notices/{notice.release_id}")
        assert page.status_code == 200
        assert notice.title in page.get_data(as_text=True)
    assert client.get("/notices/ocds-vcsedp-nothing-UK4-1").status_code == 404
