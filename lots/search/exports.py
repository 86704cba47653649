"""The search's results as an Atom feed (``/opportunities.atom``) and as a CSV download
(``/opportunities.csv``), with the search page's own parameters: ``queries.parse`` reads them and
``queries.every_match`` finds what they match, so a feed or a download never shows what the page
would not. Malformed parameters that the page would point out in its error summary are refused
here with a 400 and the same words."""

from dataclasses import replace

from feedgen.feed import FeedGenerator
from flask import Response, current_app, request
from markupsafe import escape

from app.downloads import csv_response, pounds
from app.money import money
from app.timeutil import as_utc, format_datetime, utcnow
from app.urls import absolute_url, absolute_url_of
from dps.models import ReservedFor
from lots.blueprint import bp
from lots.opportunities.forms import KIND_LABELS
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.views.public import location_name
from lots.search import queries as search

FEED_SIZE = 50  # the newest matches a feed lists

CSV_HEADER = (
    "Reference",
    "Title",
    "Buyer",
    "Summary",
    "Lot",
    "Type",
    "Status",
    "Estimated value (£, excluding VAT)",
    "Location",
    "Reserved for VCSEs",
    "Published (UK time)",
    "Last amended (UK time)",
    "Closing date (UK time)",
    "Link",
)


def _refusal(filters):
    """A 400 in plain words for parameters the search page would point out, or None."""
    if not filters.errors:
        return None
    body = "There is a problem with this search:\n" + "\n".join(
        f"{name}: {message}" for name, message in filters.errors.items()
    )
    return Response(body + "\n", status=400, content_type="text/plain; charset=utf-8")


def _link_args():
    """The page's parameters as given, without the page number: what links and the feed's id
    carry."""
    return {name: value for name, value in search.query_args(request.args) if name != "page"}


def _status_words(row, now):
    if row.status == OpportunityStatus.PUBLISHED:
        return "Open" if as_utc(row.submission_deadline) > now else "Closed"
    return row.status.value.replace("_", " ").capitalize()


def _reserved(row, lots):
    lot = lots.get(row.lot_id)
    return bool(row.reserved_vcse or (lot is not None and lot.reserved_for == ReservedFor.VCSE))


def _updated(row):
    """When the opportunity last changed in public: published, amended or cancelled."""
    return max(
        as_utc(moment)
        for moment in (row.published_at, row.last_amended_at, row.cancelled_at)
        if moment is not None
    )


@bp.route("/opportunities.csv")
def opportunities_csv():
    """Every result of the search (not one page), in the page's order."""
    filters = search.parse(request.args)
    refusal = _refusal(filters)
    if refusal:
        return refusal
    now = utcnow()
    lots = {lot.id: lot for lot in search.lot_choices()}
    link = absolute_url_of("lots.view_opportunity", "opportunity_id")

    def rows():
        for row in search.every_match(filters, now):
            lot = lots.get(row.lot_id)
            yield (
                row.reference,
                row.title,
                row.buyer_name,
                row.summary,
                lot.label if lot else "",
                KIND_LABELS.get(row.kind, row.kind),
                _status_words(row, now),
                pounds(row.estimated_value_pence),
                location_name(row),
                _reserved(row, lots),
                row.published_at,
                row.last_amended_at,
                row.submission_deadline,
                link(row.id),
            )

    return csv_response("opportunities", CSV_HEADER, rows())


@bp.route("/opportunities.atom")
def opportunities_feed():
    """The newest ``FEED_SIZE`` results of the search as an Atom feed, newest first."""
    filters = search.parse(request.args)
    refusal = _refusal(filters)
    if refusal:
        return refusal
    now = utcnow()
    lots = {lot.id: lot for lot in search.lot_choices()}
    rows = list(search.every_match(replace(filters, sort="newest"), now, limit=FEED_SIZE))
    args = _link_args()
    service_name = current_app.config["SERVICE_NAME"]

    feed = FeedGenerator()
    feed.id(absolute_url("lots.opportunities_feed", **args))
    feed.title(f"{_feed_title(filters, lots)} – {service_name}")
    feed.subtitle(f"Opportunities published on {service_name} that match this search.")
    feed.author(name=current_app.config["OPERATOR_NAME"])
    feed.link(href=absolute_url("lots.opportunities_feed", **args), rel="self")
    feed.link(href=absolute_url("lots.find_opportunities", **args), rel="alternate")
    feed.language("en-GB")
    feed.generator(service_name, uri=absolute_url("pages.index"))
    for row in rows:
        url = absolute_url("lots.view_opportunity", opportunity_id=row.id)
        lot = lots.get(row.lot_id)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(row.title)
        entry.link(href=url, rel="alternate")
        entry.published(as_utc(row.published_at))
        entry.updated(_updated(row))
        if row.buyer_name:
            entry.author(name=row.buyer_name)
        entry.summary(row.summary)
        entry.content(_entry_html(row, lot, now), type="html")
        entry.category(term=row.kind.value, label=KIND_LABELS.get(row.kind, row.kind))
        if lot:
            entry.category(term=f"lot-{lot.id}", label=lot.label)
    # The feed changed when its newest entry did (now, when it has none).
    feed.updated(max((_updated(row) for row in rows), default=now))
    return Response(feed.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


def _feed_title(filters, lots):
    words = {"open": "Open opportunities", "closed": "Closed opportunities"}.get(
        filters.status, "Opportunities"
    )
    lot = lots.get(filters.lot_id)
    if lot:
        words += f" in {lot.label}"
    if filters.q:
        words += f" matching ‘{filters.q}’"
    return words


def _entry_html(row, lot, now):
    """The entry's content: its summary and facts, as escaped HTML (feedgen escapes the string
    again for the XML)."""
    facts = [
        ("Buyer", row.buyer_name or ""),
        ("Closing date", format_datetime(row.submission_deadline)),
        ("Estimated value", f"{money(row.estimated_value_pence)} excluding VAT"),
        ("Status", _status_words(row, now)),
        ("Location", location_name(row)),
    ]
    if lot:
        facts.append(("Lot", lot.label))
    if row.reference:
        facts.append(("Reference", row.reference))
    items = "".join(f"<li>{escape(name)}: {escape(value)}</li>" for name, value in facts)
    return f"<p>{escape(row.summary)}</p><ul>{items}</ul>"
