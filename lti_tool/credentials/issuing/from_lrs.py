"""The separate issuer's decision: which credentials the statements in an LRS justify (pure: no Flask, no DB).

A credential for (learner, unit version) is justified by a "unit mastered" statement of our xAPI profile
whose registration (the attempt) also holds an "outcome mastered" statement for every learning outcome of
that unit version in the catalogue, none of them voided. The unit version comes from the profile's
`unit-version` context extension; the learner is the statement's `account` actor (LTI issuer + sub).
Voiding is applied here: Ralph returns voided statements like any other (DESIGN.md §6), whereas
xAPI 1.0.3 §2.3.2 says a voided statement no longer counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

import httpx

from lti_tool.credentials.issuing.unit_facts import OutcomeResult
from lti_tool.xapi.lrs_client import LrsError
from lti_tool.xapi.profile import Extension, Profile, Verb

Statement = Mapping[str, Any]
# (unit slug, unit version) -> the ids of that version's learning outcomes, from the catalogue.
Catalogue = Mapping[tuple[str, str], Sequence[str]]
PAGE_SIZE = 500


class StatementSource(Protocol):
    """What the issuer needs of an LRS client: the xAPI statements GET with filters, all pages."""

    def iter_statements(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Yield the statements matching xAPI GET filters."""
        ...


