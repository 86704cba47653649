"""The search page: finding opportunities (see ``queries``), with its results cached briefly (see
``cache``)."""

import json
import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlencode

from flask import current_app, g, render_template, render_template_string, request, session, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app.reference import cpv, geography
from app.timeutil import utcnow
from dps.models import ReservedFor
from lots.blueprint import bp
from lots.opportunities.deadlines import deadlines_in_words, next_local_midnight
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
    # A plain dict of the first value of each parameter: a MultiDict builds an exception for
    # every parameter it lacks (most of the thirteen the page reads).
    given = request.args.to_dict()
    args = search.query_args(given)
    key = cache.cache_key(args)
    now = utcnow()
    shared_page = not current_user.is_authenticated and not session.get("_flashes")
    # One round trip to Redis: the whole page (for those who may share it) and the results.
    kinds = ("page", "results") if shared_page else ("results",)
    cached = cache.cache_get(key, kinds, now, keep=("page",))
    if cached and shared_page and "page" in cached.texts:
        return cached.texts["page"].replace(NONCE_MARK, g.csp_nonce.encode())
    filters = search.parse(given)
    links = _Links(args)
    lots = search.lot_choices(cached.generation if cached else None)
    # What is stored, only when it will be (parameters asked for again within the cache's time):
    # a new search's page was copied and its clock worked out for nothing (``cache_put``).
    storing = cache.storing(cached)
    store = {}
    if cached and "results" in cached.texts:
        results_html, good_until = Markup(cached.texts["results"].decode()), cached.good_until
    else:
        results = search.search(filters, now)
        results_html = _results_column(filters, links, results, lots, now)
        if storing:
            store["results"] = results_html
            good_until = _good_until(results, now)
    context = {
        "filters": filters,
        "links": links,
        "results_html": results_html,
        "filter_panel": _filter_panel(filters, dict(args), _lot_pairs(lots)),
    }
    head_html = _fragment("lots/_find_head.html", **context)
    body_html = _fragment("lots/_find_body.html", **context)
    if not shared_page:
        if store:  # the results column is the same for everyone
            cache.cache_put(cached, key, store, now, good_until)
        return render_template("lots/find.html", head_html=head_html, body_html=body_html)
    html = _shared_frame().format(head=head_html, body=body_html, nonce=g.csp_nonce)
    if storing and 'name="csrf_token"' not in html:  # never share a form's token
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
        frame = frames[request.script_root] = _format_string(
            html.replace(g.csp_nonce, marks["nonce"]), marks
        )
    return frame


def _format_string(html, marks):
    """``html`` as a format string with a field in place of each mark (name -> mark): its own
    braces doubled, so that only the fields are filled in."""
    html = html.replace("{", "{{").replace("}", "}}")
    for name, mark in marks.items():
        html = html.replace(mark, f"{{{name}}}")
    return html


# Stands for the words in the kept search box (replaced once: words that hold it change nothing).
WORDS_MARK = "\x00words\x00"
# The filters column's controls, in the order of lots/_filters.html.
_CONTROLS = (
    "q_input",
    "lot_select",
    "cpv_select",
    "region_select",
    "la_select",
    "min_value_input",
    "max_value_input",
    "closing_within_input",
    "vcse_checkbox",
    "kind_radios",
    "status_radios",
    "sort_select",
    "button",
)


