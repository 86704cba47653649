"""The search page: finding opportunities (see ``queries``), with its results cached briefly (see
``cache``)."""

import json
import re
from functools import lru_cache

from flask import current_app, g, render_template, render_template_string, request, session, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app.reference import cpv, geography
from app.timeutil import utcnow
from dps.models import ReservedFor
from lots.blueprint import bp
from lots.opportunities.deadlines import closes_in_words, next_local_midnight
from lots.opportunities.models import OpportunityKind, OpportunityStatus
from lots.opportunities.views.public import location_name
from lots.search import cache
from lots.search import queries as search

# Stands for the CSP nonce in a stored page. Escaping turns any "<" in what people type into
# "&lt;", so this never comes from them.
NONCE_MARK = b"<csp-nonce>"


@bp.route("/opportunities")
def find_opportunities():
    """The search page. Its results column is the same for everyone, and so is the whole page for
    people who are not signed in (their navigation is the same and nothing is flashed to them),
    so both are cached for a few seconds (see ``lots.search.cache``); a stored page gets each
    response's own CSP nonce."""
    args = search.query_args(request.args)
    key = cache.cache_key(args)
    now = utcnow()
    shared_page = not current_user.is_authenticated and not session.get("_flashes")
    # One round trip to Redis: the whole page (for those who may share it) and the results.
    kinds = ("page", "results") if shared_page else ("results",)
    cached = cache.cache_get(key, kinds, now, keep=("page",))
    if cached and shared_page and "page" in cached.texts:
        return cached.texts["page"].replace(NONCE_MARK, g.csp_nonce.encode())
    filters = search.parse(request.args)
    lots = search.lot_choices(cached.generation if cached else None)
    store = {}
    if cached and "results" in cached.texts:
        results_html, good_until = Markup(cached.texts["results"].decode()), cached.good_until
    else:
        results = search.search(filters, now)
        results_html = _results_column(filters, args, results, lots, now)
        good_until = _good_until(results, now)
        store["results"] = results_html
    context = {
        "filters": filters,
        "values": dict(args),
        "link_args": {name: value for name, value in args if name != "page"},
        "results_html": results_html,
        "filter_panel": _filter_panel(
            tuple((name, value) for name, value in args if name != "page"),
            filters.q,
            tuple((lot.id, f"{lot.label} ({lot.dps_name})") for lot in lots),
        ),
    }
    head_html = _fragment("lots/_find_head.html", **context)
    body_html = _fragment("lots/_find_body.html", **context)
    if not shared_page:
        return render_template("lots/find.html", head_html=head_html, body_html=body_html)
    html = _shared_frame().format(head=head_html, body=body_html, nonce=g.csp_nonce)
    if 'name="csrf_token"' not in html:  # never share a form's token
        store["page"] = html.replace(g.csp_nonce, NONCE_MARK.decode())
    if store:
        cache.cache_put(cached, key, store, now, good_until, keep=("page",))
    return html


def _shared_frame():
    """The page around the search's own parts for people who are not signed in (the layout,
    header, navigation and footer, the same for all of them), rendered once per process and
    kept as a format string: rendering it was a sixth of a new search's time."""
    frames = current_app.extensions.setdefault("lots_search_frames", {})
    frame = frames.get(request.script_root)
    if frame is None:
        marks = {name: f"\x00{name}\x00" for name in ("head", "body", "nonce")}
        html = render_template(
            "lots/find.html", head_html=Markup(marks["head"]), body_html=Markup(marks["body"])
        )
        html = html.replace(g.csp_nonce, marks["nonce"]).replace("{", "{{").replace("}", "}}")
        for name, mark in marks.items():
            html = html.replace(mark, f"{{{name}}}")
        frame = frames[request.script_root] = html
    return frame


# Stands for the words in a kept filters column (replaced once: words that hold it change nothing).
WORDS_MARK = "\x00words\x00"


def _filter_panel(args, words, lot_pairs):
    """The filters column for the page's parameters (``query_args`` without the page number) and
    the words as the search read them. Everyone's words differ, the other filters seldom do: the
    column is kept per process for the other filters, with a mark where the words go."""
    marked = tuple(
        (name, WORDS_MARK if name == "q" else value) for name, value in args if name != "q" or words
    )
    panel = _kept_filter_panel(marked, lot_pairs, request.script_root)
    return Markup(str(panel).replace(WORDS_MARK, str(escape(words)))) if words else panel


@lru_cache(maxsize=512)
def _kept_filter_panel(args, lot_pairs, script_root):
    filters = search.parse(dict(args))
    return _fragment(
        "lots/_filters.html",
        filters=filters,
        values=dict(args),
        component=_component,
        lot_select=_select("lot", "Lot", lot_pairs, filters.lot_id, "Any lot"),
        cpv_select=_select("cpv", "Category", _cpv_pairs(), filters.cpv_division, "Any category"),
        region_select=_select(
            "region", "Region", _region_pairs(), filters.region_code, "Anywhere in the UK"
        ),
        la_select=_select(
            "local_authority",
            "Local authority",
            _la_pairs(),
            filters.local_authority_code,
            "Any local authority",
        ),
        sort_select=_select(
            "sort", "Sort by", tuple(search.SORTS.items()), filters.sort, None, full_width=False
        ),
    )


