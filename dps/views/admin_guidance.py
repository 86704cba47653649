"""The operator's guidance on each question (``dps.guidance``): the list of topics and a page to
write each one. ``guidance_for`` puts it beside the question in the application and the bid."""

from flask import flash, redirect, render_template, url_for

from app.errors import ServiceError
from app.web import found, me, refused
from dps import guidance
from dps.admin_forms import GuidanceForm
from dps.blueprint import bp
from dps.permissions import operator_page
from dps.services import guidance as services


@bp.app_template_global("guidance_for")
def guidance_for(topic):
    """The guidance written for a topic (``type:quality``, ``sq:safeguarding_policy``), or None."""
    return guidance.guidance_for(topic)


@bp.route("/admin/guidance")
@operator_page
def admin_guidance():
    topics = guidance.topics()
    written = guidance.guidance_by_topic(t.key for t in topics)
    groups = {}
    for topic in topics:
        groups.setdefault(topic.group, []).append(topic)
    return render_template(
        "dps/admin_guidance.html",
        groups=groups,
        written=written,
        missing=sum(1 for t in topics if t.key not in written),
    )


@bp.route("/admin/guidance/<path:topic>", methods=["GET", "POST"])
@operator_page
def admin_edit_guidance(topic):
    chosen = found(guidance.topic(topic))
    row = guidance.guidance_for(chosen.key)
    form = GuidanceForm(
        data={p: getattr(row, p) for p in guidance.PARTS} if row is not None else None
    )
    if form.validate_on_submit():
        try:
            services.save_guidance(me(), chosen.key, **form.values())
        except ServiceError as exc:
            refused(form, exc, "good_answer")
        else:
            flash(f"The guidance on ‘{chosen.label}’ is saved.", "success")
            return redirect(url_for("dps.admin_guidance") + f"#{_anchor(chosen.key)}")
    return render_template("dps/admin_guidance_edit.html", topic=chosen, form=form)


@bp.app_template_filter("guidance_anchor")
def _anchor(key):
    return "topic-" + key.replace(":", "-")