def _filter_panel(filters, values, lot_pairs):
    """The filters column for the filters as the search read them and the page's parameters as
    given (``values``: the amounts as typed). Each control is kept per process for its own
    value, and the column around them once: a column is a dozen lookups and one format, where
    rendering it for each new set of filters was a fifth of a new search's Python time."""
    errors = filters.errors
    controls = {
        "q_input": _words_input(bool(filters.q)),
        "lot_select": _select("lot", "Lot", lot_pairs, filters.lot_id, "Any lot"),
        "cpv_select": _select(
            "cpv", "Category", _cpv_pairs(), filters.cpv_division, "Any category"
        ),
        "region_select": _select(
            "region", "Region", _region_pairs(), filters.region_code, "Anywhere in the UK"
        ),
        "la_select": _select(
            "local_authority",
            "Local authority",
            _la_pairs(),
            filters.local_authority_code,
            "Any local authority",
        ),
        "min_value_input": _number_input(
            "min_value", "Value from (£)", 10, values.get("min_value", ""), errors.get("min_value")
        ),
        "max_value_input": _number_input(
            "max_value", "Value up to (£)", 10, values.get("max_value", ""), errors.get("max_value")
        ),
        "closing_within_input": _number_input(
            "closing_within",
            "Closing within (days)",
            3,
            filters.closing_within_days or "",
            errors.get("closing_within"),
        ),
        "vcse_checkbox": _vcse_checkbox(filters.vcse_only),
        "kind_radios": _radios("kind", "Type", _KINDS, filters.kind or ""),
        "status_radios": _radios("status", "Status", _STATUSES, filters.status),
        "sort_select": _select(
            "sort", "Sort by", tuple(search.SORTS.items()), filters.sort, None, full_width=False
        ),
        "button": _component(
            "govukButton", {"text": "Apply filters", "classes": "govuk-button--secondary"}
        ),
    }
    panel = _filters_frame().format(**controls)
    if filters.q:
        panel = panel.replace(WORDS_MARK, str(escape(filters.q)), 1)
    return Markup(panel)


def _filters_frame():
    """lots/_filters.html around its controls, rendered once per process (for each script root,
    as its form's action differs) and kept as a format string with a field for each control."""
    frames = current_app.extensions.setdefault("lots_search_filter_frames", {})
    frame = frames.get(request.script_root)
    if frame is None:
        marks = {name: f"\x00{name}\x00" for name in _CONTROLS}
        html = str(_fragment("lots/_filters.html", **{n: Markup(m) for n, m in marks.items()}))
        frame = frames[request.script_root] = _format_string(html, marks)
    return frame


@lru_cache(maxsize=2)
def _words_input(has_words):
    """The search box, with a mark for the words (an empty box has no value at all)."""
    return _component(
        "govukInput",
        {
            "id": "q",
            "name": "q",
            "type": "search",
            "label": {"text": "Search", "classes": "govuk-label--s"},
            "value": WORDS_MARK if has_words else "",
            "spellcheck": False,
        },
    )


@lru_cache(maxsize=1024)
def _number_input(field_id, label, width, value, error):
    return _component(
        "govukInput",
        {
            "id": field_id,
            "name": field_id,
            "label": {"text": label, "classes": "govuk-label--s"},
            "inputmode": "numeric",
            "classes": f"govuk-input--width-{width}",
            "value": value,
            "errorMessage": {"text": error} if error else None,
        },
    )


@lru_cache(maxsize=2)
def _vcse_checkbox(checked):
    return _component(
        "govukCheckboxes",
        {
            "idPrefix": "vcse",
            "name": "vcse",
            "classes": "govuk-checkboxes--small",
            "fieldset": {"legend": {"text": "Reserved", "classes": "govuk-fieldset__legend--s"}},
            "items": [{"value": "1", "text": "Reserved for VCSEs", "checked": checked}],
        },
    )


_KINDS = (("", "Any"), ("mini_competition", "Mini-competition"), ("quick_quote", "Quick quote"))
_STATUSES = (("open", "Open"), ("closed", "Closed"), ("all", "All"))


@lru_cache(maxsize=16)
def _radios(name, legend, choices, chosen):
    return _component(
        "govukRadios",
        {
            "idPrefix": name,
            "name": name,
            "classes": "govuk-radios--small",
            "fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}},
            "items": [
                {"value": value, "text": text, "checked": value == chosen}
                for value, text in choices
            ],
        },
    )


def _fragment(template, **context):
    """Part of a page, rendered without the page's context (the navigation and the rest)."""
    return Markup(current_app.jinja_env.get_template(template).render(**context))


class _Item(NamedTuple):
    """What a result shows (attributes, not a dict: the template reads each one directly)."""

    href: str
    title: str
    buyer_name: str
    summary: str
    value: str
    place: str
    state: str
    lot_href: str
    lot_label: str
    reserved_vcse: bool
    quick_quote: bool