def _fragment(template, **context):
    """Part of a page, rendered without the page's context (the navigation and the rest)."""
    return Markup(current_app.jinja_env.get_template(template).render(**context))


def _results_column(filters, args, results, lots, now):
    """The results column: the count, the page of results and the pagination links."""
    lots = {lot.id: lot for lot in lots}
    # Each link is a prefix and an id: url_for once, not twice a row.
    opportunity_href = url_for("lots.view_opportunity", opportunity_id=0)[:-1]
    lot_href = url_for("lots.view_lot", lot_id=0)[:-1]
    items = []
    for o in results.rows:
        lot = lots.get(o.lot_id)
        if o.status == OpportunityStatus.PUBLISHED:
            state = closes_in_words(o.submission_deadline, now).capitalize()
        else:
            state = o.status.value.replace("_", " ").capitalize()
        items.append(
            {
                "href": f"{opportunity_href}{o.id}",
                "title": o.title,
                "buyer_name": o.buyer_name,
                "summary": o.summary,
                "value": "£{:,.0f}".format(o.estimated_value_pence / 100),
                "place": location_name(o),
                "state": state,
                "lot_href": f"{lot_href}{o.lot_id}",
                "lot_label": lot.label if lot else "",
                "reserved_vcse": o.reserved_vcse
                or (lot is not None and lot.reserved_for == ReservedFor.VCSE),
                "quick_quote": o.kind == OpportunityKind.QUICK_QUOTE,
            }
        )
    link_args = {name: value for name, value in args if name != "page"}
    previous = next_ = None
    if filters.page > 1:
        previous = url_for("lots.find_opportunities", page=filters.page - 1, **link_args)
    if results.has_next:
        next_ = url_for("lots.find_opportunities", page=filters.page + 1, **link_args)
    return _fragment(
        "lots/_results.html",
        items=items,
        total=results.total,
        exact=results.exact,
        ranked_only=results.ranked_only,
        q=filters.q,
        problem=bool(filters.errors),  # what the page's error summary says to change
        pagination=_pagination(previous, next_),
    )


def _good_until(results, now):
    """When the results stop being true by the clock: the next local midnight (the days in
    'closes in 3 days'), or the first deadline of an open opportunity shown, if sooner. (Their
    age limit is the cache's.)"""
    deadlines = [
        o.submission_deadline
        for o in results.rows
        if o.status == OpportunityStatus.PUBLISHED and o.submission_deadline > now
    ]
    return min([next_local_midnight(now), *deadlines])


# Stand for the links in a kept pagination component (escaping leaves "\x00" as it is, so they
# never come from a link).
LINK_MARKS = {"previous": "\x00previous\x00", "next": "\x00next\x00"}


def _pagination(previous, next_):
    """GOV.UK pagination with a previous and a next link (either may be None), or "" without
    either. The component is rendered once per process for each pair of links it has, with a
    mark for each href: rendering it (its macros indent every line) was a tenth of a new
    search's Python time."""
    hrefs = {"previous": previous, "next": next_}
    params = {name: {"href": LINK_MARKS[name]} for name, href in hrefs.items() if href}
    if not params:
        return ""
    html = str(_component("govukPagination", params))
    for name in params:
        html = html.replace(LINK_MARKS[name], str(escape(hrefs[name])))
    return Markup(html)


# The filter controls are the same for everyone; rendering hundreds of options on every search
# was most of the page's cost, so each control is rendered once per (options, choice), and the
# other GOV.UK components of the filters once per set of parameters.
_SELECT = (
    '{% from "govuk_frontend_jinja/components/select/macro.html" import govukSelect %}'
    "{{ govukSelect(params) }}"
)


@lru_cache(maxsize=4096)
def _select(field_id, label, pairs, selected, empty, full_width=True):
    params = {
        "id": field_id,
        "name": field_id,
        "label": {"text": label, "classes": "govuk-label--s"},
        "items": _items(pairs, selected, empty),
    }
    if full_width:
        params["classes"] = "govuk-!-width-full"
    return Markup(render_template_string(_SELECT, params=params))


def _component(macro, params):
    """``macro(params)``, a GOV.UK Frontend component (``govukInput``, ``govukRadios`` ...)."""
    return _rendered_component(macro, json.dumps(params, sort_keys=True))


@lru_cache(maxsize=2048)
def _rendered_component(macro, params_json):
    templates = current_app.extensions.setdefault("lots_component_templates", {})
    if macro not in templates:
        folder = re.sub(r"(?<!^)([A-Z])", r"-\1", macro[len("govuk") :]).lower()
        templates[macro] = current_app.jinja_env.from_string(
            f'{{% from "govuk_frontend_jinja/components/{folder}/macro.html" import {macro} %}}'
            f"{{{{ {macro}(params) }}}}"
        )
    return Markup(templates[macro].render(params=json.loads(params_json)))


@lru_cache(maxsize=1)
def _cpv_pairs():
    return tuple((d.division, d.description) for d in cpv.divisions())


@lru_cache(maxsize=1)
def _region_pairs():
    return tuple((r.code, r.name) for r in geography.regions())


@lru_cache(maxsize=1)
def _la_pairs():
    return tuple((la.code, la.name) for la in geography.local_authorities())


def _items(pairs, selected, empty):
    items = [{"value": "", "text": empty}] if empty else []
    items += [
        {"value": value, "text": text, "selected": str(value) == str(selected)}
        for value, text in pairs
    ]
    return items
