"""Assignment and Grade Services 2.0 calls: find, create and use a resource link's line item; post a score."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import orm as so

from lti_tool.launch.models import Platform
from lti_tool.lms.errors import ServiceError, platform_message
from lti_tool.lms.protocol import LmsServices
from lti_tool.lms.spec import LINEITEM_READ_SCOPES, LINEITEM_TAG, MediaType, Scope
from lti_tool.lms.urls import results_url, scores_url, with_query

# The AGS scopes the tool ever needs; result.readonly lets a retry after a timeout check what the LMS kept.
_WANTED = frozenset({Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.SCORE, Scope.RESULT_READONLY})
_PAGE_SIZE = 100
# Moodle answers 400 with an empty body when the user is not gradable in the course (DESIGN.md §6).
_NOT_GRADABLE_HINT = ("Moodle gives this answer without details when the user cannot be graded in the course "
                      "(a teacher, or someone no longer enrolled)")


@dataclass(frozen=True)
class AgsEndpoint:
    """The AGS endpoint claim of a launch (AGS 2.0 §3.1): line item, container and the scopes offered."""

    lineitem: str | None
    lineitems: str | None
    scopes: frozenset[str]

    @classmethod
    def from_claim(cls, claim: Mapping[str, Any] | None) -> AgsEndpoint | None:
        """Read the claim; None when the platform offers no AGS for this launch."""
        if not isinstance(claim, Mapping):
            return None
        lineitem = claim.get("lineitem") if isinstance(claim.get("lineitem"), str) else None
        lineitems = claim.get("lineitems") if isinstance(claim.get("lineitems"), str) else None
        raw = claim.get("scope")
        scopes = frozenset(str(s) for s in raw) if isinstance(raw, list) else frozenset()
        if not lineitem and not lineitems:
            return None
        return cls(lineitem or None, lineitems or None, scopes)

    def token_scopes(self) -> frozenset[str]:
        """The scopes to ask a token for: what the platform offers of what the tool needs (score at least)."""
        offered = self.scopes & _WANTED
        return frozenset(str(s) for s in offered) if offered else frozenset({str(Scope.SCORE)})


@dataclass(frozen=True)
class LineItemSpec:
    """The line item the tool wants for a resource link (AGS 2.0 §3.2.5)."""

    resource_link_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None  # the unit slug
    tag: str = LINEITEM_TAG

    def body(self) -> dict[str, Any]:
        """The JSON body of a line item creation."""
        body: dict[str, Any] = {"label": self.label, "scoreMaximum": self.score_maximum,
                                "resourceLinkId": self.resource_link_id, "tag": self.tag}
        if self.resource_id:
            body["resourceId"] = self.resource_id
        return body


def grant(client: LmsServices, session: so.Session, platform: Platform,
          endpoint: AgsEndpoint) -> tuple[frozenset[str], frozenset[str]]:
    """(scopes to request, scopes granted): a platform refusing the whole set is asked for score alone."""
    wanted = endpoint.token_scopes()
    try:
        return wanted, client.token(session, platform, wanted).scopes
    except ServiceError as error:
        score_only = frozenset({str(Scope.SCORE)})
        if error.code != "invalid_scope" or wanted == score_only:
            raise
        return score_only, client.token(session, platform, score_only).scopes


def _items(client: LmsServices, session: so.Session, platform: Platform, scopes: frozenset[str],
           url: str) -> Iterator[dict[str, Any]]:
    for page in client.pages(session, platform, scopes, with_query(url, limit=_PAGE_SIZE),
                             what="Reading the LMS's gradebook columns", accept=MediaType.LINEITEM_CONTAINER):
        try:
            items = page.json()
        except ValueError as exc:
            raise ServiceError("Reading the LMS's gradebook columns: the answer is not JSON.",
                               retryable=True) from exc
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield item


def course_lineitems(client: LmsServices, session: so.Session, platform: Platform,
                     endpoint: AgsEndpoint) -> list[dict[str, Any]]:
    """Every line item of the context's container (AGS 2.0 §3.2.4), all pages; empty when there is no container."""
    if endpoint.lineitems is None:
        return []
    scopes, _ = grant(client, session, platform, endpoint)
    return list(_items(client, session, platform, scopes, endpoint.lineitems))


def find_lineitem(client: LmsServices, session: so.Session, platform: Platform, endpoint: AgsEndpoint,
                  spec: LineItemSpec, scopes: frozenset[str]) -> str | None:
    """The line item of the resource link in the container: by resourceLinkId, else by our tag + resourceId."""
    if endpoint.lineitems is None:
        return None
    # The filters narrow the answer (AGS 2.0 §3.2.4), but a platform may ignore them: check every field too.
    url = with_query(endpoint.lineitems, resource_link_id=spec.resource_link_id)
    for item in _items(client, session, platform, scopes, url):
        if item.get("resourceLinkId") == spec.resource_link_id:
            return str(item["id"])
    url = with_query(endpoint.lineitems, tag=spec.tag)
    for item in _items(client, session, platform, scopes, url):
        if item.get("tag") == spec.tag and item.get("resourceId") == spec.resource_id \
                and item.get("resourceLinkId") in (None, spec.resource_link_id):
            return str(item["id"])
    return None