def _results_column(filters, links, results, lots, now):
    """The results column: the count, the page of results and the pagination links."""
    lots = {lot.id: lot for lot in lots}
    opportunity_href, lot_href = links.opportunity, links.lot
    deadline_words = deadlines_in_words(now)
    published, quick_quote, vcse = (
        OpportunityStatus.PUBLISHED,
        OpportunityKind.QUICK_QUOTE,
        ReservedFor.VCSE,
    )
    items = []
    for o in results.rows:
        lot = lots.get(o.lot_id)
        if o.status == published:
            state = deadline_words(o.submission_deadline).capitalize()
        else:
            state = o.status.value.replace("_", " ").capitalize()
        items.append(
            _Item(
                f"{opportunity_href}{o.id}",
                o.title,
                o.buyer_name,
                o.summary,
                "£{:,.0f}".format(o.estimated_value_pence / 100),
                location_name(o),
                state,
                f"{lot_href}{o.lot_id}",
                lot.label if lot else "",
                o.reserved_vcse or (lot is not None and lot.reserved_for == vcse),
                o.kind == quick_quote,
            )
        )
    previous = links.page(filters.page - 1) if filters.page > 1 else None
    next_ = links.page(filters.page + 1) if results.has_next else None
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


# The endpoints the page links to, and the query string werkzeug's ``url_for`` would add (its
# encoding, in ``werkzeug.urls``): each path is built once per process, not eight times a page.
_LINKED = (
    "lots.find_opportunities",
    "lots.opportunities_csv",
    "lots.opportunities_feed",
    "alerts.follow_search",
    "lots.find_pipeline",
)
_QUERY_SAFE = "!$'()*,/:;?@"


class _Links:
    """The page's links for its parameters (``query_args``), as ``url_for`` would build them."""

    def __init__(self, args):
        paths = current_app.extensions.setdefault("lots_search_paths", {})
        self.paths = paths.get(request.script_root)
        if self.paths is None:
            self.paths = paths[request.script_root] = {
                **{endpoint: url_for(endpoint) for endpoint in _LINKED},
                "opportunity": url_for("lots.view_opportunity", opportunity_id=0)[:-1],
                "lot": url_for("lots.view_lot", lot_id=0)[:-1],
            }
        self.args = args
        self.link_args = [(name, value) for name, value in args if name != "page"]
        query = urlencode(self.link_args, safe=_QUERY_SAFE)
        self.query = f"?{query}" if query else ""
        self.opportunity, self.lot = self.paths["opportunity"], self.paths["lot"]
        self.pipeline = self.paths["lots.find_pipeline"]
        self.csv = self.paths["lots.opportunities_csv"] + self.query
        self.feed = self.paths["lots.opportunities_feed"] + self.query
        follow = urlencode(args, safe=_QUERY_SAFE)
        self.follow = self.paths["alerts.follow_search"] + (f"?{follow}" if follow else "")

    def page(self, number):
        """The search page's link to page ``number`` of the same results."""
        query = urlencode([("page", number), *self.link_args], safe=_QUERY_SAFE)
        return f"{self.paths['lots.find_opportunities']}?{query}"


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
    """A GOV.UK select of ``pairs`` with ``selected`` chosen: the select is rendered once per
    process for its options, and each choice marked in a copy of it."""
    html = _unselected(field_id, label, pairs, empty, full_width)
    if selected is None:
        return html
    option = f'<option value="{escape(selected)}">'
    return Markup(str(html).replace(option, f'<option value="{escape(selected)}" selected>', 1))


@lru_cache(maxsize=64)
def _unselected(field_id, label, pairs, empty, full_width):
    params = {
        "id": field_id,
        "name": field_id,
        "label": {"text": label, "classes": "govuk-label--s"},
        "items": _items(pairs, empty),
    }
    if full_width:
        params["classes"] = "govuk-!-width-full"
    return Markup(render_template_string(_SELECT, params=params))


def _lot_pairs(lots):
    """(id, label) of each of ``lots`` (``lot_choices``) for the lot filter, kept for as long as
    the process keeps the same choices."""
    kept = current_app.extensions.get("lots_search_lot_pairs")
    if kept is None or kept[0] is not lots:
        pairs = tuple((lot.id, f"{lot.label} ({lot.dps_name})") for lot in lots)
        kept = current_app.extensions["lots_search_lot_pairs"] = (lots, pairs)
    return kept[1]


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


def _items(pairs, empty):
    items = [{"value": "", "text": empty}] if empty else []
    return items + [{"value": value, "text": text} for value, text in pairs]
