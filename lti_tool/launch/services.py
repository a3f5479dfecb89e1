"""Launch bookkeeping: tenant rows from a validated launch, and the server-side launch sessions."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from lti_tool.db import as_loaded, inserts_sent_together, note_write, run_with_queued, table_of, utcnow
from lti_tool.errors import N_, LaunchError
from lti_tool.events import Launched, publish
from lti_tool.launch.claims import Claim, LtiLaunch, MessageType
from lti_tool.launch.login_state import take_cte, take_params
from lti_tool.launch.models import Context, Deployment, LaunchSession, RegistryGeneration, ResourceLink, User
from lti_tool.launch.registry_cache import Registry

T = TypeVar("T")

# Only these launch claims are kept with the session; later features read them (no secrets in here).
_KEPT_CLAIMS = (Claim.LAUNCH_PRESENTATION, Claim.AGS_ENDPOINT, Claim.NRPS, Claim.DEEP_LINKING_SETTINGS,
                Claim.TOOL_PLATFORM)


@dataclass(frozen=True)
class NewSession:
    """A freshly created launch session and the bearer token only the browser gets."""

    session: LaunchSession
    token: str


def hash_token(token: str) -> str:
    """Session tokens are stored hashed, so a database dump cannot be replayed as a session."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginToTake(Protocol):
    """A validated launch's login state and nonce, still to be consumed (see takes_login)."""

    state: str
    nonce: str

    def taken(self, target: str | None, generation: int | None) -> None:
        """Refuse the launch unless its login state was taken (`target` is that login's target_link_uri); then
        check the registry generation the statement returned and the token's target against the login's."""


def takes_login(db: so.Session) -> bool:
    """Whether record_launch consumes the login state itself, in its first statement (PostgreSQL): the launch's
    DELETE of its login state rides on the user's upsert, one round trip less (bench/launch.py)."""
    return db.get_bind().dialect.name == "postgresql"


def record_launch(db: so.Session, deployment: Deployment, launch: LtiLaunch, *, lifetime_hours: int,
                  login: LoginToTake | None = None) -> NewSession:
    """Upsert the user, context and resource link of a validated launch and open a launch session (event Launched).

    `login`: the launch's login state, still to be consumed (only where takes_login): taken by the same statement
    as the user's upsert, which writes nothing unless it took it; the launch is refused (login.taken) otherwise.
    """
    if deployment.deployment_id != launch.deployment_id:
        raise LaunchError(N_("The launch names another deployment than the one validated."), code="unknown_deployment")
    user, known_context, known_link = _user_and_placement(db, deployment, launch, login)
    context = _upsert_context(db, deployment, launch, known_context)
    link = _upsert_resource_link(db, context, launch, known_link) if context is not None else None
    if secrets.randbelow(64) == 0:
        # Expired sessions are useless (find_session ignores them); sweeping on some launches keeps the table small.
        db.execute(sa.delete(LaunchSession).where(LaunchSession.expires_at < utcnow()))
    token, now = secrets.token_urlsafe(32), utcnow()
    values = {
        "token_hash": hash_token(token), "csrf_token": secrets.token_urlsafe(24), "user_pk": user.id,
        "deployment_pk": deployment.id, "context_pk": context.id if context else None,
        "resource_link_pk": link.id if link else None, "message_type": launch.message_type.value,
        "roles": sorted(role.value for role in launch.roles),
        "unit_slug": launch.unit_slug or (link.unit_slug if link else None),
        "locale": launch.locale, "claims": {str(c): launch.claims[c] for c in _KEPT_CLAIMS if c in launch.claims},
        "created_at": now, "expires_at": now + dt.timedelta(hours=lifetime_hours),
    }
    # The subscribers' plain INSERTs (the "launched" statement, the pilots' launch record) go with the session's
    # own INSERT: one statement on PostgreSQL (bench/launch.py), one after another elsewhere.
    session = _new_session(values, user=user, deployment=deployment, context=context, resource_link=link)
    with inserts_sent_together(db):
        publish(db, Launched(session=session, custom=launch.custom, at=now))
        session_id = run_with_queued(db, _INSERT_SESSION, values).scalar_one()
    _now_loaded(db, session, session_id)
    return NewSession(session=session, token=token)


_INSERT_SESSION = sa.insert(LaunchSession).returning(LaunchSession.id)  # run on the connection: plain Core


