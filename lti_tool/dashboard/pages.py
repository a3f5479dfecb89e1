"""What the dashboard pages and CSV files show, assembled from the queries in ``services``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import orm as so

from lti_tool.catalogue.schema import localized
from lti_tool.dashboard import services
from lti_tool.dashboard.export import Cell
from lti_tool.dashboard.progress import OUTCOME_WORDS, STATUS_WORDS, OutcomeState
from lti_tool.dashboard.roster_state import RosterState
from lti_tool.launch.models import Context, ResourceLink


@dataclass(frozen=True)
class PlacementView:
    """One placed unit: its outcome columns and a row per learner."""

    link: ResourceLink
    unit_title: str
    outcomes: list[services.Outcome]
    rows: list[services.LearnerRow]

    @property
    def label(self) -> str:
        """The activity's title in the LMS, else the unit's."""
        return self.link.title or self.unit_title or self.link.resource_link_id


def placements(db: so.Session, context: Context, roster: RosterState, lang: str,
               only: ResourceLink | None = None) -> list[PlacementView]:
    """Every placed unit of the course (or just ``only``) with its learners' progress."""
    links = [only] if only is not None else services.placed_units(db, context.id)
    attempts = services.attempts_by_user(db, context.id, [link.id for link in links])
    attempt_users = {pk for per_link in attempts.values() for pk in per_link}
    people = services.learners(db, context, roster, attempt_users)
    views = []
    for link in links:
        unit = services.placement_unit(db, link)
        per_user = attempts.get(link.id, {})
        outcomes = services.outcome_columns(unit, (a for group in per_user.values() for a in group), lang)
        rows = services.placement_rows(db, context, link, [o.id for o in outcomes], per_user, people)
        title = localized(unit.document["title"], lang) if unit else (link.unit_slug or "")
        views.append(PlacementView(link, title, outcomes, rows))
    return views


def summaries(views: Sequence[PlacementView]) -> list[services.PlacementSummary]:
    """The course dashboard's counts, one per placed unit."""
    return [services.summary(v.link, v.unit_title, v.rows) for v in views]


def _credential_url(row: services.LearnerRow, base_url: str) -> str:
    return f"{base_url}/credentials/{row.credential.id}" if row.credential is not None else ""


def _unit_cells(view: PlacementView, row: services.LearnerRow, base_url: str) -> list[Cell]:
    p = row.progress
    grade = row.grade
    return [
        STATUS_WORDS[p.status], p.attempts_used, round(p.score * 100, 1) if p.score is not None else None,
        *[OUTCOME_WORDS[p.outcomes.get(o.id, OutcomeState.NO_RESULT)] for o in view.outcomes],
        grade.state if grade is not None else "", (grade.last_error or "") if grade is not None else "",
        _credential_url(row, base_url),
        "revoked" if row.credential is not None and row.credential.revoked_at is not None else "",
    ]


def _unit_header(view: PlacementView, prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in (
        "status", "attempts used", "score %", *[f"outcome {o.id}" for o in view.outcomes],
        "grade sync", "grade sync reason", "credential", "credential revoked")]


def placement_table(view: PlacementView, base_url: str) -> tuple[list[str], list[list[Cell]]]:
    """CSV of one placed unit: one row per learner, a column per outcome."""
    header = ["learner", "LTI user id", "on LMS roster", *_unit_header(view)]
    rows = [[r.learner.name, r.learner.user_id, r.learner.in_roster, *_unit_cells(view, r, base_url)]
            for r in view.rows]
    return header, rows


def course_table(views: Sequence[PlacementView], base_url: str) -> tuple[list[str], list[list[Cell]]]:
    """CSV of the course: one row per learner, the columns of every placed unit side by side."""
    header = ["learner", "LTI user id", "on LMS roster"]
    for view in views:
        header += _unit_header(view, f"{view.label} [{view.link.unit_slug}]: ")
    learners = views[0].rows if views else []  # every placement lists the same learners, in the same order
    rows = []
    for index, row in enumerate(learners):
        line: list[Cell] = [row.learner.name, row.learner.user_id, row.learner.in_roster]
        for view in views:
            line += _unit_cells(view, view.rows[index], base_url)
        rows.append(line)
    return header, rows
