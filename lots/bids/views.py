"""A supplier's bid: the overview with its status and task list, a page per question, pass/fail
questions, price, social value commitments, partners, attachments, check and submit, the
receipt, and withdrawal.

Only members of an invited organisation see these pages; anyone else gets a 404, so nobody
learns whether a bid exists. Someone in several invited organisations chooses which with
``?as=`` (as on the opportunity page). Views never decide who may bid or whether the deadline
has passed: each calls one service and shows its refusal (a NotAllowed about the deadline is
said plainly, with what was typed kept on the page; any other NotAllowed is a 403).
"""

from dataclasses import dataclass

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.documents.services import DocumentError, UploadFailed
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import add_error
from app.reference import social_value
from app.timeutil import format_datetime, utcnow
from app.web import found, me
from dps import queries as directory_queries
from lots.bids import services as bids
from lots.bids.forms import (
    ROLE_LABELS,
    AnswerForm,
    AttachmentForm,
    CopyAnswerForm,
    PartnersForm,
    StartBidForm,
    SubmitBidForm,
    WithdrawBidForm,
    add_row_error,
    pass_fail_form,
    price_form,
    social_value_form,
)
from lots.bids.models import BidStatus
from lots.blueprint import bp
from lots.opportunities import queries
from lots.opportunities.models import QuestionKind
from lots.search import queries as search

SCORED = (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)
KIND_NAMES = {
    QuestionKind.QUALITY: "Quality question",
    QuestionKind.SOCIAL_VALUE: "Social value question",
}


@dataclass
class Bidder:
    """Who is bidding for what: the opportunity, the person's invited organisation, its bid."""

    opportunity: object
    organisation: object
    organisations: list
    bid: object

    @property
    def problem(self):
        """Why the bid cannot change now (the service's words), or None."""
        if not hasattr(self, "_problem"):
            self._problem = bids.eligibility_problem(self.organisation.id, self.opportunity)
        return self._problem

    @property
    def editable(self):
        return self.problem is None

    def url(self, endpoint, **values):
        """A bid page's address, keeping the organisation chosen with ``?as=``."""
        if len(self.organisations) > 1:
            values["as"] = self.organisation.id
        return url_for(endpoint, opportunity_id=self.opportunity.id, **values)


def _bidder(opportunity_id, need_bid=True):
    """The signed-in person's side of the opportunity: 404 unless they belong to an invited
    organisation; without a bid yet, a section page sends them to the overview."""
    opportunity = found(queries.opportunity(opportunity_id))
    organisations = queries.invited_organisations_for(current_user, opportunity.id)
    if not organisations:
        abort(404)
    wanted = request.args.get("as")
    if wanted:
        organisation = found(next((o for o in organisations if str(o.id) == wanted), None))
    else:
        organisation = organisations[0]
    bidder = Bidder(
        opportunity, organisation, organisations, bids.bid_of(organisation.id, opportunity.id)
    )
    g.bidder = bidder
    if need_bid and bidder.bid is None:
        abort(redirect(bidder.url("lots.bid_overview")))
    return bidder


def _is_deadline(exc):
    return isinstance(exc, bids.DeadlinePassed)


def _refused(form, exc, default, fields=None):
    """A service said no: roll back, and show why against the field it names, keeping what was
    typed. NotAllowed is a 403 unless it is about the deadline, which is said plainly."""
    db.session.rollback()
    if isinstance(exc, NotAllowed) and not _is_deadline(exc):
        abort(403)
    message = str(exc)
    if isinstance(exc, NotAllowed):
        message = (
            f"{message.rstrip('.')}. Your bid can no longer be changed. What you typed "
            "is shown below, but it was not saved"
        )
    field = (fields or {}).get(exc.field, exc.field)
    add_error(form, field if field and hasattr(form, field) else default, message)


def _read_only(bidder):
    """A section page once the bid cannot change: the check page shows everything."""
    return redirect(bidder.url("lots.check_bid"))


def _questions(opportunity):
    return [q for q in opportunity.questions if q.kind in SCORED]


def _pass_fail_questions(opportunity):
    return [q for q in opportunity.questions if q.kind == QuestionKind.PASS_FAIL]


