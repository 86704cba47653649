"""Matching the supplier names in a buyer's spend to organisations in the directory.

In this order, the first that answers wins:

1. a company or charity number (when the buyer's supplier number column holds them);
2. what this buyer's earlier spend was matched to: the same name, normalised, or the same
   supplier number of the buyer's own (a name waiting for review stays waiting; one a person
   rejected stays unmatched);
3. the same normalised name (legal name or trading name) as exactly one organisation;
4. the same normalised name as another buyer's match that a person or a number settled;
5. a likely name: rapidfuzz's ``token_sort_ratio`` of the normalised names within the review band
   (``REVIEW_FROM`` to 99) puts the pair in the review queue, where a buyer or the operator
   accepts or rejects it.

Names are normalised as the debarment list's are (``dps.services.debarment.name_key``: case,
accents, punctuation, "Ltd", "Limited", "The", "CIC" and other legal forms taken out), and numbers
as Companies House and the charity registers write them.
"""

import re
from collections import defaultdict
from functools import lru_cache

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind
from dps.services.debarment import charity_key, company_key, name_key
from spend.models import MatchMethod, MatchStatus, SpendLine, SupplierMatch

REVIEW_FROM = 85  # a likely match scores this or more (out of 100) and goes to review


_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}(?:[A-Za-z]\b)?")


@lru_cache(maxsize=65536)
def name_of(name):
    """``name_key`` of a name with its dotted abbreviations closed up ('C.I.C.' -> 'CIC'), so
    that a legal form written with stops is taken out like any other."""
    return name_key(_DOTTED.sub(lambda m: m.group(0).replace(".", ""), name or ""))


@lru_cache(maxsize=65536)
def supplier_key(name):
    """The normalised name spend lines are grouped and matched by ('' for a redacted line)."""
    if not name:
        return ""
    return name_of(name) or " ".join(name.casefold().split())[:300]


class Matcher:
    """Matches one buyer's supplier names, reading the directory and the buyer's earlier matches
    once, and recording each new name's outcome as a ``SupplierMatch`` in the session."""

    def __init__(self, buyer_id):
        self.buyer_id = buyer_id
        suppliers = db.session.execute(
            sa.select(
                Organisation.id,
                Organisation.name,
                Organisation.trading_name,
                Organisation.company_number,
                Organisation.charity_number,
            ).where(Organisation.kind == OrganisationKind.SUPPLIER)
        ).all()
        self.by_company, self.by_charity = {}, {}
        self.by_key = defaultdict(set)
        for org_id, name, trading_name, company, charity in suppliers:
            if company_key(company or ""):
                self.by_company[company_key(company)] = org_id
            if charity_key(charity or ""):
                self.by_charity[charity_key(charity)] = org_id
            for text in (name, trading_name):
                if text and name_of(text):
                    self.by_key[name_of(text)].add(org_id)
        self.keys = list(self.by_key)
        self.remembered = {
            m.supplier_key: m
            for m in db.session.execute(
                sa.select(SupplierMatch).where(SupplierMatch.buyer_id == buyer_id)
            ).scalars()
        }
        self.by_ref = dict(
            db.session.execute(
                sa.select(SpendLine.supplier_ref, sa.func.min(SpendLine.organisation_id))
                .where(
                    SpendLine.buyer_id == buyer_id,
                    SpendLine.supplier_ref.is_not(None),
                    SpendLine.organisation_id.is_not(None),
                )
                .group_by(SpendLine.supplier_ref)
                .having(sa.func.count(sa.distinct(SpendLine.organisation_id)) == 1)
            ).all()
        )
        settled = defaultdict(set)
        for key, org_id in db.session.execute(
            sa.select(SupplierMatch.supplier_key, SupplierMatch.organisation_id).where(
                SupplierMatch.status == MatchStatus.MATCHED,
                SupplierMatch.method.in_([MatchMethod.NUMBER, MatchMethod.REVIEW]),
            )
        ):
            settled[key].add(org_id)
        self.settled = {key: ids.pop() for key, ids in settled.items() if len(ids) == 1}
        self.new_matches = []
        self.this_run = {}  # name -> (organisation id, method) as first matched in this run

    def _by_number(self, ref, id_kind):
        if not ref:
            return None
        if id_kind == "company":
            return self.by_company.get(company_key(ref) or "")
        if id_kind == "charity":
            return self.by_charity.get(charity_key(ref) or "")
        return None

    def match(self, name, ref=None, id_kind=None):
        """(organisation id or None, MatchMethod) for a supplier name as a spend file gives it."""
        key = supplier_key(name)
        if not key:
            return None, MatchMethod.NONE
        org_id = self._by_number(ref, id_kind)
        if org_id is not None:
            self._remember(key, name, ref, org_id, MatchStatus.MATCHED, MatchMethod.NUMBER)
            return org_id, MatchMethod.NUMBER
        if key in self.this_run:
            return self.this_run[key]
        known = self.remembered.get(key)
        if known is not None and known.status == MatchStatus.MATCHED:
            return known.organisation_id, MatchMethod.EARLIER
        if known is not None and known.status in (MatchStatus.PENDING, MatchStatus.REJECTED):
            return None, MatchMethod.NONE
        if ref and id_kind in ("internal", "vat") and ref in self.by_ref:
            org_id = self.by_ref[ref]
            self._remember(key, name, ref, org_id, MatchStatus.MATCHED, MatchMethod.EARLIER)
            return org_id, MatchMethod.EARLIER
        exact = self.by_key.get(name_of(name))
        if exact and len(exact) == 1:
            org_id = next(iter(exact))
            self._remember(key, name, ref, org_id, MatchStatus.MATCHED, MatchMethod.NAME)
            return org_id, MatchMethod.NAME
        if key in self.settled:
            org_id = self.settled[key]
            self._remember(key, name, ref, org_id, MatchStatus.MATCHED, MatchMethod.EARLIER)
            return org_id, MatchMethod.EARLIER
        likely = (
            process.extractOne(
                key, self.keys, scorer=fuzz.token_sort_ratio, score_cutoff=REVIEW_FROM
            )
            if self.keys
            else None
        )
        if likely is not None and len(self.by_key[likely[0]]) == 1:
            org_id = next(iter(self.by_key[likely[0]]))
            self._remember(
                key, name, ref, org_id, MatchStatus.PENDING, MatchMethod.NONE, int(likely[1])
            )
            return None, MatchMethod.NONE
        self._remember(key, name, ref, None, MatchStatus.UNMATCHED, MatchMethod.NONE)
        return None, MatchMethod.NONE

    def _remember(self, key, name, ref, org_id, status, method, score=None):
        matched = status == MatchStatus.MATCHED
        self.this_run[key] = (org_id, method) if matched else (None, MatchMethod.NONE)
        match = self.remembered.get(key)
        if match is None:
            match = SupplierMatch(buyer_id=self.buyer_id, supplier_key=key)
            db.session.add(match)
            self.remembered[key] = match
            self.new_matches.append(match)
        elif match.status == status and match.organisation_id == org_id:
            return
        match.supplier_name = (name or "")[:300]
        match.supplier_ref = ref
        match.organisation_id = org_id
        match.status = status
        match.method = method
        match.score = score
