"""Pages anyone can see: an opportunity's page and a lot's page. An invited supplier sees more
on the opportunity page (its tender documents and questions, and its bid); a member of the buyer sees its own
drafts there as a preview. Anyone else gets a 404 for a draft."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import ServiceError
from app.forms import optional_id
from app.reference import cpv, geography, social_value
from app.timeutil import utcnow
from app.web import found, me, refused
from dps.models import RESERVATION_BASIS_WORDS, RESERVED_LABELS, ReservationBasis
from dps.queries import admitted_counts
from dps.services import lot_conditions
from lots.blueprint import bp
from lots.opportunities import clarifications, conditions, patches, queries
from lots.opportunities.deadlines import closes_in_words
from lots.opportunities.forms import KIND_LABELS, LOCATION_LABELS, QUESTION_KIND_LABELS, TIE_BREAKS
from lots.opportunities.lot_scope import scope_of
from lots.opportunities.models import AreaType, LocationType
from lots.opportunities.permissions import is_operator, may_see_opportunity, of_buyer
from lots.opportunities.published_forms import AskQuestionForm
from lots.opportunities.readiness import reservation_bases


@bp.app_template_global("contract_conditions")
def contract_conditions(record):
    """[(name, sentence)]: the contract conditions of a call-off or a contract, in plain
    English (``lots.opportunities.conditions``)."""
    return conditions.statements(record)


@bp.app_template_filter("location_name")
def location_name(opportunity):
    """'Leeds', 'Yorkshire and The Humber' or 'Anywhere in the UK'."""
    if opportunity.location_type == LocationType.REGION:
        region = geography.region(opportunity.location_code)
        return region.name if region else opportunity.location_code
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        la = geography.local_authority(opportunity.location_code)
        return la.name if la else opportunity.location_code
    return LOCATION_LABELS[LocationType.NATIONAL]


def area_name(code):
    place = geography.region(code) or geography.local_authority(code)
    return place.name if place else code


def reservation_words(opportunity):
    """Who may bid, in plain words: one sentence per restriction, or open to all."""
    words = []
    for basis in reservation_bases(opportunity):
        if basis == ReservationBasis.BELOW_THRESHOLD_AREA:
            words.append(
                f"Reserved for suppliers based in {area_name(opportunity.reserved_area_code)}, "
                "which the law allows because the value is below the procurement threshold"
            )
        else:
            words.append(RESERVATION_BASIS_WORDS[basis])
    return words or ["Open to every supplier admitted to the lot"]


def measures_of(opportunity):
    return [m for m in (social_value.get(i) for i in opportunity.social_value_measures or []) if m]


@bp.route("/opportunities/<int:opportunity_id>")
def view_opportunity(opportunity_id):
    return render_opportunity(found(queries.opportunity(opportunity_id)))


def render_opportunity(opportunity, ask_form=None, status=200):
    """The opportunity's page, with the invited supplier's part when the person belongs to an
    invited organisation (``ask_form`` is their question form, with what they typed)."""
    if not may_see_opportunity(current_user, opportunity):
        abort(404)
    buyer_member = of_buyer(current_user, opportunity)
    supplier = supplier_part(opportunity, ask_form)
    now = utcnow()
    return render_template(
        "lots/opportunity.html",
        opportunity=opportunity,
        of_buyer=buyer_member,
        supplier=supplier,
        form=supplier["form"] if supplier else None,
        documents=queries.tender_documents(opportunity.id) if (supplier or buyer_member) else [],
        answers=queries.public_answers(opportunity.id),
        reservation=reservation_words(opportunity),
        measures=measures_of(opportunity),
        theme_name=social_value.theme_name,
        kind_labels=KIND_LABELS,
        question_kind_labels=QUESTION_KIND_LABELS,
        tie_breaks=TIE_BREAKS,
        closes_in_words=closes_in_words(opportunity.submission_deadline, now)
        if opportunity.submission_deadline
        else None,
        questions_close_in_words=closes_in_words(opportunity.question_deadline, now)
        if opportunity.question_deadline
        else None,
    ), status


_lot_panels = []


def add_lot_panel(panel):
    """``panel(lot) -> Markup``: more for a lot's page, after its open opportunities (the
    pipeline adds the planned work under the lot). Registered by ``lots.init_app``."""
    if panel not in _lot_panels:
        _lot_panels.append(panel)


@bp.route("/lots/<int:lot_id>")
def view_lot(lot_id):
    lot = found(queries.lot(lot_id))
    codes, areas = scope_of(lot.id)
    opportunities, total = queries.open_opportunities_of_lot(lot.id)
    return render_template(
        "lots/lot.html",
        lot=lot,
        reserved_labels=RESERVED_LABELS,
        categories=[(code, (cpv.get(code).description if cpv.get(code) else "")) for code in codes],
        areas=sorted(_area_label(t, c) for t, c in areas),
        admitted=admitted_counts(lot.dps_id).get(lot.id, 0),
        opportunities=opportunities,
        total=total,
        closes_in_words=closes_in_words,
        is_admin=is_operator(current_user),
        panels=[panel(lot) for panel in _lot_panels],
    )


@bp.route("/lots/<int:lot_id>/patches")
def view_patch_set(lot_id):
    """Every patch of the set the lot belongs to: its areas and who holds it, as a table (no
    map), so it reads the same with a screen reader or on a phone."""
    lot = found(queries.lot(lot_id))
    rows = patches.patch_set(lot)
    if rows is None:
        abort(404)
    return render_template(
        "lots/patch_set.html",
        lot=lot,
        rows=rows,
        conditions=lot_conditions.conditions_of_lots([lot.id]),
    )


def _area_label(area_type, code):
    if area_type == AreaType.NATIONAL:
        return "The whole UK"
    if area_type == AreaType.REGION:
        region = geography.region(code)
        return region.name if region else code
    la = geography.local_authority(code)
    return la.name if la else code


# --- What an invited supplier sees on top: tender documents, its questions, asking one ------------

_panels = []


def add_supplier_panel(panel):
    """``panel(opportunity, organisation) -> dict``: more for the invited supplier's part of the
    page (the bids stage adds its bid). Registered by ``lots.init_app``."""
    if panel not in _panels:
        _panels.append(panel)


def supplier_part(opportunity, ask_form=None):
    """The invited supplier's part of the page, or None when the person belongs to no invited
    organisation. Someone in several invited organisations chooses which with ``?as=``."""
    organisations = queries.invited_organisations_for(current_user, opportunity.id)
    if not organisations:
        return None
    wanted = ask_form.organisation_id.data if ask_form else request.args.get("as")
    organisation = next((o for o in organisations if str(o.id) == str(wanted)), organisations[0])
    part = {
        "organisation": organisation,
        "organisations": organisations,
        "questions": queries.questions_from(opportunity.id, organisation.id),
        "form": ask_form or AskQuestionForm(data={"organisation_id": str(organisation.id)}),
        "questions_open": clarifications.questions_open(opportunity),
    }
    for panel in _panels:
        part.update(panel(opportunity, organisation))
    return part


@bp.route("/opportunities/<int:opportunity_id>/questions", methods=["POST"])
@login_required
def ask_question(opportunity_id):
    opportunity = found(queries.opportunity(opportunity_id))
    form = AskQuestionForm()
    if form.validate_on_submit():
        organisation_id = optional_id(form.organisation_id.data)
        organisation = found(queries.organisation(organisation_id) if organisation_id else None)
        try:
            clarifications.ask(me(), organisation, opportunity, form.question.data)
        except ServiceError as exc:
            refused(form, exc, "question")
        else:
            flash(
                "Your question has been sent to the buyer. We will email you when it is answered.",
                "success",
            )
            return redirect(
                url_for(
                    "lots.view_opportunity",
                    opportunity_id=opportunity.id,
                    **{"as": organisation.id},
                )
                + "#your-questions"
            )
    return render_opportunity(opportunity, ask_form=form)
