"""Domain events → statements in the outbox: the bridge from ORM rows to the pure builders.

Each `record_*` function runs inside the caller's transaction (no commit, no network). Later events
(assessment, credentials) build their statements with `statements.py`, using `scope_of` and `unit_ref`
here, and hand them to `outbox.record_statements`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.catalogue.services import current_unit
from lti_tool.db import utcnow
from lti_tool.errors import NotFound
from lti_tool.launch.claims import STAFF_ROLES, MessageType, Role
from lti_tool.launch.models import LaunchSession
from lti_tool.xapi import statements as st
from lti_tool.xapi.outbox import record_statements
from lti_tool.xapi.profile import Profile
from lti_tool.xapi.refs import LtiScope, SectionRef, UnitRef


def scope_of(session: LaunchSession) -> LtiScope:
    """Who acted and where, from a launch session (issuer + sub only: no name or e-mail, DESIGN.md §5)."""
    return LtiScope(
        issuer=session.user.issuer,
        sub=session.user.sub,
        deployment_id=session.deployment.deployment_id,
        context_id=session.context.context_id if session.context is not None else None,
        client_id=session.deployment.platform.client_id,
    )


def unit_ref(unit: Unit) -> UnitRef:
    """A catalogue unit (one version) as builder input."""
    doc = unit.document
    return UnitRef(slug=unit.slug, version=unit.version, title=doc.get("title", unit.slug),
                   esco=tuple(doc.get("esco", ())), eqf_level=unit.eqf_level)


def is_learner(session: LaunchSession) -> bool:
    """A learner launch (staff previews are not learning records)."""
    roles = set(session.roles)
    return Role.LEARNER.value in roles and not roles & {r.value for r in STAFF_ROLES}


def record_launch_event(db: so.Session, session: LaunchSession, tool_base_url: str,
                        at: dt.datetime | None = None) -> int:
    """Queue "unit launched" for a learner's resource-link launch of a unit in the catalogue."""
    if session.message_type != MessageType.RESOURCE_LINK.value or not session.unit_slug or not is_learner(session):
        return 0
    unit = current_unit(db, session.unit_slug)
    if unit is None:  # the unit page will say so; there is no activity to talk about
        return 0
    statement = st.unit_launched(Profile(tool_base_url), scope_of(session), unit_ref(unit), at or utcnow())
    return record_statements(db, [statement])


def record_section_experienced(db: so.Session, session: LaunchSession, unit: Unit, section_id: str,
                               tool_base_url: str, at: dt.datetime | None = None) -> int:
    """Queue "experienced" for a study section the learner has read (staff previews are not recorded)."""
    if not is_learner(session):
        return 0
    section = next((s for s in unit.document.get("sections", []) if str(s["id"]) == section_id), None)
    if section is None:
        raise NotFound(f"Section {section_id!r} is not part of this unit.")
    ref = SectionRef(id=str(section["id"]), title=section["title"])
    statement = st.section_experienced(Profile(tool_base_url), scope_of(session), unit_ref(unit), ref, at or utcnow())
    return record_statements(db, [statement])
