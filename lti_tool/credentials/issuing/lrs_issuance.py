"""Issue, into this tool's database, the credentials that an LRS's statements justify (the separate issuer).

The decision is `from_lrs.decide` (pure); this module supplies the catalogue it checks against, finds or
creates the learner (LTI issuer + sub, as the statement's actor names them) and issues through
`services.issue_for_mastery`, which keeps exactly one live credential per learner and unit version, so
running the issuer again issues nothing new. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from lti_tool.catalogue.models import Unit
from lti_tool.credentials.issuing.from_lrs import Catalogue, Justified
from lti_tool.credentials.models import Credential
from lti_tool.credentials.runtime import CredentialEnv
from lti_tool.credentials.services import issue_for_mastery, live_credential
from lti_tool.launch.models import User


@dataclass(frozen=True, slots=True)
class Issued:
    """What happened to one justified credential: newly issued, or already there (id None: a dry run's new one)."""

    justified: Justified
    credential_id: str | None
    new: bool


def catalogue_index(session: so.Session) -> Catalogue:
    """Every unit version in the catalogue (current or not) with its learning outcome ids."""
    return {(unit.slug, unit.version): unit.doc.outcome_ids
            for unit in session.scalars(sa.select(Unit))}


def _unit(session: so.Session, slug: str, version: str) -> Unit:
    unit = session.scalar(sa.select(Unit).where(Unit.slug == slug, Unit.version == version))
    if unit is None:  # decide() only justifies catalogue units; this is a catalogue changed under our feet
        raise LookupError(f"unit {slug} version {version} is not in the catalogue")
    return unit


def _find_user(session: so.Session, home_page: str, sub: str) -> User | None:
    return session.scalar(sa.select(User).where(User.issuer == home_page, User.sub == sub))


def _user(session: so.Session, home_page: str, sub: str) -> User:
    """The learner (issuer, sub); created without name or e-mail, which statements never carry (DESIGN.md §5)."""
    found = _find_user(session, home_page, sub)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            user = User(issuer=home_page, sub=sub)
            session.add(user)
        return user
    except IntegrityError:
        # The learner launched the tool at this very moment and the launch created the row first.
        found = _find_user(session, home_page, sub)
        if found is None:
            raise
        return found


def existing(session: so.Session, justified: Justified) -> Credential | None:
    """The live credential the learner already holds for that unit version (reads only)."""
    user = _find_user(session, justified.home_page, justified.sub)
    if user is None:
        return None
    return live_credential(session, user.id, _unit(session, justified.slug, justified.version).id)


def issue(session: so.Session, justified: Justified, *, now: dt.datetime, env: CredentialEnv | None = None) -> Issued:
    """Issue the justified credential unless the learner already holds it; flushes, never commits."""
    unit = _unit(session, justified.slug, justified.version)
    user = _user(session, justified.home_page, justified.sub)
    before = live_credential(session, user.id, unit.id)
    if before is not None:
        return Issued(justified, before.id, new=False)
    credential = issue_for_mastery(session, user, unit, justified.outcomes, now=now, env=env)
    # issue_for_mastery hands back a concurrent issuer's credential when that one won the race.
    return Issued(justified, credential.id, new=credential.issued_at == now)