@dataclass(frozen=True, slots=True)
class Justified:
    """A credential the statements justify: who, which unit version, from which attempt, with what results."""

    home_page: str  # the LTI platform issuer
    sub: str
    slug: str
    version: str
    registration: str
    mastered_at: str  # timestamp of the unit "mastered" statement
    statement_id: str
    outcomes: tuple[OutcomeResult, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A "unit mastered" statement that justifies nothing, and why."""

    statement_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What to issue (one per learner and unit version) and which unit statements were set aside."""

    justified: tuple[Justified, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True, slots=True)
class _Mastery:
    """One non-voided "mastered" statement of our profile, reduced to what the decision reads."""

    statement_id: str
    home_page: str
    sub: str
    registration: str
    slug: str
    version: str
    outcome_id: str | None  # None: the unit itself
    score: float | None
    timestamp: str


def voided_ids(statements: Iterable[Statement]) -> set[str]:
    """Ids of the statements that a voiding statement targets (xAPI 1.0.3 §2.3.2)."""
    return {
        str(obj.get("id")).lower()
        for s in statements
        if _verb(s) == Verb.VOIDED.value
        and isinstance(obj := s.get("object"), Mapping)
        and obj.get("objectType") == "StatementRef"
    }


def decide(statements: Iterable[Statement], tool_base_urls: Sequence[str], catalogue: Catalogue) -> Decision:
    """The credentials the statements justify; statements not from the tools at `tool_base_urls` are ignored."""
    statements = list(statements)
    voided = voided_ids(statements)
    profiles = [Profile(url) for url in tool_base_urls]
    masteries: dict[str, _Mastery] = {}
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for s in statements:
        found = _mastery(s, profiles)
        if found is None or found.statement_id in seen:
            continue
        seen.add(found.statement_id)
        if found.statement_id in voided:
            if found.outcome_id is None:
                skipped.append(Skipped(found.statement_id, f"voided (attempt {found.registration} was reset)"))
            continue
        masteries[found.statement_id] = found
    outcome_scores: dict[tuple[str, str, str, str, str], dict[str, float]] = {}
    for m in masteries.values():
        if m.outcome_id is not None and m.score is not None:
            key = (m.home_page, m.sub, m.registration, m.slug, m.version)
            outcome_scores.setdefault(key, {})[m.outcome_id] = m.score
    best: dict[tuple[str, str, str, str], Justified] = {}
    units = sorted((m for m in masteries.values() if m.outcome_id is None),
                   key=lambda m: (_moment(m.timestamp), m.registration, m.statement_id))
    for m in units:
        outcome_ids = catalogue.get((m.slug, m.version))
        if outcome_ids is None:
            skipped.append(Skipped(m.statement_id, f"unit {m.slug} version {m.version} is not in the catalogue"))
            continue
        scores = outcome_scores.get((m.home_page, m.sub, m.registration, m.slug, m.version), {})
        missing = [o for o in outcome_ids if o not in scores]
        if missing or not outcome_ids:
            skipped.append(Skipped(m.statement_id, f"registration {m.registration} has no (unvoided) mastery of "
                                                   f"outcome(s) {', '.join(missing) or '(none defined)'}"))
            continue
        learner_unit = (m.home_page, m.sub, m.slug, m.version)
        if learner_unit in best:  # mastered again in a later attempt: the first mastery already justifies it
            continue
        best[learner_unit] = Justified(
            home_page=m.home_page, sub=m.sub, slug=m.slug, version=m.version, registration=m.registration,
            mastered_at=m.timestamp, statement_id=m.statement_id,
            outcomes=tuple(OutcomeResult(o, scores[o], True) for o in outcome_ids),
        )
    return Decision(justified=tuple(best.values()), skipped=tuple(skipped))


def _moment(timestamp: str) -> dt.datetime:
    # LRSs may rewrite the offset ("Z" vs "+00:00"), so order by the instant, not the text.
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _verb(statement: Statement) -> str:
    verb = statement.get("verb")
    return str(verb.get("id", "")) if isinstance(verb, Mapping) else ""


def _mastery(statement: Statement, profiles: Sequence[Profile]) -> _Mastery | None:
    """The statement as a mastery of our profile, or None when it is something else or incomplete."""
    if _verb(statement) != Verb.MASTERED.value:
        return None
    context = statement.get("context")
    result = statement.get("result")
    obj = statement.get("object")
    actor = statement.get("actor")
    if not (isinstance(context, Mapping) and isinstance(result, Mapping) and isinstance(obj, Mapping)
            and isinstance(actor, Mapping)):
        return None
    # The profile's templates require result.success: a "mastered" saying otherwise proves nothing.
    if result.get("success") is not True:
        return None
    account = actor.get("account")
    registration = context.get("registration")
    if not isinstance(account, Mapping) or not registration:
        return None
    home_page, sub = account.get("homePage"), account.get("name")
    if not isinstance(home_page, str) or not isinstance(sub, str) or not home_page or not sub:
        return None
    profile = next((p for p in profiles if _in_profile(context, p)), None)
    if profile is None:
        return None
    extensions = context.get("extensions")
    version = extensions.get(profile.extension(Extension.UNIT_VERSION)) if isinstance(extensions, Mapping) else None
    if not isinstance(version, str) or not version:
        return None
    parsed = _unit_and_outcome(str(obj.get("id", "")), profile)
    if parsed is None:
        return None
    slug, outcome_id = parsed
    score = _scaled(result)
    if outcome_id is not None and score is None:
        return None  # an outcome without its score cannot be written into the credential
    return _Mastery(
        statement_id=str(statement.get("id", "")).lower(), home_page=home_page, sub=sub,
        registration=str(registration).lower(), slug=slug, version=version, outcome_id=outcome_id, score=score,
        timestamp=str(statement.get("timestamp", "")),
    )


def _in_profile(context: Mapping[str, Any], profile: Profile) -> bool:
    activities = context.get("contextActivities")
    categories = activities.get("category") if isinstance(activities, Mapping) else None
    if not isinstance(categories, list):
        return False
    # Any version of the profile (`<base>/xapi/profile/v<semver>`): later versions keep these statements.
    return any(isinstance(c, Mapping) and str(c.get("id", "")).startswith(f"{profile.id}/v") for c in categories)


def _unit_and_outcome(iri: str, profile: Profile) -> tuple[str, str | None] | None:
    """(slug, None) for `<base>/units/<slug>`, (slug, outcome id) for `<base>/units/<slug>/outcomes/<id>`."""
    prefix = f"{profile.base_url}/units/"
    if not iri.startswith(prefix):
        return None
    parts = iri[len(prefix):].split("/")
    if len(parts) == 1 and parts[0]:
        return unquote(parts[0]), None
    if len(parts) == 3 and parts[0] and parts[1] == "outcomes" and parts[2]:
        return unquote(parts[0]), unquote(parts[2])
    return None


def _scaled(result: Mapping[str, Any]) -> float | None:
    score = result.get("score")
    scaled = score.get("scaled") if isinstance(score, Mapping) else None
    if isinstance(scaled, bool) or not isinstance(scaled, (int, float)) or not 0 <= scaled <= 1:
        return None
    return float(scaled)


def read_statements(lrs: StatementSource, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The statements the decision needs, read only through the xAPI statements API (paged).

    "mastered" and "voided" statements from `since` on; and with `since`, every statement of each attempt
    that mastered a unit in that window, because its outcome statements may be older (a teacher's review
    can complete an attempt long after its first outcomes were met).
    """
    found: dict[str, dict[str, Any]] = {}

    def add(batch: Iterable[dict[str, Any]]) -> None:
        for s in batch:
            found.setdefault(str(s.get("id", "")).lower(), s)

    add(lrs.iter_statements(verb=Verb.MASTERED.value, since=since, limit=PAGE_SIZE))
    add(lrs.iter_statements(verb=Verb.VOIDED.value, since=since, limit=PAGE_SIZE))
    if since is not None:
        registrations = sorted({str(s["context"]["registration"]) for s in list(found.values())
                                if _verb(s) == Verb.MASTERED.value and isinstance(s.get("context"), Mapping)
                                and s["context"].get("registration") and isinstance(s.get("object"), Mapping)
                                and "/outcomes/" not in str(s["object"].get("id", ""))})
        for registration in registrations:
            add(lrs.iter_statements(registration=registration, limit=PAGE_SIZE))
    return list(found.values())


def describe_lrs_failure(error: LrsError, url: str) -> str:
    """A sentence for the operator: wrong credentials, LRS unreachable, or what the LRS answered."""
    cause = error.__cause__
    if isinstance(cause, httpx.HTTPStatusError):
        status = cause.response.status_code
        if status in (401, 403):
            return (f"the LRS at {url} refused the credentials (HTTP {status}): check --username/--password "
                    f"or LRS_USERNAME/LRS_PASSWORD")
        if status == 404:
            return f"the LRS at {url} has no xAPI statements resource (HTTP 404): is the URL the xAPI base?"
        return f"the LRS at {url} answered HTTP {status}: {cause.response.text[:300]}"
    if isinstance(cause, httpx.TransportError):
        return f"the LRS at {url} is unreachable: {type(cause).__name__}: {cause}"
    return f"could not read the LRS at {url}: {error}"
