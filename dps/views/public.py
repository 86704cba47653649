"""The public pages of a DPS: what it buys and how to join, its lots, and its questionnaire, which
anyone can read before registering. No sign-in needed."""

from flask import render_template
from flask_login import current_user

from app.web import found
from dps import queries
from dps.blueprint import bp
from dps.models import REGIME_LABELS, RESERVED_LABELS, Regime
from dps.services.clock import today
from dps.services.setup import definition_for
from dps.views.supplier_forms import YES_NO, describe_condition

REGIME_IN_PLAIN_WORDS = {
    Regime.PROCUREMENT_ACT_2023: (
        "This is a dynamic market under the Procurement Act 2023. Suppliers that meet the "
        "conditions can apply to join at any time while it is open, and there is no limit on "
        "how many can join. The conditions for joining stay the same for its whole life."
    ),
    Regime.PCR_2015: (
        "This is a dynamic purchasing system under regulation 34 of the Public Contracts "
        "Regulations 2015. Suppliers that meet the selection criteria can apply to join at any "
        "time while it is open, and there is no limit on how many can join. Joining is free."
    ),
}


@bp.route("/dps")
def list_dps():
    return render_template("dps/public_list.html", all_dps=queries.all_dps(), today=today())


@bp.route("/dps/<slug>")
def view_dps(slug):
    dps = found(queries.dps_by_slug(slug))
    return render_template(
        "dps/public_dps.html",
        dps=dps,
        regime_label=REGIME_LABELS[dps.regime],
        regime_words=REGIME_IN_PLAIN_WORDS[dps.regime],
        reserved_labels=RESERVED_LABELS,
        admitted=queries.admitted_counts(dps.id),
        median_days=queries.median_decision_days(dps),
        is_open=dps.is_open_on(today()),
        signed_in=current_user.is_authenticated,
    )


@bp.route("/dps/<slug>/questionnaire")
def view_questionnaire(slug):
    dps = found(queries.dps_by_slug(slug))
    definition = definition_for(dps.questionnaire)
    conditions = {
        question.id: describe_condition(definition, question.show_if)
        for question in definition.by_id.values()
        if question.show_if
    }
    return render_template(
        "dps/public_questionnaire.html",
        dps=dps,
        definition=definition,
        conditions=conditions,
        yes_no=YES_NO,
    )