def _new_session(values: dict[str, Any], **related: object) -> LaunchSession:
    """The session's ORM object before its INSERT, its related rows set as if loaded (not in any session yet).

    A Core INSERT … RETURNING id follows (`_now_loaded`): the unit of work's flush of a new object with four
    relationships (or the ORM's bulk INSERT) cost more CPU than the round trip (bench/launch.py). The object is
    built from exactly the values inserted, so nothing is read back; later changes to it flush as usual.
    """
    session = so.class_mapper(LaunchSession).class_manager.new_instance()
    session.__dict__.update(values)  # without the constructor's attribute events (see lti_tool.db.as_loaded)
    for name, row in related.items():
        so.attributes.set_committed_value(session, name, row)
    return session


def _now_loaded(db: so.Session, session: LaunchSession, session_id: int) -> None:
    """The inserted session's object, persistent in `db` as if just loaded (every column given counts as loaded)."""
    session.id = session_id
    so.make_transient_to_detached(session)
    db.add(session)


def _insert(db: so.Session, model: type[T]) -> Any:
    """INSERT with ON CONFLICT for this session's database (both PostgreSQL and SQLite ≥ 3.24 have it)."""
    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def _get_or_create(db: so.Session, model: type[T], **key: object) -> T:
    """The row with this natural key; created if missing, even when a concurrent launch creates it too.

    Read first: a course or placement row exists after its first launch, and a plain read takes no row lock (an
    upsert that updates would lock the course's row for every learner launching into it at once). A missing row
    is created by one INSERT … ON CONFLICT DO NOTHING, so a race needs no savepoint: the loser reads the winner's.
    """
    query = sa.select(model).filter_by(**key)
    found = db.scalar(query)
    if found is not None:
        return found
    created = db.scalar(_insert(db, model).values(**key).on_conflict_do_nothing(index_elements=list(key))
                        .returning(model), execution_options={"populate_existing": True})
    if created is not None:
        return created
    found = db.scalar(query)  # the other launch won the race
    if found is None:
        raise LaunchError(N_("The launch could not be recorded; open the activity again."), code="launch_race")
    return found


_USER_FIELDS = ("name", "email", "locale", "last_launch_at")  # what a launch refreshes; the rest stays


@functools.cache
def _user_upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT (issuer, sub) DO UPDATE … RETURNING the row, built once per dialect."""
    insert = postgresql.insert(User) if dialect == "postgresql" else sqlite.insert(User)
    return (insert.on_conflict_do_update(index_elements=["issuer", "sub"],
                                         set_={name: insert.excluded[name] for name in _USER_FIELDS})
            .returning(*User.__table__.c))


@functools.cache
def _user_upsert_and_placement() -> Any:
    """PostgreSQL: the user's upsert (a data-modifying CTE) and the course and placement read in one statement."""
    columns = table_of(User).c
    upsert = _user_upsert("postgresql").values(
        {name: sa.bindparam(name, type_=columns[name].type) for name in ("issuer", "sub", *_USER_FIELDS)})
    user = upsert.cte("launched_user")
    return (sa.select(*user.c, Context, ResourceLink).select_from(user)
            .outerjoin(Context, sa.and_(Context.deployment_pk == sa.bindparam("deployment_pk"),
                                        Context.context_id == sa.bindparam("context_id", type_=sa.String)))
            .outerjoin(ResourceLink, sa.and_(ResourceLink.context_pk == Context.id,
                                             ResourceLink.resource_link_id == sa.bindparam("link_id",
                                                                                           type_=sa.String))))


@functools.cache
def _take_user_and_placement() -> Any:
    """PostgreSQL: the login state's DELETE, the user's upsert (only when the DELETE took the state) and the
    course and placement read in one statement; no row when the state was not taken."""
    taken = take_cte()
    columns = table_of(User).c
    names = ("issuer", "sub", *_USER_FIELDS)
    insert = postgresql.insert(User)
    values = sa.select(*(sa.bindparam(name, type_=columns[name].type) for name in names)).where(
        sa.exists(taken.select()))
    user = (insert.from_select(names, values)
            .on_conflict_do_update(index_elements=["issuer", "sub"],
                                   set_={name: insert.excluded[name] for name in _USER_FIELDS})
            .returning(*User.__table__.c).cte("launched_user"))
    return (sa.select(*taken.c, *user.c, Context, ResourceLink).select_from(taken).join(user, sa.true())
            .outerjoin(Context, sa.and_(Context.deployment_pk == sa.bindparam("deployment_pk"),
                                        Context.context_id == sa.bindparam("context_id", type_=sa.String)))
            .outerjoin(ResourceLink, sa.and_(ResourceLink.context_pk == Context.id,
                                             ResourceLink.resource_link_id == sa.bindparam("link_id",
                                                                                           type_=sa.String))))


