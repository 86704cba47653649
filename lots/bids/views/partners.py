"""A bid's partners: consortium members and subcontractors, typed in or picked from the supplier
directory, each with its share of the work."""

from flask import redirect, render_template, request
from flask_login import login_required

from app.errors import ServiceError
from app.forms import optional_id
from app.web import me
from dps import queries as directory_queries
from lots.bids import services as bids
from lots.bids.forms import ROLE_LABELS, PartnersForm
from lots.bids.views.bidder import bidder, read_only, refused
from lots.blueprint import bp

# A partner picked from the directory shows as its name: a refusal about it goes there.
BOXES = {"organisation_id": "name"}


@bp.route("/opportunities/<int:opportunity_id>/bid/partners", methods=["GET", "POST"])
@login_required
def bid_partners(opportunity_id):
    """Consortium members and subcontractors. Adding a row, removing one, searching the
    directory and picking from it re-show the page with everything typed; only "Save and
    continue" saves."""
    who = bidder(opportunity_id)
    if request.method == "GET" and not who.editable:
        return read_only(who)
    action = request.form.get("action", "save")
    results = None
    if request.method == "GET":
        form = PartnersForm(data=PartnersForm.initial(who.bid))
    else:
        form = PartnersForm()
        if not form.validate_on_submit() and action == "save":
            return _render_partners(who, form, results)
        rows = form.rows()
        if action == "add":
            return _render_partners(
                who,
                _rebuilt(rows + [{}], form.query.data),
                results,
                focus=f"partners-{len(rows)}-name",
            )
        if action.startswith("remove-") and action[7:].isdigit():
            index = int(action[7:])
            rows = [r for i, r in enumerate(rows) if i != index] or [{}]
            return _render_partners(who, _rebuilt(rows, form.query.data), results)
        if action == "search" or action.startswith("pick-"):
            if action.startswith("pick-") and optional_id(action[5:]):
                picked = directory_queries.listed_supplier(optional_id(action[5:]))
                if picked is not None:
                    rows = [r for r in rows if r.get("name") or r.get("organisation_id")]
                    rows.append({"organisation_id": str(picked.id), "name": picked.name})
                    return _render_partners(
                        who, _rebuilt(rows, ""), None, focus=f"partners-{len(rows) - 1}-role"
                    )
            results = _directory(who, form.query.data)
            return _render_partners(who, _rebuilt(rows, form.query.data), results)
        try:
            bids.set_partners(me(), who.bid, form.values())
        except ServiceError as exc:
            _refused(form, exc)
        else:
            return redirect(who.url("lots.bid_attachments"))
    return _render_partners(who, form, results)


def _rebuilt(rows, query):
    return PartnersForm(formdata=None, data={"partners": rows, "query": query or ""})


def _directory(who, query):
    if not query:
        return []
    rows, _total = directory_queries.directory(q=query)
    return [o for o in rows if o.id != who.organisation.id]


def _refused(form, exc):
    """Show the service's refusal against the box it names: ``partners-1-role`` is the role of
    the second partner filled in (the service counts only those). Their shares together
    (``partners``) go against the first partner's share; anything else against its name."""
    used = [i for i, row in enumerate(form.partners) if row.form.is_used]
    first = used[0] if used else 0
    parts = (exc.field or "").split("-", 2)
    if len(parts) == 3 and parts[0] == "partners" and parts[1].isdigit():
        n = int(parts[1])
        index, box = (used[n] if n < len(used) else 0), BOXES.get(parts[2], parts[2])
    else:
        index, box = first, "share_percent" if exc.field == "partners" else "name"
    refused(form.row(index), exc, box, {exc.field: box})
    form.row_errors_changed()


def _render_partners(who, form, results, focus=None):
    return render_template(
        "lots/bid_partners.html",
        bidder=who,
        opportunity=who.opportunity,
        form=form,
        results=results,
        role_labels=ROLE_LABELS,
        focus=focus,
    )