def create_lineitem(client: LmsServices, session: so.Session, platform: Platform, endpoint: AgsEndpoint,
                    spec: LineItemSpec, scopes: frozenset[str]) -> str:
    """Create the resource link's line item in the container (needs the lineitem scope); its URL."""
    if endpoint.lineitems is None:
        raise ServiceError("The LMS gives no gradebook column list to create one in.", retryable=False)
    what = "Creating the gradebook column in the LMS"
    response = client.call(session, platform, scopes, "POST", endpoint.lineitems, what=what,
                           accept=MediaType.LINEITEM, content_type=MediaType.LINEITEM, json_body=spec.body())
    try:
        created = response.json()
    except ValueError:
        created = None
    if not isinstance(created, dict) or not isinstance(created.get("id"), str):
        raise ServiceError(f"{what}: the answer has no line item id.", retryable=True)
    return str(created["id"])


def resolve_lineitem(client: LmsServices, session: so.Session, platform: Platform, endpoint: AgsEndpoint,
                     spec: LineItemSpec, *, known: str | None = None) -> tuple[str, frozenset[str]]:
    """(line item URL, scopes to use): the claim's, else a known one, else found, else created."""
    scopes, granted = grant(client, session, platform, endpoint)
    if endpoint.lineitem:
        return endpoint.lineitem, scopes
    if known:
        return known, scopes
    if granted & LINEITEM_READ_SCOPES:
        found = find_lineitem(client, session, platform, endpoint, spec, scopes)
        if found:
            return found, scopes
    if Scope.LINEITEM in granted:
        return create_lineitem(client, session, platform, endpoint, spec, scopes), scopes
    raise ServiceError("The LMS names no gradebook column for this activity and does not let the tool find or "
                       "create one (the lineitem scopes are not granted).", retryable=False,
                       code="no_lineitem")


def post_score(client: LmsServices, session: so.Session, platform: Platform, lineitem_url: str,
               body: Mapping[str, Any], scopes: frozenset[str]) -> tuple[int, str]:
    """POST a score to the line item's scores URL (AGS 2.0 §3.4); (HTTP status, the platform's words)."""
    if Scope.SCORE not in client.token(session, platform, scopes).scopes:
        raise ServiceError("The LMS did not grant the tool the right to send scores (score scope).",
                           retryable=False, code="score_scope_missing")
    try:
        response = client.call(session, platform, scopes, "POST", scores_url(lineitem_url),
                               what="Sending the score to the LMS", content_type=MediaType.SCORE,
                               json_body=dict(body))
    except ServiceError as error:
        if error.http_status == 400 and error.platform_message in ("", "Bad Request"):
            error.message = f"{error.message}. {_NOT_GRADABLE_HINT}."
        raise
    return response.status_code, platform_message(response.text, "")  # Moodle: 200 with an empty body


@dataclass(frozen=True)
class LmsResult:
    """A learner's result as the LMS holds it (AGS 2.0 §3.3); a missing score is None."""

    score: float | None
    maximum: float | None
    comment: str | None

    def holds(self, body: Mapping[str, Any]) -> bool:
        """Whether this result is what posting ``body`` (a score) leaves in the gradebook."""
        given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
        if given is None:
            return self.score is None
        if self.score is None or not self.maximum or not maximum:
            return False
        # The LMS may scale the score to its own maximum (AGS 2.0 §3.3.5): compare fractions.
        if abs(self.score / self.maximum - float(given) / float(maximum)) > 1e-6:
            return False
        return (self.comment or "") == (body.get("comment") or "")


def read_result(client: LmsServices, session: so.Session, platform: Platform, lineitem_url: str,
                user_id: str, scopes: frozenset[str]) -> LmsResult | None:
    """The learner's result on the line item (results service, filtered by user_id); None when there is none."""
    what = "Reading the learner's result in the LMS"
    url = with_query(results_url(lineitem_url), user_id=user_id)
    for page in client.pages(session, platform, scopes, url, what=what, accept=MediaType.RESULT_CONTAINER):
        try:
            results = page.json()
        except ValueError as exc:
            raise ServiceError(f"{what}: the answer is not JSON.", retryable=True) from exc
        for entry in results if isinstance(results, list) else []:
            if isinstance(entry, dict) and entry.get("userId") == user_id:
                comment = entry.get("comment") if isinstance(entry.get("comment"), str) else None
                return LmsResult(_number(entry, "resultScore"), _number(entry, "resultMaximum"), comment)
    return None


def _number(entry: Mapping[str, Any], key: str) -> float | None:
    value = entry.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
