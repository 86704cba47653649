"""Defining places and their shared priorities (the operator), and the questions other features
ask: which places a buyer is in, which buyers a place holds, which measures a buyer is offered
first. Each change is one transaction, audited."""

import re

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.measures.models import MeasureStatus, SocialValueMeasure
from app.organisations.models import Organisation, OrganisationKind
from app.permissions import is_admin
from app.places.models import Place, PlaceAuthority, PlaceBuyer, PlacePriority
from app.reference import geography
from app.unitofwork import commit

MAX_PRIORITIES = 10  # a short list: the point is that buyers use the same few
MAX_NAME = 200
MAX_DESCRIPTION = 2000


def require_operator(user):
    if not is_admin(user):
        raise NotAllowed("Only the DPS operator can define places")


def slug_for(name):
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:80]


def _authority_named(text):
    """A current council or combined authority by code ("LDS") or name ("Leeds", "West
    Yorkshire"), else None."""
    wanted = text.strip()
    la = geography.local_authority(wanted.upper())
    if la is not None and la.current:
        return la
    folded = wanted.casefold()
    for la in geography.local_authorities(current_only=False):
        if la.current and folded in (la.name.casefold(), la.official_name.casefold()):
            return la
    return None


def resolve_areas(text):
    """What the operator typed (one council or combined authority a line, or separated by
    commas) as (the authorities named, the councils they cover). Raises ServiceError naming
    the first line that is not one."""
    named, covering = [], {}
    for raw in re.split(r"[\n,;]+", text or ""):
        if not raw.strip():
            continue
        la = _authority_named(raw)
        members = geography.covering_members(la.code) if la else []
        if not members:
            raise ServiceError(
                f"“{raw.strip()[:60]}” is not a current council or combined authority. Enter "
                "names like Leeds or West Yorkshire, or codes like LDS",
                "areas",
            )
        if la.code not in [n.code for n in named]:
            named.append(la)
        covering.update((m.code, m) for m in members)
    if not named:
        raise ServiceError("Enter at least one council or combined authority", "areas")
    return named, sorted(covering.values(), key=lambda la: la.name.casefold())


def create_place(user, name, areas, description=""):
    """A new place from a name and the councils or combined authority it covers."""
    require_operator(user)
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter the place’s name, like West Yorkshire", "name")
    if len(name) > MAX_NAME:
        raise ServiceError(f"The name must be {MAX_NAME} characters or fewer", "name")
    slug = slug_for(name)
    if not slug:
        raise ServiceError("Enter a name with letters or numbers in it", "name")
    if db.session.execute(sa.select(Place.id).where(Place.slug == slug)).first():
        raise ServiceError(f"There is already a place called {name}", "name")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ServiceError(
            f"The description must be {MAX_DESCRIPTION:,} characters or fewer", "description"
        )
    named, covering = resolve_areas(areas)
    place = Place(
        slug=slug,
        name=name,
        description=description,
        defined_as=[la.code for la in named],
        created_by_id=user.id,
        authorities=[PlaceAuthority(local_authority_code=la.code) for la in covering],
    )
    db.session.add(place)
    db.session.flush()
    record(
        E.CREATE_PLACE,
        subject=place,
        actor=user,
        detail={"name": name, "defined_as": place.defined_as, "councils": len(covering)},
    )
    commit()
    return place


def set_priorities(user, place, measure_ids):
    """The place's shared priority measures, in the order given: active measures, at most
    ``MAX_PRIORITIES``. A measure already on the list stays even if retired since."""
    require_operator(user)
    ids = list(dict.fromkeys(m for m in (measure_ids or []) if m))
    if len(ids) > MAX_PRIORITIES:
        raise ServiceError(
            f"Choose at most {MAX_PRIORITIES} measures: a short list that every buyer can use",
            "measures",
        )
    rows = {
        r.id: r
        for r in db.session.execute(
            sa.select(SocialValueMeasure).where(SocialValueMeasure.id.in_(ids))
        ).scalars()
    }
    had = set(place.priority_ids)
    for measure_id in ids:
        row = rows.get(measure_id)
        if row is None or (row.status == MeasureStatus.RETIRED and measure_id not in had):
            raise ServiceError("Choose measures from the list", "measures")
    place.priorities.clear()
    db.session.flush()
    place.priorities.extend(
        PlacePriority(measure_id=m, position=i) for i, m in enumerate(ids, start=1)
    )
    record(E.SET_PLACE_PRIORITIES, subject=place, actor=user, detail={"measures": ids})
    commit()
    return place


def set_buyers(user, place, organisation_ids):
    """The buyers the operator puts in the place by name (besides those whose council is in
    it): buyer organisations only."""
    require_operator(user)
    typed = [str(i).strip() for i in organisation_ids or []]
    if any(not t.isdigit() or int(t) >= 2**31 for t in typed):
        raise ServiceError("Choose buyers from the list", "buyers")
    ids = sorted({int(t) for t in typed})
    found = set(
        db.session.execute(
            sa.select(Organisation.id).where(
                Organisation.id.in_(ids), Organisation.kind == OrganisationKind.BUYER
            )
        ).scalars()
    )
    if found != set(ids):
        raise ServiceError("Choose buyers from the list", "buyers")
    place.members.clear()
    db.session.flush()
    place.members.extend(PlaceBuyer(organisation_id=i) for i in ids)
    record(E.SET_PLACE_BUYERS, subject=place, actor=user, detail={"organisations": ids})
    commit()
    return place


def all_buyers():
    return (
        db.session.execute(
            sa.select(Organisation)
            .where(Organisation.kind == OrganisationKind.BUYER)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


# --- Questions other features ask ---------------------------------------------------------------


def all_places():
    return db.session.execute(sa.select(Place).order_by(Place.name)).scalars().all()


def place_by_slug(slug):
    return db.session.execute(sa.select(Place).where(Place.slug == slug)).scalar_one_or_none()


def places_of_buyer(organisation):
    """The places the buyer is in: by its council, or put there by the operator."""
    code = getattr(organisation, "local_authority_code", None)
    by_council = (
        sa.select(PlaceAuthority.place_id).where(PlaceAuthority.local_authority_code == code)
        if code
        else sa.select(PlaceAuthority.place_id).where(sa.false())
    )
    by_name = sa.select(PlaceBuyer.place_id).where(PlaceBuyer.organisation_id == organisation.id)
    return (
        db.session.execute(
            sa.select(Place)
            .where(sa.or_(Place.id.in_(by_council), Place.id.in_(by_name)))
            .order_by(Place.name)
        )
        .scalars()
        .all()
    )


def buyer_ids_in(place):
    """The ids of the buyer organisations in the place: those whose council is one of the
    place's, and those the operator put in it."""
    by_council = (
        sa.select(Organisation.id)
        .join(
            PlaceAuthority,
            PlaceAuthority.local_authority_code == Organisation.local_authority_code,
        )
        .where(
            PlaceAuthority.place_id == place.id,
            Organisation.kind == OrganisationKind.BUYER,
        )
    )
    by_name = sa.select(PlaceBuyer.organisation_id).where(PlaceBuyer.place_id == place.id)
    return sorted(
        set(db.session.execute(by_council).scalars()) | set(db.session.execute(by_name).scalars())
    )


def buyers_in(place):
    ids = buyer_ids_in(place)
    if not ids:
        return []
    return (
        db.session.execute(
            sa.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def shared_priorities_for(organisation):
    """[(place, [measure ids])] of the places the buyer is in that have shared priorities: the
    measures it is offered first when it chooses a call-off's social value measures."""
    return [(p, p.priority_ids) for p in places_of_buyer(organisation) if p.priorities]