def _measures(opportunity):
    return [m for m in (social_value.get(i) for i in opportunity.social_value_measures or []) if m]


# --- Where each problem is put right ------------------------------------------------------------


def _problem_href(bidder, key):
    if key.startswith("answer-"):
        return bidder.url("lots.bid_question", question_id=int(key.split("-")[1])) + "#answer"
    if key.startswith("pass-fail-"):
        return bidder.url("lots.bid_pass_fail") + f"#{key}"
    if key == "total_price" or key.startswith("line-"):
        return bidder.url("lots.bid_price") + f"#{key}"
    if key.startswith("social-value-"):
        return bidder.url("lots.bid_social_value") + f"#{key}"
    if key.startswith("partners"):
        return bidder.url("lots.bid_partners")
    return bidder.url("lots.bid_attachments") + "#attachments"


def _problem_links(bidder, problems):
    return [
        {"text": message, "href": _problem_href(bidder, key)} for key, message in problems.items()
    ]


def _sections(bidder, problems):
    """The task list: (name, href, status) in page order."""
    bid, opportunity = bidder.bid, bidder.opportunity
    sections = []

    def status(keys, started):
        if any(k in problems for k in keys):
            return "Incomplete" if started else "Not yet started"
        return "Completed"

    for i, q in enumerate(_questions(opportunity), start=1):
        started = bool((bid.answers.get(str(q.id)) or "").strip())
        sections.append(
            (
                f"Question {i}: {q.text}",
                bidder.url("lots.bid_question", question_id=q.id),
                status([f"answer-{q.id}"], started),
            )
        )
    pass_fail = _pass_fail_questions(opportunity)
    if pass_fail:
        keys = [f"pass-fail-{q.id}" for q in pass_fail]
        sections.append(
            (
                "Pass or fail questions",
                bidder.url("lots.bid_pass_fail"),
                status(keys, any(bid.pass_fail.get(str(q.id)) for q in pass_fail)),
            )
        )
    lines = opportunity.price_schedule or []
    keys = [f"line-{i}" for i in range(len(lines))] if lines else ["total_price"]
    sections.append(
        (
            "Price",
            bidder.url("lots.bid_price"),
            status(keys, bool(bid.total_price_pence or any(bid.line_prices.values()))),
        )
    )
    if opportunity.social_value_measures:
        keys = [f"social-value-{m}" for m in opportunity.social_value_measures]
        sections.append(
            (
                "Social value commitments",
                bidder.url("lots.bid_social_value"),
                status(keys, any(str(v).strip() for v in bid.social_value.values())),
            )
        )
    count = len(bid.partners)
    sections.append(
        (
            "Partners: consortium members and subcontractors",
            bidder.url("lots.bid_partners"),
            f"{count} named" if count else "Optional",
        )
    )
    files = len(bid.attachment_ids)
    sections.append(
        (
            "Attachments",
            bidder.url("lots.bid_attachments"),
            "Incomplete"
            if "attachments" in problems
            else (f"{files} {'file' if files == 1 else 'files'}" if files else "Optional"),
        )
    )
    return sections


def _status_words(bid):
    """(tag text, tag class, sentence) for the bid's state."""
    if bid is None:
        return ("Not started", "govuk-tag--grey", "You have not started a bid.")
    current = bid.current_submission
    if bid.status == BidStatus.SUBMITTED and current is not None:
        return (
            "Submitted",
            "govuk-tag--green",
            f"Version {current.version} was submitted at {format_datetime(current.submitted_at)}.",
        )
    if bid.status == BidStatus.WITHDRAWN:
        return (
            "Withdrawn",
            "govuk-tag--red",
            f"You withdrew your bid at {format_datetime(bid.withdrawn_at)}. You can submit "
            "it again before the deadline.",
        )
    return ("Draft", "govuk-tag--yellow", "Your bid has not been submitted.")


def bid_words(bid):
    """A sentence or two on the bid's state, for the opportunity page."""
    words = _status_words(bid)[2]
    if bid.status == BidStatus.SUBMITTED and bids.has_unsubmitted_changes(bid):
        words += (
            " You have changes not yet submitted: the buyer will see version "
            f"{bid.current_submission.version} unless you submit again."
        )
    return words