def _user_and_placement(db: so.Session, deployment: Deployment, launch: LtiLaunch,
                        login: LoginToTake | None) -> tuple[User, Context | None, ResourceLink | None]:
    """The launch's user, upserted, and its course and placement rows when they exist (see _known_placement).

    The upsert is one statement: the user's row changes on every launch anyway (last_launch_at), and only this
    user's launches touch it, so its row lock costs nothing. Run as Core, and the object built from the row it
    returns (the ORM's own upsert cost three times the CPU; bench/launch.py). On PostgreSQL the course and
    placement come back from the same statement (the upsert as a data-modifying CTE): one round trip less.
    """
    user_values = {"issuer": launch.issuer, "sub": launch.sub, "name": launch.display_name[:255],
                   "email": str(launch.claims.get("email") or "")[:320], "locale": launch.locale,
                   "last_launch_at": utcnow()}
    note_write(db)
    if db.get_bind().dialect.name != "postgresql":
        if login is not None:
            raise TypeError("the login state is taken with the user's upsert only on PostgreSQL (takes_login)")
        row = db.connection().execute(_user_upsert(db.get_bind().dialect.name), user_values).one()
        return (as_loaded(db, User, dict(row._mapping)), *_known_placement(db, deployment, launch))
    params = {**user_values, **_placement_key(deployment, launch)}
    combined: tuple[Any, ...]
    if login is None:
        combined = tuple(db.execute(_user_upsert_and_placement(), params).one())
    else:
        found = db.execute(_take_user_and_placement(), {**params, **take_params(login.state, login.nonce)}).first()
        login.taken(*(found[:2] if found is not None else (None, None)))  # raises unless the state was taken
        assert found is not None
        combined = found[2:]
    user_row = {column.key: value for column, value in zip(table_of(User).c, combined, strict=False)}
    return as_loaded(db, User, user_row), combined[-2], combined[-1]


def _known_placement(db: so.Session, deployment: Deployment,
                     launch: LtiLaunch) -> tuple[Context | None, ResourceLink | None]:
    """The launch's course and placement rows, read by one statement when they exist (every launch but the first).

    A missing one is created by _get_or_create (None here); the first launch into a course pays its extra reads.
    """
    if not launch.context:
        return None, None
    row = db.execute(_KNOWN_PLACEMENT, _placement_key(deployment, launch)).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _placement_key(deployment: Deployment, launch: LtiLaunch) -> dict[str, object]:
    """The bind values of the course and placement read (NULL ids, which match no row, for what is missing)."""
    link_id = (str(launch.resource_link["id"]) if launch.message_type == MessageType.RESOURCE_LINK
               and launch.resource_link else None)
    return {"deployment_pk": deployment.id, "context_id": str(launch.context["id"]) if launch.context else None,
            "link_id": link_id}


# Built once (a launch without a placement binds link_id NULL, which matches no row): building the statement cost
# more CPU than running it (bench/launch.py --profile).
_KNOWN_PLACEMENT = (
    sa.select(Context, ResourceLink)
    .outerjoin(ResourceLink, sa.and_(ResourceLink.context_pk == Context.id,
                                     ResourceLink.resource_link_id == sa.bindparam("link_id", type_=sa.String)))
    .where(Context.deployment_pk == sa.bindparam("deployment_pk"), Context.context_id == sa.bindparam("context_id"))
)


def _upsert_context(db: so.Session, deployment: Deployment, launch: LtiLaunch, known: Context | None) -> Context | None:
    claim = launch.context
    if not claim:
        return None
    context = known or _get_or_create(db, Context, deployment_pk=deployment.id, context_id=str(claim["id"]))
    _refresh(context, title=str(claim.get("title") or "")[:1024], label=str(claim.get("label") or "")[:255])
    return context


