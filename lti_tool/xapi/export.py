"""Per-pilot aggregates for the consortium, read back from the LRS (not the tool's database) as CSV.

A pilot is an LTI platform (its issuer). For each platform and sector: learners, attempts, learning
outcomes met, units mastered, credentials issued and revoked. Statements of our profile only; statements
voided in the LRS are left out. The sector of a unit comes from the catalogue (content, not learner data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lti_tool.xapi.lrs import Lrs
from lti_tool.xapi.profile import Extension, Profile, ToolVerb, Verb

ALL = "all"  # the sector of a platform's total row
COLUMNS = ("platform", "platform_name", "sector", "learners", "attempts", "outcomes_met", "units_mastered",
           "credentials_issued", "credentials_revoked")


@dataclass
class _Tally:
    learners: set[tuple[str, str]] = field(default_factory=set)
    attempts: set[str] = field(default_factory=set)
    outcomes: set[tuple[tuple[str, str], str]] = field(default_factory=set)
    units: set[tuple[tuple[str, str], str]] = field(default_factory=set)
    issued: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)


def parse_since(value: str | None) -> dt.datetime | None:
    """An ISO 8601 date or date-time (UTC when it has no offset); ValueError otherwise."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def verbs_read(profile: Profile) -> list[str]:
    """The verbs the export asks the LRS for (one filtered GET each)."""
    return [Verb.LAUNCHED.value, Verb.INITIALIZED.value, Verb.MASTERED.value, Verb.EARNED.value,
            profile.verb(ToolVerb.REVOKED), Verb.VOIDED.value]


def fetch(client: Lrs, profile: Profile, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The statements the export needs, read through the xAPI statements API (paged)."""
    found: list[dict[str, Any]] = []
    for verb in verbs_read(profile):
        found.extend(client.iter_statements(verb=verb, since=since, limit=500))
    return found


def _unit_slug(statement: Mapping[str, Any], prefix: str) -> str | None:
    context = statement.get("context") or {}
    activities = context.get("contextActivities") or {}
    candidates = [statement.get("object") or {}]
    for key in ("parent", "grouping"):
        candidates.extend(activities.get(key) or [])
    for candidate in candidates:
        iri = str(candidate.get("id", ""))
        if iri.startswith(prefix) and "/" not in iri[len(prefix):]:
            return unquote(iri[len(prefix):])
    return None


def _ours(statement: Mapping[str, Any], profile: Profile) -> bool:
    categories = ((statement.get("context") or {}).get("contextActivities") or {}).get("category") or []
    return any(str(c.get("id", "")).startswith(profile.id) for c in categories)


def of_tenant(statement: Mapping[str, Any], profile: Profile, issuer: str, client_id: str,
              deployment_id: str) -> bool:
    """The statement was made for this (issuer, client id, deployment); one without a client id is not."""
    extensions = (statement.get("context") or {}).get("extensions") or {}
    return (extensions.get(profile.extension(Extension.LTI_PLATFORM)) == issuer
            and extensions.get(profile.extension(Extension.LTI_CLIENT)) == client_id
            and extensions.get(profile.extension(Extension.LTI_DEPLOYMENT)) == deployment_id)


def aggregate(
    statements: Iterable[Mapping[str, Any]],
    profile: Profile,
    sector_of: Mapping[str, str],
    platform_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """CSV rows per (platform, sector), plus an `all` row per platform (learners are not additive)."""
    statements = list(statements)
    voided = {str(s["object"]["id"]) for s in statements if s.get("verb", {}).get("id") == Verb.VOIDED.value
              and s.get("object", {}).get("objectType") == "StatementRef"}
    unit_prefix = f"{profile.base_url}/units/"
    platform_key = profile.extension(Extension.LTI_PLATFORM)
    credential_key = profile.extension(Extension.CREDENTIAL_ID)
    revoked_verb = profile.verb(ToolVerb.REVOKED)
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for s in statements:
        if str(s.get("id")) in voided or not _ours(s, profile):
            continue
        account = (s.get("actor") or {}).get("account") or {}
        who = (str(account.get("homePage", "")), str(account.get("name", "")))
        extensions = (s.get("context") or {}).get("extensions") or {}
        platform = str(extensions.get(platform_key) or who[0])
        slug = _unit_slug(s, unit_prefix)
        sector = sector_of.get(slug or "", "unknown")
        verb = s.get("verb", {}).get("id")
        obj = s.get("object") or {}
        for tally in (tallies[(platform, sector)], tallies[(platform, ALL)]):
            tally.learners.add(who)
            if verb == Verb.INITIALIZED.value and (registration := (s.get("context") or {}).get("registration")):
                tally.attempts.add(str(registration))
            elif verb == Verb.MASTERED.value:
                is_unit = obj.get("id") == f"{unit_prefix}{slug}" if slug else False
                (tally.units if is_unit else tally.outcomes).add((who, str(obj.get("id"))))
            elif verb == Verb.EARNED.value:
                tally.issued.add(str(extensions.get(credential_key) or obj.get("id")))
            elif verb == revoked_verb:
                tally.revoked.add(str(extensions.get(credential_key) or obj.get("id")))
    names = platform_names or {}
    rows = []
    for (platform, sector), t in sorted(tallies.items(), key=lambda kv: (kv[0][0], kv[0][1] == ALL, kv[0][1])):
        rows.append({"platform": platform, "platform_name": names.get(platform, ""), "sector": sector,
                     "learners": len(t.learners), "attempts": len(t.attempts), "outcomes_met": len(t.outcomes),
                     "units_mastered": len(t.units), "credentials_issued": len(t.issued),
                     "credentials_revoked": len(t.revoked)})
    return rows


def to_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The rows as CSV, UTF-8 with a BOM (so spreadsheet programs read accents right)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
