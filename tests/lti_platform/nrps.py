"""Names and Role Provisioning Services 2.0 on the platform side: the context membership container."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .constants import MediaType, Scope
from .oauth import OAuthServer
from .paging import PagingError, paginate
from .server import HttpRequest, HttpResponse, Router


class NrpsService:
    """GET /nrps/<context>/memberships with `role` filter and `limit` paging (NRPS 2.0 membership container)."""

    def __init__(self, *, base_url: Callable[[], str], oauth: OAuthServer) -> None:
        self._base_url = base_url
        self._oauth = oauth
        self.members: list[dict[str, Any]] = []
        self.contexts: dict[str, dict[str, Any]] = {}  # context id → context claim last launched
        self.requests: list[dict[str, str]] = []

    def routes(self, router: Router) -> None:
        """Register the NRPS endpoint."""
        router.add("GET", r"/nrps/(?P<ctx>[^/]+)/memberships", self._memberships)

    def memberships_url(self, context_id: str) -> str:
        """The context_memberships_url advertised in the NRPS claim (NRPS 2.0 service claim)."""
        return f"{self._base_url()}/nrps/{context_id}/memberships"

    def add_launched_user(self, user: Any, roles: list[str]) -> None:
        """Put a launched user on the roster unless a member with that user_id is already there."""
        if any(m.get("user_id") == user.sub for m in self.members):
            return
        member = {"status": "Active", "user_id": user.sub, "roles": [str(r) for r in roles]}
        for name in ("name", "given_name", "family_name", "email"):
            if getattr(user, name):
                member[name] = getattr(user, name)
        self.members.append(member)

    def member_ids(self) -> set[str]:
        """The user_ids on the roster."""
        return {str(m.get("user_id")) for m in self.members}

    def _memberships(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        self.requests.append(dict(request.query))
        if denied := self._oauth.check_bearer(request, [Scope.NRPS_READONLY]):
            return denied
        accept = request.headers.get("Accept") or "*/*"
        if not any(t in accept for t in (MediaType.MEMBERSHIP_CONTAINER, "application/json", "*/*")):
            return HttpResponse.json({"error": f"Accept must allow {MediaType.MEMBERSHIP_CONTAINER}"}, 406)
        context_id = match["ctx"]
        if context_id not in self.contexts:
            return HttpResponse.json({"error": "not_found", "message": f"unknown context {context_id!r}"}, 404)
        members = self.members
        role = request.query.get("role")
        if role:
            # NRPS 2.0 'role' query parameter: role filter by full URI, or by the short name of a context role.
            members = [m for m in members if any(r == role or r.endswith(f"#{role}") for r in m.get("roles", []))]
        url = self.memberships_url(context_id)
        try:
            page, headers = paginate(members, request.query, url)
        except PagingError as exc:
            return HttpResponse.json({"error": "invalid_request", "message": str(exc)}, 400)
        context = self.contexts[context_id]
        body = {
            "id": url,
            "context": {k: context[k] for k in ("id", "label", "title") if k in context},
            "members": page,
        }
        return HttpResponse.json(body, 200, MediaType.MEMBERSHIP_CONTAINER, **headers)