def bid_panel(opportunity, organisation):
    """The invited supplier's bid on the opportunity page: its state, or what stops it bidding."""
    bid = bids.bid_of(organisation.id, opportunity.id)
    return {
        "bid": bid,
        "bid_words": bid_words(bid) if bid else None,
        "bid_problem": bids.eligibility_problem(organisation.id, opportunity),
        "start_form": StartBidForm(),
    }


def _deadline_words(opportunity):
    deadline = opportunity.submission_deadline
    if deadline is None:
        return "Not set"
    return f"{format_datetime(deadline)} ({search.closes_in_words(deadline, utcnow())})"


# --- The overview -------------------------------------------------------------------------------


@bp.route("/opportunities/<int:opportunity_id>/bid")
@login_required
def bid_overview(opportunity_id):
    bidder = _bidder(opportunity_id, need_bid=False)
    bid = bidder.bid
    problems = bids.problems(bid) if bid else {}
    tag, tag_class, sentence = _status_words(bid)
    return render_template(
        "lots/bid_overview.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        organisation=bidder.organisation,
        bid=bid,
        problems=problems,
        sections=_sections(bidder, problems) if bid else [],
        tag=tag,
        tag_class=tag_class,
        sentence=sentence,
        changed=bool(
            bid and bid.status == BidStatus.SUBMITTED and bids.has_unsubmitted_changes(bid)
        ),
        deadline=_deadline_words(bidder.opportunity),
        submissions=bids.submissions_of(bid) if bid else [],
        start_form=StartBidForm(),
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/start", methods=["POST"])
@login_required
def start_bid(opportunity_id):
    bidder = _bidder(opportunity_id, need_bid=False)
    form = StartBidForm()
    if form.validate_on_submit():
        try:
            bids.start_bid(me(), bidder.organisation, bidder.opportunity)
        except ServiceError as exc:
            db.session.rollback()
            if not _is_deadline(exc):
                abort(403)
            flash(f"{str(exc).rstrip('.')}. You cannot start a bid now.", "info")
    return redirect(bidder.url("lots.bid_overview"))


# --- Questions ----------------------------------------------------------------------------------


def _question(bidder, question_id):
    question = next((q for q in _questions(bidder.opportunity) if q.id == question_id), None)
    return found(question)


def _next_after(bidder, question):
    questions = _questions(bidder.opportunity)
    later = [q for q in questions if q.position > question.position]
    if later:
        return bidder.url("lots.bid_question", question_id=later[0].id)
    if _pass_fail_questions(bidder.opportunity):
        return bidder.url("lots.bid_pass_fail")
    return bidder.url("lots.bid_price")


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/questions/<int:question_id>", methods=["GET", "POST"]
)
@login_required
def bid_question(opportunity_id, question_id):
    bidder = _bidder(opportunity_id)
    question = _question(bidder, question_id)
    key = str(question.id)
    if request.method == "GET" and not bidder.editable:
        return _read_only(bidder)
    saved = bidder.bid.answers.get(key) or ""
    earlier = bids.earlier_answers(bidder.organisation.id, bidder.opportunity.id)
    copied = next((a for a in earlier if a["key"] == request.args.get("copy")), None)
    form = AnswerForm(data={"answer": copied["answer"] if copied else saved})
    if form.validate_on_submit():
        try:
            bids.save_draft(me(), bidder.bid, answers={key: form.answer.data or ""})
        except ServiceError as exc:
            _refused(form, exc, "answer")
        else:
            return redirect(_next_after(bidder, question))
    questions = _questions(bidder.opportunity)
    return render_template(
        "lots/bid_question.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        form=form,
        question=question,
        number=questions.index(question) + 1,
        total=len(questions),
        kind_name=KIND_NAMES[question.kind],
        copied=copied,
        has_earlier=bool(earlier),
        saved_words=bids.count_words(saved),
        autosave_url=bidder.url("lots.autosave_answer", question_id=question.id),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/questions/<int:question_id>/autosave", methods=["POST"]
)
@login_required
def autosave_answer(opportunity_id, question_id):
    """The question page's JavaScript saves the answer every little while (CSRF checked as for
    any form). Answers JSON: whether it was saved, and the server's word count."""
    bidder = _bidder(opportunity_id)
    question = _question(bidder, question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return jsonify(saved=False, message="Your answer could not be saved"), 400
    try:
        bids.save_draft(me(), bidder.bid, answers={str(question.id): form.answer.data or ""})
    except ServiceError as exc:
        db.session.rollback()
        return jsonify(saved=False, message=str(exc)), 409
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
    bidder = _bidder(opportunity_id)
    question = _question(bidder, question_id)
    if not bidder.editable:
        return _read_only(bidder)
    earlier = bids.earlier_answers(bidder.organisation.id, bidder.opportunity.id)
    form = CopyAnswerForm(earlier=earlier)
    if form.validate_on_submit():
        return redirect(
            bidder.url("lots.bid_question", question_id=question.id, copy=form.answer.data)
        )
    return render_template(
        "lots/bid_copy.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        form=form,
        question=question,
        earlier=earlier,
    )


# --- Pass or fail, price, social value ---------------------------------------------------------


def _section_page(
    bidder, form, template, save, default, fields=None, next_endpoint=None, **context
):
    """A section of the bid: the form filled from the bid, saved by ``save(form)`` (one service
    call), then on to the next section (or the overview)."""
    if request.method == "GET" and not bidder.editable:
        return _read_only(bidder)
    if form.validate_on_submit():
        try:
            save(form)
        except ServiceError as exc:
            _refused(form, exc, default, fields)
        else:
            return redirect(bidder.url(next_endpoint or "lots.bid_overview"))
    return render_template(
        template, bidder=bidder, opportunity=bidder.opportunity, form=form, **context
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/pass-fail", methods=["GET", "POST"])
@login_required
def bid_pass_fail(opportunity_id):
    bidder = _bidder(opportunity_id)
    questions = found(_pass_fail_questions(bidder.opportunity) or None)
    form = pass_fail_form(
        questions, {f"pass-fail-{q.id}": bidder.bid.pass_fail.get(str(q.id)) for q in questions}
    )
    return _section_page(
        bidder,
        form,
        "lots/bid_pass_fail.html",
        lambda f: bids.save_draft(me(), bidder.bid, pass_fail=f.values()),
        form._names[0],
        next_endpoint="lots.bid_price",
        questions=questions,
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/price", methods=["GET", "POST"])
@login_required
def bid_price(opportunity_id):
    bidder = _bidder(opportunity_id)
    schedule = bidder.opportunity.price_schedule or []
    form = price_form(schedule, bidder.bid)
    default = "line-0" if schedule else "total_price"
    return _section_page(
        bidder,
        form,
        "lots/bid_price.html",
        lambda f: bids.save_draft(me(), bidder.bid, **f.values()),
        default,
        {"line_prices": default},
        next_endpoint="lots.bid_social_value"
        if bidder.opportunity.social_value_measures
        else "lots.bid_partners",
        schedule=schedule,
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/social-value", methods=["GET", "POST"])
@login_required
def bid_social_value(opportunity_id):
    bidder = _bidder(opportunity_id)
    measures = found(_measures(bidder.opportunity) or None)
    form = social_value_form(measures, bidder.bid)
    return _section_page(
        bidder,
        form,
        "lots/bid_social_value.html",
        lambda f: bids.save_draft(me(), bidder.bid, social_value=f.values()),
        f"social-value-{measures[0].id}",
        next_endpoint="lots.bid_partners",
        measures=measures,
        theme_name=social_value.theme_name,
    )


# --- Partners -----------------------------------------------------------------------------------


@bp.route("/opportunities/<int:opportunity_id>/bid/partners", methods=["GET", "POST"])
@login_required
def bid_partners(opportunity_id):
    """Consortium members and subcontractors. Adding a row, removing one, searching the
    directory and picking from it re-show the page with everything typed; only "Save and
    continue" saves."""
    bidder = _bidder(opportunity_id)
    if request.method == "GET" and not bidder.editable:
        return _read_only(bidder)
    action = request.form.get("action", "save")
    results = None
    if request.method == "GET":
        form = PartnersForm(data=PartnersForm.initial(bidder.bid))
    else:
        form = PartnersForm()
        if not form.validate_on_submit() and action == "save":
            return _render_partners(bidder, form, results)
        rows = form.rows()
        if action == "add":
            return _render_partners(
                bidder,
                _rebuilt(rows + [{}], form.query.data),
                results,
                focus=f"partners-{len(rows)}-name",
            )
        if action.startswith("remove-") and action[7:].isdigit():
            index = int(action[7:])
            rows = [r for i, r in enumerate(rows) if i != index] or [{}]
            return _render_partners(bidder, _rebuilt(rows, form.query.data), results)
        if action == "search" or action.startswith("pick-"):
            if action.startswith("pick-") and action[5:].isdigit():
                picked = directory_queries.listed_supplier(int(action[5:]))
                if picked is not None:
                    rows = [r for r in rows if r.get("name") or r.get("organisation_id")]
                    rows.append({"organisation_id": str(picked.id), "name": picked.name})
                    return _render_partners(
                        bidder, _rebuilt(rows, ""), None, focus=f"partners-{len(rows) - 1}-role"
                    )
            results = _directory(bidder, form.query.data)
            return _render_partners(bidder, _rebuilt(rows, form.query.data), results)
        try:
            bids.set_partners(me(), bidder.bid, form.values())
        except ServiceError as exc:
            db.session.rollback()
            if isinstance(exc, NotAllowed) and not _is_deadline(exc):
                abort(403)
            _partner_error(form, exc)
        else:
            return redirect(bidder.url("lots.bid_attachments"))
    return _render_partners(bidder, form, results)


def _rebuilt(rows, query):
    return PartnersForm(formdata=None, data={"partners": rows, "query": query or ""})


def _directory(bidder, query):
    if not query:
        return []
    rows, _total = directory_queries.directory(q=query)
    return [o for o in rows if o.id != bidder.organisation.id]


def _partner_error(form, exc):
    message = str(exc)
    if isinstance(exc, NotAllowed):
        message = (
            f"{message.rstrip('.')}. Your bid can no longer be changed. What you typed "
            "is shown below, but it was not saved"
        )
    used = [i for i, row in enumerate(form.partners) if row.form.is_used]
    field = exc.field or ""
    if field.startswith("partners-") and field[9:].isdigit():
        index = used[int(field[9:])] if int(field[9:]) < len(used) else 0
        target = "share_percent" if "share" in message or "consortium" in message else "name"
        if "consortium member or a subcontractor" in message:
            target = "role"
        add_row_error(form, index, target, message)
    else:
        add_row_error(
            form,
            used[0] if used else 0,
            "share_percent" if field == "partners" else "name",
            message,
        )


def _render_partners(bidder, form, results, focus=None):
    return render_template(
        "lots/bid_partners.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        form=form,
        results=results,
        role_labels=ROLE_LABELS,
        focus=focus,
    )


# --- Attachments --------------------------------------------------------------------------------


@bp.route("/opportunities/<int:opportunity_id>/bid/attachments", methods=["GET", "POST"])
@login_required
def bid_attachments(opportunity_id):
    bidder = _bidder(opportunity_id)
    if request.method == "GET" and not bidder.editable:
        return _read_only(bidder)
    form = AttachmentForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = bids.attach(me(), bidder.bid, upload)
        except UploadRefused as exc:
            db.session.rollback()
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except (UploadFailed, DocumentError) as exc:
            db.session.rollback()
            add_error(form, "file", f"{str(exc).rstrip('.')}. The rest of your bid is saved")
        except ServiceError as exc:
            _refused(form, exc, "file")
        else:
            flash(f"{document.original_filename} has been attached to your bid.", "success")
            return redirect(bidder.url("lots.bid_attachments"))
    return _render_attachments(bidder, form)


def _render_attachments(bidder, form, error=None):
    return render_template(
        "lots/bid_attachments.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        form=form,
        documents=bids.attachments(bidder.bid),
        error=error,
        remove_form=StartBidForm(),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/attachments/<int:document_id>/remove", methods=["POST"]
)
@login_required
def remove_attachment(opportunity_id, document_id):
    bidder = _bidder(opportunity_id)
    document = found(next((d for d in bids.attachments(bidder.bid) if d.id == document_id), None))
    name = document.original_filename
    if StartBidForm().validate_on_submit():
        try:
            bids.detach(me(), bidder.bid, document_id)
        except (ServiceError, DocumentError) as exc:
            db.session.rollback()
            if isinstance(exc, NotAllowed) and not _is_deadline(exc):
                abort(403)
            form = AttachmentForm(formdata=None, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
            return _render_attachments(bidder, form, error=str(exc))
        flash(f"{name} has been removed from your bid.", "success")
    return redirect(bidder.url("lots.bid_attachments"))


# --- Check, submit, receipt, withdraw ---------------------------------------------------------


def _render_check(bidder, form, problems=None, refusal=None, status=200):
    bid = bidder.bid
    if problems is None:
        problems = bids.problems(bid)
    schedule = bidder.opportunity.price_schedule or []
    price = None
    if not problems or all(not (k == "total_price" or k.startswith("line-")) for k in problems):
        price = bids.price_pence(bid)
    return render_template(
        "lots/bid_check.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        bid=bid,
        form=form,
        problems=_problem_links(bidder, problems),
        refusal=refusal,
        questions=_questions(bidder.opportunity),
        pass_fail=_pass_fail_questions(bidder.opportunity),
        schedule=schedule,
        price=price,
        measures=_measures(bidder.opportunity),
        documents=bids.attachments(bid),
        role_labels=ROLE_LABELS,
        count_words=bids.count_words,
        deadline=_deadline_words(bidder.opportunity),
        changed=bids.has_unsubmitted_changes(bid),
    ), status


@bp.route("/opportunities/<int:opportunity_id>/bid/check")
@login_required
def check_bid(opportunity_id):
    bidder = _bidder(opportunity_id)
    return _render_check(bidder, SubmitBidForm())


@bp.route("/opportunities/<int:opportunity_id>/bid/submit", methods=["POST"])
@login_required
def submit_bid(opportunity_id):
    bidder = _bidder(opportunity_id)
    form = SubmitBidForm()
    if not form.validate_on_submit():
        return _render_check(bidder, form)
    try:
        bids.submit(me(), bidder.bid)
    except bids.BidIncomplete as exc:
        db.session.rollback()
        return _render_check(bidder, SubmitBidForm(formdata=None), problems=exc.problems)
    except (bids.DeadlinePassed, NotAllowed) as exc:
        db.session.rollback()
        if not _is_deadline(exc):
            abort(403)
        db.session.expire_all()
        bidder.bid = bids.bid_of(bidder.organisation.id, bidder.opportunity.id)
        return _render_check(bidder, SubmitBidForm(formdata=None), refusal=str(exc), status=409)
    return redirect(bidder.url("lots.bid_submitted"))


@bp.route("/opportunities/<int:opportunity_id>/bid/submitted")
@login_required
def bid_submitted(opportunity_id):
    bidder = _bidder(opportunity_id)
    submission = bidder.bid.current_submission
    if submission is None:
        return redirect(bidder.url("lots.bid_overview"))
    return render_template(
        "lots/bid_submitted.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        submission=submission,
        deadline=_deadline_words(bidder.opportunity),
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_bid(opportunity_id):
    bidder = _bidder(opportunity_id)
    if bidder.bid.status != BidStatus.SUBMITTED:
        return redirect(bidder.url("lots.bid_overview"))
    form = WithdrawBidForm()
    if form.validate_on_submit():
        try:
            bids.withdraw(me(), bidder.bid)
        except ServiceError as exc:
            _refused(form, exc, "submit")
        else:
            flash(
                "Your bid has been withdrawn. The buyer will not see it. You can submit it "
                "again before the deadline.",
                "success",
            )
            return redirect(bidder.url("lots.bid_overview"))
    return render_template(
        "lots/bid_withdraw.html",
        bidder=bidder,
        opportunity=bidder.opportunity,
        form=form,
        submission=bidder.bid.current_submission,
        deadline=_deadline_words(bidder.opportunity),
    )
