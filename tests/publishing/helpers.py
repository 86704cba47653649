"""Builders for notice tests: a call-off taken through evaluation to a confirmed award, and the
notices of a contracting process."""

import sqlalchemy as sa

from app.extensions import db
from lots.awards import services as awards
from lots.evaluation import scores as evaluation_scores
from lots.evaluation import sealing
from lots.evaluation import services as evaluation
from publishing.models import Notice


def confirm_award(w):
    """Past the deadline (the caller travels there): evaluate, propose the first bid, confirm."""
    evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.eve)
    evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.max, moderator=True)
    sealing.open_bids(w.buyer_user, w.opportunity)
    for person in (w.eve, w.max):
        evaluation.declare(person, w.opportunity, conflict=False)
    for person in (w.eve, w.max):
        for bid in evaluation.bids_to_score(w.opportunity.id):
            for q in evaluation.scored_questions(w.opportunity.id):
                evaluation_scores.score(person, w.opportunity, bid, q, 3, "Clear and local")
        evaluation_scores.submit_scores(person, w.opportunity)
    for bid in evaluation.bids_to_score(w.opportunity.id):
        for q in evaluation.scored_questions(w.opportunity.id):
            score = 4 if bid.id == w.bids[0].id else 1
            evaluation_scores.moderate(w.max, w.opportunity, bid, q, score, "Agreed")
    awards.propose(w.buyer_user, w.opportunity)
    return awards.confirm(w.ann, w.opportunity)


def notices(ocid=None, notice_type=None):
    query = sa.select(Notice).order_by(Notice.id)
    if ocid:
        query = query.where(Notice.ocid == ocid)
    if notice_type:
        query = query.where(Notice.notice_type == notice_type)
    return db.session.execute(query).scalars().all()
