"""Names and Role Provisioning Services 2.0: the members of a context, read page by page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import orm as so

from lti_tool.launch.claims import Role, map_roles
from lti_tool.launch.models import Platform
from lti_tool.lms.errors import ServiceError
from lti_tool.lms.protocol import LmsServices
from lti_tool.lms.spec import MediaType, MemberStatus, Scope
from lti_tool.lms.urls import with_query

PAGE_SIZE = 100
_WHAT = "Reading the course roster from the LMS"


@dataclass(frozen=True)
class Member:
    """One member of a context (NRPS 2.0 §2.4 'members')."""

    user_id: str
    status: MemberStatus
    roles: tuple[str, ...]
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""

    @property
    def tool_roles(self) -> frozenset[Role]:
        """The roles reduced to the tool's vocabulary."""
        return map_roles(list(self.roles))

    @property
    def is_learner(self) -> bool:
        """True for a learner (the people the dashboard lists)."""
        return Role.LEARNER in self.tool_roles

    def to_json(self) -> dict[str, Any]:
        """The member as stored in the roster cache."""
        return {"user_id": self.user_id, "status": self.status.value, "roles": list(self.roles),
                "name": self.name, "given_name": self.given_name, "family_name": self.family_name,
                "email": self.email}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Member | None:
        """A member from the platform's JSON (or the cache); None when it has no user_id."""
        user_id = data.get("user_id")
        if not isinstance(user_id, str | int) or str(user_id) == "":
            return None
        raw_status = data.get("status", MemberStatus.ACTIVE)
        # NRPS 2.0 §2.4: status defaults to Active; an unknown value is treated as Inactive (shown, not graded).
        status = MemberStatus(raw_status) if raw_status in set(MemberStatus) else MemberStatus.INACTIVE
        roles = data.get("roles")

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        return cls(user_id=str(user_id), status=status,
                   roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
                   name=text("name"), given_name=text("given_name"), family_name=text("family_name"),
                   email=text("email"))


def fetch_members(client: LmsServices, session: so.Session, platform: Platform, memberships_url: str, *,
                  page_size: int = PAGE_SIZE, max_pages: int = 200) -> list[Member]:
    """Every member of the context, following Link rel="next" (NRPS 2.0 §2.4.2, limit parameter)."""
    scopes = frozenset({str(Scope.NRPS_READONLY)})
    members: list[Member] = []
    seen: set[str] = set()
    url = with_query(memberships_url, limit=page_size)
    for page in client.pages(session, platform, scopes, url, what=_WHAT, accept=MediaType.MEMBERSHIP_CONTAINER,
                             max_pages=max_pages):
        try:
            body = page.json()
        except ValueError as exc:
            raise ServiceError(f"{_WHAT}: the answer is not JSON.", retryable=True) from exc
        raw = body.get("members") if isinstance(body, dict) else None
        if not isinstance(raw, list):
            raise ServiceError(f"{_WHAT}: the answer has no members list.", retryable=True)
        for entry in raw:
            member = Member.from_json(entry) if isinstance(entry, dict) else None
            # A member can appear on two pages when the roster changes while we page: keep the first.
            if member is not None and member.user_id not in seen:
                seen.add(member.user_id)
                members.append(member)
    return members
