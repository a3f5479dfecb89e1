"""The deep-linking picker's search and filters over catalogue entries (pure: no Flask, no DB)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lti_tool.catalogue.esco import EscoLabel, esco_label

# Upper bounds offered by the workload filter, in hours.
WORKLOAD_CHOICES = (10, 25, 50, 100)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@dataclass(frozen=True)
class UnitFilter:
    """What the teacher searched for; empty fields match everything."""

    query: str = ""
    sector: str = ""
    esco: str = ""
    max_workload: int | None = None
    language: str = ""
    eqf_level: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> UnitFilter:
        """Read the filter form's fields (unknown or malformed values are ignored, never an error)."""
        return cls(
            query=(args.get("q") or "").strip()[:200],
            sector=(args.get("sector") or "").strip(),
            esco=(args.get("esco") or "").strip(),
            max_workload=_int(args.get("workload")),
            language=(args.get("lang") or "").strip().lower(),
            eqf_level=_int(args.get("eqf")),
        )

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return any((self.query, self.sector, self.esco, self.max_workload, self.language, self.eqf_level))

    def matches(self, entry: Mapping[str, Any]) -> bool:
        """Does a picker entry (``unit_json`` plus ``languages``) pass every filter?"""
        if self.sector and entry["sector"] != self.sector:
            return False
        if self.esco and self.esco not in entry["esco"]:
            return False
        if self.max_workload is not None and float(entry["workload_hours"]) > self.max_workload:
            return False
        if self.language and self.language not in entry["languages"]:
            return False
        if self.eqf_level is not None and int(entry["eqf_level"]) != self.eqf_level:
            return False
        return not self.query or all(word in _haystack(entry) for word in self.query.lower().split())


def _haystack(entry: Mapping[str, Any]) -> str:
    """The text a search looks in: title, summary, slug, outcomes and skill labels (English and the shown ones)."""
    parts = [entry["slug"], entry["title"], entry["summary"], entry["sector"]]
    parts += [outcome["title"] for outcome in entry["outcomes"]]
    parts += [esco_label(uri).text for uri in entry["esco"]]
    parts += [label.text for _uri, label in entry.get("skills", [])]
    return " ".join(parts).lower()


@dataclass(frozen=True)
class FilterChoices:
    """The values the filter menus offer, taken from the whole catalogue."""

    sectors: list[str]
    skills: list[tuple[str, EscoLabel]]
    languages: list[str]
    eqf_levels: list[int]
    workloads: Sequence[int] = WORKLOAD_CHOICES


def filter_choices(entries: Iterable[Mapping[str, Any]], lang: str = "en") -> FilterChoices:
    """Menus built from what the catalogue holds, so no filter can only ever give an empty list; skills in ``lang``."""
    entries = list(entries)
    sectors = list(dict.fromkeys(entry["sector"] for entry in entries))
    skills = {uri for entry in entries for uri in entry["esco"]}
    return FilterChoices(
        sectors=sectors,
        skills=sorted(((uri, esco_label(uri, lang)) for uri in skills), key=lambda pair: pair[1].text.lower()),
        languages=sorted({lang for entry in entries for lang in entry["languages"]}),
        eqf_levels=sorted({int(entry["eqf_level"]) for entry in entries}),
    )
