"""Assignment and Grade Services 2.0 on the platform side: line items, scores, results (Moodle-like URLs)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .constants import ACTIVITY_PROGRESS, GRADING_PROGRESS, MediaType, Scope
from .oauth import OAuthServer
from .paging import PagingError, paginate
from .server import HttpRequest, HttpResponse, Router

# Moodle's lineitems/lineitem URLs carry a query string; tools must insert /scores into the path.
TYPE_QUERY = "?type_id=1"
_READ = (Scope.LINEITEM, Scope.LINEITEM_READONLY)
_OPTIONAL_FIELDS = ("resourceId", "tag", "resourceLinkId", "startDateTime", "endDateTime", "gradesReleased")


def _bad(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse.json({"error": "invalid_request", "message": message}, status)


def _accepts(request: HttpRequest, media_type: str) -> bool:
    accept = request.headers.get("Accept") or "*/*"
    offered = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(offered & {media_type, "application/json", "*/*", "application/*"})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class AgsService:
    """Line item container and line items (AGS 2.0 'Line item service'), score publish and results."""

    def __init__(self, *, base_url: Callable[[], str], oauth: OAuthServer, member_ids: Callable[[], set[str]]):
        self._base_url = base_url
        self._oauth = oauth
        self._member_ids = member_ids
        self._lock = threading.Lock()
        self._next_id = 1
        self.lineitems: dict[int, dict[str, Any]] = {}  # id → stored line item (with "_context")
        self.scores: list[dict[str, Any]] = []
        self.resource_links: dict[str, set[str]] = {}  # context id → resource link ids launched
        self.allow_extra_credit = False  # AGS allows scoreGiven > scoreMaximum; stricter by default

    def routes(self, router: Router) -> None:
        """Register the AGS endpoints."""
        base = r"/ags/(?P<ctx>[^/]+)/lineitems"
        router.add("GET POST", base, self._container)
        router.add("GET PUT DELETE", base + r"/(?P<n>\d+)/lineitem", self._item)
        router.add("POST", base + r"/(?P<n>\d+)/lineitem/scores", self._scores)
        router.add("GET", base + r"/(?P<n>\d+)/lineitem/results", self._results)

    def lineitems_url(self, context_id: str) -> str:
        """The container URL advertised in the endpoint claim (AGS 2.0 'Assignment and grade service claim')."""
        return f"{self._base_url()}/ags/{context_id}/lineitems{TYPE_QUERY}"

    def _item_url(self, context_id: str, number: int) -> str:
        return f"{self._base_url()}/ags/{context_id}/lineitems/{number}/lineitem{TYPE_QUERY}"

    def _public(self, number: int) -> dict[str, Any]:
        item = self.lineitems[number]
        return {"id": self._item_url(item["_context"], number)} | {k: v for k, v in item.items() if k[0] != "_"}

    def create_lineitem(self, context_id: str, fields: dict[str, Any]) -> str:
        """Store a line item and return its URL (used for the resource link's own gradebook column too)."""
        with self._lock:
            number = self._next_id
            self._next_id += 1
            self.lineitems[number] = {"_context": context_id} | fields
        return self._item_url(context_id, number)

    def resource_link_lineitem(self, context_id: str, resource_link: dict[str, Any]) -> str:
        """The line item of a resource link, created at its first launch (as Moodle does per activity)."""
        link_id = str(resource_link.get("id", ""))
        with self._lock:
            self.resource_links.setdefault(context_id, set()).add(link_id)
            for number, item in self.lineitems.items():
                if item["_context"] == context_id and item.get("resourceLinkId") == link_id:
                    return self._item_url(context_id, number)
        label = str(resource_link.get("title") or link_id)
        return self.create_lineitem(context_id, {"label": label, "scoreMaximum": 100, "resourceLinkId": link_id})

    def _check_lineitem_body(self, request: HttpRequest, context_id: str) -> dict[str, Any] | HttpResponse:
        # AGS 2.0 'Line item service': the body is a line item; label and scoreMaximum (> 0) are required.
        if request.content_type != MediaType.LINEITEM:
            return _bad(f"Content-Type must be {MediaType.LINEITEM}", 415)
        try:
            body = request.json()
        except ValueError:
            return _bad("body is not JSON")
        if not isinstance(body, dict):
            return _bad("body must be a JSON object")
        if not isinstance(body.get("label"), str) or not body["label"].strip():
            return _bad("label is required")
        if not _is_number(body.get("scoreMaximum")) or body["scoreMaximum"] <= 0:
            return _bad("scoreMaximum must be a number > 0")
        link = body.get("resourceLinkId")
        if link is not None and link not in self.resource_links.get(context_id, set()):
            return _bad(f"resourceLinkId {link!r} is not a resource link of this context")
        return {"label": body["label"], "scoreMaximum": body["scoreMaximum"]} | {
            k: body[k] for k in _OPTIONAL_FIELDS if k in body
        }

    def _container(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        context_id = match["ctx"]
        if request.method == "POST":
            if denied := self._oauth.check_bearer(request, [Scope.LINEITEM]):
                return denied
            fields = self._check_lineitem_body(request, context_id)
            if isinstance(fields, HttpResponse):
                return fields
            url = self.create_lineitem(context_id, fields)
            number = int(url.split("/lineitems/")[1].split("/")[0])
            return HttpResponse.json(self._public(number), 201, MediaType.LINEITEM)
        if denied := self._oauth.check_bearer(request, _READ):
            return denied
        if not _accepts(request, MediaType.LINEITEM_CONTAINER):
            return _bad(f"Accept must allow {MediaType.LINEITEM_CONTAINER}", 406)
        # AGS 2.0 'Line item service', container GET: filters resource_link_id, resource_id, tag.
        filters = {"resource_link_id": "resourceLinkId", "resource_id": "resourceId", "tag": "tag"}
        with self._lock:
            numbers = [
                n
                for n, item in sorted(self.lineitems.items())
                if item["_context"] == context_id
                and all(item.get(f) == request.query[q] for q, f in filters.items() if q in request.query)
            ]
            items = [self._public(n) for n in numbers]
        try:
            page, headers = paginate(items, request.query, f"{self._base_url()}{request.path}")
        except PagingError as exc:
            return _bad(str(exc))
        return HttpResponse.json(page, 200, MediaType.LINEITEM_CONTAINER, **headers)

    def _lookup(self, match: re.Match[str]) -> int | None:
        number = int(match["n"])
        item = self.lineitems.get(number)
        return number if item is not None and item["_context"] == match["ctx"] else None

    def _item(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        write = request.method in ("PUT", "DELETE")
        if denied := self._oauth.check_bearer(request, [Scope.LINEITEM] if write else _READ):
            return denied
        number = self._lookup(match)
        if number is None:
            return HttpResponse.json({"error": "not_found"}, 404)
        if request.method == "DELETE":
            with self._lock:
                del self.lineitems[number]
            return HttpResponse.empty(204)
        if request.method == "PUT":
            fields = self._check_lineitem_body(request, match["ctx"])
            if isinstance(fields, HttpResponse):
                return fields
            body_id = request.json().get("id")
            if body_id is not None and body_id != self._item_url(match["ctx"], number):
                return _bad("id cannot be changed")
            with self._lock:
                self.lineitems[number] = {"_context": match["ctx"]} | fields
        return HttpResponse.json(self._public(number), 200, MediaType.LINEITEM)

    def _check_score(self, body: Any) -> str | None:
        """Why a score body is invalid (AGS 2.0 'Score publish service'), or None."""
        if not isinstance(body, dict):
            return "body must be a JSON object"
        if not isinstance(body.get("userId"), str) or not body["userId"]:
            return "userId is required"
        if body.get("activityProgress") not in ACTIVITY_PROGRESS:
            return f"activityProgress must be one of {sorted(ACTIVITY_PROGRESS)}"
        if body.get("gradingProgress") not in GRADING_PROGRESS:
            return f"gradingProgress must be one of {sorted(GRADING_PROGRESS)}"
        stamp = body.get("timestamp")
        try:
            parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            return "timestamp must be an ISO 8601 date-time with a time zone"
        if "scoreGiven" in body:
            given, maximum = body["scoreGiven"], body.get("scoreMaximum")
            if not _is_number(given) or given < 0:
                return "scoreGiven must be a number >= 0"
            if not _is_number(maximum) or maximum <= 0:
                return "scoreMaximum is required with scoreGiven and must be > 0"
            if given > maximum and not self.allow_extra_credit:
                return "scoreGiven exceeds scoreMaximum"
        if "comment" in body and not isinstance(body["comment"], str | None):
            return "comment must be a string"
        members = self._member_ids()
        if members and body["userId"] not in members:
            return f"userId {body['userId']!r} is not a member of the context"
        return None

    def _scores(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        if denied := self._oauth.check_bearer(request, [Scope.SCORE]):
            return denied
        number = self._lookup(match)
        if number is None:
            return HttpResponse.json({"error": "not_found"}, 404)
        if request.content_type != MediaType.SCORE:
            return _bad(f"Content-Type must be {MediaType.SCORE}", 415)
        try:
            body = request.json()
        except ValueError:
            return _bad("body is not JSON")
        if problem := self._check_score(body):
            return _bad(problem)
        lineitem = self._item_url(match["ctx"], number)
        stamp = datetime.fromisoformat(body["timestamp"])
        with self._lock:
            earlier = [s for s in self.scores if s["lineitem"] == lineitem and s["userId"] == body["userId"]]
            # AGS 2.0 'Score publish service', timestamp: an older score must not overwrite a newer one.
            # Moodle refuses it with 409.
            if earlier and datetime.fromisoformat(earlier[-1]["timestamp"]) > stamp:
                return _bad("timestamp is older than the last score received", 409)
            self.scores.append(body | {"lineitem": lineitem, "lineitem_number": number})
        return HttpResponse.empty(200)  # Moodle answers 200 with an empty body

    def _results(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        if denied := self._oauth.check_bearer(request, [Scope.RESULT_READONLY]):
            return denied
        number = self._lookup(match)
        if number is None:
            return HttpResponse.json({"error": "not_found"}, 404)
        lineitem = self._item_url(match["ctx"], number)
        latest: dict[str, dict[str, Any]] = {}
        with self._lock:
            for score in self.scores:
                if score["lineitem"] == lineitem:
                    latest[score["userId"]] = score
        results = [
            {
                "id": f"{lineitem.split('?')[0]}/results/{user}",
                "scoreOf": lineitem,
                "userId": user,
                "resultScore": s.get("scoreGiven"),
                "resultMaximum": s.get("scoreMaximum"),
                "comment": s.get("comment"),
            }
            for user, s in latest.items()
            if "user_id" not in request.query or request.query["user_id"] == user
        ]
        try:
            page, headers = paginate(results, request.query, f"{self._base_url()}{request.path}")
        except PagingError as exc:
            return _bad(str(exc))
        return HttpResponse.json(page, 200, MediaType.RESULT_CONTAINER, **headers)
