"""A bid's quality and social value questions: a page per question (saved as the supplier types,
by the page's JavaScript), and copying in an answer from an earlier bid."""

from flask import jsonify, redirect, render_template, request
from flask_login import login_required

from app.errors import ServiceError
from app.timeutil import format_datetime, utcnow
from app.web import found, me, refused_json
from lots.bids import services as bids
from lots.bids.forms import AnswerForm, CopyAnswerForm
from lots.bids.views.bidder import (
    bidder,
    pass_fail_questions,
    read_only,
    refused,
    scored_questions,
)
from lots.blueprint import bp
from lots.opportunities.models import QuestionKind

KIND_NAMES = {
    QuestionKind.QUALITY: "Quality question",
    QuestionKind.SOCIAL_VALUE: "Social value question",
}


def _question(who, question_id):
    question = next((q for q in scored_questions(who.opportunity) if q.id == question_id), None)
    return found(question)


def _next_after(who, question):
    questions = scored_questions(who.opportunity)
    later = [q for q in questions if q.position > question.position]
    if later:
        return who.url("lots.bid_question", question_id=later[0].id)
    if pass_fail_questions(who.opportunity):
        return who.url("lots.bid_pass_fail")
    return who.url("lots.bid_price")


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/questions/<int:question_id>", methods=["GET", "POST"]
)
@login_required
def bid_question(opportunity_id, question_id):
    who = bidder(opportunity_id)
    question = _question(who, question_id)
    key = str(question.id)
    if request.method == "GET" and not who.editable:
        return read_only(who)
    saved = who.bid.answers.get(key) or ""
    earlier = bids.earlier_answers(who.organisation.id, who.opportunity.id)
    copied = next((a for a in earlier if a["key"] == request.args.get("copy")), None)
    form = AnswerForm(data={"answer": copied["answer"] if copied else saved})
    if form.validate_on_submit():
        try:
            bids.save_draft(me(), who.bid, answers={key: form.answer.data or ""})
        except ServiceError as exc:
            refused(form, exc, "answer")
        else:
            return redirect(_next_after(who, question))
    questions = scored_questions(who.opportunity)
    return render_template(
        "lots/bid_question.html",
        bidder=who,
        opportunity=who.opportunity,
        form=form,
        question=question,
        number=questions.index(question) + 1,
        total=len(questions),
        kind_name=KIND_NAMES[question.kind],
        copied=copied,
        has_earlier=bool(earlier),
        saved_words=bids.count_words(saved),
        autosave_url=who.url("lots.autosave_answer", question_id=question.id),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/questions/<int:question_id>/autosave", methods=["POST"]
)
@login_required
def autosave_answer(opportunity_id, question_id):
    """The question page's JavaScript saves the answer every little while (CSRF checked as for
    any form). Answers JSON: whether it was saved, and the server's word count; a refusal is
    ``app.web.refused_json``'s error body."""
    who = bidder(opportunity_id)
    question = _question(who, question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return jsonify(saved=False, message="Your answer could not be saved"), 400
    try:
        bids.save_draft(me(), who.bid, answers={str(question.id): form.answer.data or ""})
    except ServiceError as exc:
        return refused_json(exc)
    return jsonify(
        saved=True,
        words=bids.count_words(form.answer.data),
        limit=question.word_limit,
        at=format_datetime(utcnow()).split(" on ")[0],
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/questions/<int:question_id>/copy",
    methods=["GET", "POST"],
)
@login_required
def copy_answer(opportunity_id, question_id):
    who = bidder(opportunity_id)
    question = _question(who, question_id)
    if not who.editable:
        return read_only(who)
    earlier = bids.earlier_answers(who.organisation.id, who.opportunity.id)
    form = CopyAnswerForm(earlier=earlier)
    if form.validate_on_submit():
        return redirect(
            who.url("lots.bid_question", question_id=question.id, copy=form.answer.data)
        )
    return render_template(
        "lots/bid_copy.html",
        bidder=who,
        opportunity=who.opportunity,
        form=form,
        question=question,
        earlier=earlier,
    )