def _upsert_resource_link(db: so.Session, context: Context, launch: LtiLaunch,
                          known: ResourceLink | None) -> ResourceLink | None:
    if launch.message_type != MessageType.RESOURCE_LINK:
        return None
    claim = launch.resource_link
    link = known or _get_or_create(db, ResourceLink, context_pk=context.id, resource_link_id=str(claim["id"]))
    _refresh(link, title=str(claim.get("title") or "")[:1024])
    if launch.unit_slug:
        version = launch.custom.get("unit_version")
        _refresh(link, unit_slug=launch.unit_slug,
                 requested_version=str(version)[:32] if isinstance(version, (str, int, float)) and version else None)
    ags = launch.claims.get(Claim.AGS_ENDPOINT)
    if isinstance(ags, dict) and isinstance(ags.get("lineitem"), str):
        _refresh(link, ags_lineitem_url=ags["lineitem"][:1024])
    return link


def _refresh(row: object, **values: object) -> None:
    """Set only the values that differ: an attribute set to its own value still marks the row dirty, and the next
    query's autoflush then runs the whole unit of work to find nothing to write (~0.5 ms per launch, measured
    with bench/launch.py --profile; SQLAlchemy 2.1 compares only at flush time)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


_FIND_SESSION = (sa.select(LaunchSession).where(LaunchSession.token_hash == sa.bindparam("token_hash"))
                 .options(so.joinedload(LaunchSession.user), so.joinedload(LaunchSession.resource_link)))


def find_session(db: so.Session, token: str, registry: Registry | None = None) -> LaunchSession | None:
    """The live launch session for a bearer token, or None (`registry`: the registrations' snapshot to check)."""
    if not token:
        return None
    # The user and the placement come in the same statement: nearly every launched page reads them (the unit
    # page, the assessment), and each would otherwise be a round trip of its own (bench/launch.py).
    return live_session(db.scalar(_FIND_SESSION, {"token_hash": hash_token(token)}), registry)


# The session of a page's token and the registry generation in one statement (a launched page needs both first):
# one row whenever the generation row exists, the session's columns NULL when no session has that token.
_SESSION_AND_GENERATION = (
    sa.select(RegistryGeneration.value, LaunchSession).select_from(RegistryGeneration)
    .outerjoin(LaunchSession, LaunchSession.token_hash == sa.bindparam("token_hash"))
    .where(RegistryGeneration.id == 1)
    .options(so.joinedload(LaunchSession.user), so.joinedload(LaunchSession.resource_link)))


_SESSION_BY_TOKEN = (
    sa.select(LaunchSession).where(LaunchSession.token_hash == sa.bindparam("token_hash"))
    .options(so.joinedload(LaunchSession.user), so.joinedload(LaunchSession.resource_link)))


def session_and_generation(db: so.Session, token: str) -> tuple[LaunchSession | None, int | None]:
    """The launch session row of a bearer token (not yet checked: see live_session) and the registry generation,
    read by one statement; the generation is None when its row does not exist yet (no registration change)."""
    params = {"token_hash": hash_token(token)}
    row = db.execute(_SESSION_AND_GENERATION, params).first()
    if row is not None:
        return row[1], row[0]
    # No generation row (the statement above selects from it): the session is read on its own.
    return db.scalars(_SESSION_BY_TOKEN, params).unique().first(), None


def live_session(session: LaunchSession | None, registry: Registry | None = None) -> LaunchSession | None:
    """The session if it is still live: not expired, its deployment and platform enabled (`registry`: the
    registrations' snapshot to check; without it, the rows)."""
    if session is None or session.expires_at < utcnow():
        return None
    if registry is not None:
        return session if registry.live(session.deployment_pk) else None
    if session.deployment.disabled_at is not None or session.deployment.platform.disabled_at is not None:
        return None  # disabled: at once, not when the session expires (a new launch shows why)
    return session


# How far back to look for a claim: platforms send the same service claims on every launch of a placement.
RECENT_LAUNCHES = 20


def recent_claim(db: so.Session, claim: Claim, usable: Callable[[Any], bool], *, context_pk: int | None = None,
                 resource_link_pk: int | None = None) -> Any | None:
    """A claim as the most recent launch of a course (or placement) that carried a usable one kept it, or None.

    For work done without the learner's launch at hand (a teacher's review, the roster): any recent launch
    there carries the same service claims.
    """
    query = sa.select(LaunchSession.claims)
    if context_pk is not None:
        query = query.where(LaunchSession.context_pk == context_pk)
    if resource_link_pk is not None:
        query = query.where(LaunchSession.resource_link_pk == resource_link_pk)
    for claims in db.scalars(query.order_by(LaunchSession.created_at.desc()).limit(RECENT_LAUNCHES)):
        value = (claims or {}).get(str(claim))
        if usable(value):
            return value
    return None
