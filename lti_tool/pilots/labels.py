"""The words of the pilot figures, in the coordinator's language (pages, charts and exports use the same)."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext

_LABELS = {
    "enrolled": lazy_gettext("Enrolled"),
    "launched": lazy_gettext("Launched"),
    "attempted": lazy_gettext("Attempted"),
    "mastered": lazy_gettext("Mastered"),
    "credentials_issued": lazy_gettext("Credentials issued"),
    "credentials_revoked": lazy_gettext("Credentials revoked"),
    "attempts_to_mastery": lazy_gettext("Attempts to mastery (mean)"),
    "median_minutes": lazy_gettext("Median time on task (min)"),
    "respondents": lazy_gettext("Questionnaire answers"),
    "relevance": lazy_gettext("Relevance (1-5)"),
    "workload_felt": lazy_gettext("Workload felt (h)"),
    "workload_declared": lazy_gettext("Workload declared (h)"),
    "clarity": lazy_gettext("Clarity (1-5)"),
    "recommend": lazy_gettext("Would recommend"),
    "level": lazy_gettext("Level"),
    "key": lazy_gettext("Code"),
    "name": lazy_gettext("Name"),
    "unit": lazy_gettext("Unit"),
    "outcome": lazy_gettext("Outcome"),
    "learners": lazy_gettext("Learners who submitted"),
    "met": lazy_gettext("Met"),
    "rate": lazy_gettext("Mastery rate"),
    "measure": lazy_gettext("Measure"),
    "reached": lazy_gettext("Reached"),
    "target": lazy_gettext("Target"),
    "pilots_running": lazy_gettext("Pilots running"),
    "learners_reached": lazy_gettext("Learners reached"),
    "skills": lazy_gettext("Green skills covered"),
    "title:groups": lazy_gettext("Figures"),
    "title:outcomes": lazy_gettext("Outcomes"),
    "title:targets": lazy_gettext("Targets"),
    "level:project": lazy_gettext("Project"),
    "level:pilot": lazy_gettext("Pilot"),
    "level:country": lazy_gettext("Country"),
    "level:sector": lazy_gettext("Sector"),
    "level:unit": lazy_gettext("Unit"),
    "sector:wood": lazy_gettext("Wood"),
    "sector:agrofood": lazy_gettext("Agrofood"),
    "sector:building": lazy_gettext("Building"),
    "sector:manufacturing": lazy_gettext("Manufacturing"),
}


# Shown with " (%)" after the translated word (a bare % in a msgid breaks Jinja's gettext formatting).
_PERCENT = {"recommend", "rate"}


def label(key: str) -> str:
    """The translated word for a figure, column or level (the key itself when there is none)."""
    found = _LABELS.get(key)
    if found is None:
        return key
    return f"{found} (%)" if key in _PERCENT else str(found)


def fewer_than(n: int) -> str:
    """What a questionnaire cell says when the group is too small to show."""
    return gettext("fewer than %(n)d answers", n=n)
