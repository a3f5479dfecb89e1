"""What the dashboard pages and CSV files show, assembled from the queries in ``services``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import orm as so

from lti_tool.assessment.numbers import percent_value
from lti_tool.catalogue.unit_texts import localized
from lti_tool.dashboard import services
from lti_tool.dashboard.export import Cell
from lti_tool.dashboard.progress import OUTCOME_WORDS, STATUS_WORDS, SYNC_WORDS, OutcomeState
from lti_tool.dashboard.roster_state import RosterState
from lti_tool.errors import N_
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
        unit = services.pin_placement_unit(db, link)
        per_user = attempts.get(link.id, {})
        outcomes = services.outcome_columns(unit, (a for group in per_user.values() for a in group), lang)
        rows = services.placement_rows(db, context, link, [o.id for o in outcomes], per_user, people)
        title = localized(unit.doc.title, lang) if unit else (link.unit_slug or "")
        views.append(PlacementView(link, title, outcomes, rows))
    return views


def summaries(views: Sequence[PlacementView]) -> list[services.PlacementSummary]:
    """The course dashboard's counts, one per placed unit."""
    return [services.summary(v.link, v.unit_title, v.rows) for v in views]


def _credential_url(row: services.LearnerRow, base_url: str) -> str:
    return f"{base_url}/credentials/{row.credential.id}" if row.credential is not None else ""


Say = Callable[[str], str]  # gettext in the teacher's language (identity in tests that want English)

# Column names, marked for extraction; the CSV writes them in the teacher's language.
_LEARNER_COLUMNS = (N_("learner"), N_("LTI user id"), N_("on LMS roster"))
_UNIT_COLUMNS = (N_("status"), N_("attempts used"), N_("attempt that counts"), N_("score (0-100)"))
_TAIL_COLUMNS = (N_("grade sync"), N_("grade sync reason"), N_("credential"), N_("credential revoked"))


def _learner_cells(row: services.LearnerRow, say: Say) -> list[Cell]:
    return [row.learner.name, row.learner.user_id, say(N_("yes")) if row.learner.in_roster else say(N_("no"))]


def _status_cells(row: services.LearnerRow, say: Say) -> list[Cell]:
    p = row.progress
    return [say(STATUS_WORDS[p.status]), p.attempts_used, p.counting_number,
            percent_value(p.score) if p.score is not None else None]


def _tail_cells(row: services.LearnerRow, base_url: str, say: Say) -> list[Cell]:
    grade = row.grade
    revoked = row.credential is not None and row.credential.revoked_at is not None
    return [say(SYNC_WORDS.get(grade.state, grade.state)) if grade is not None else "",
            (grade.last_error or "") if grade is not None else "", _credential_url(row, base_url),
            say(N_("revoked")) if revoked else ""]


def placement_table(view: PlacementView, base_url: str, say: Say) -> tuple[list[str], list[list[Cell]]]:
    """CSV of one placed unit: one row per learner, a column per outcome, words in the teacher's language."""
    header = [say(c) for c in (*_LEARNER_COLUMNS, *_UNIT_COLUMNS)]
    header += [say(N_("outcome %(id)s")) % {"id": o.id} for o in view.outcomes] + [say(c) for c in _TAIL_COLUMNS]
    rows = []
    for r in view.rows:
        cells = [say(OUTCOME_WORDS[r.progress.outcomes.get(o.id, OutcomeState.NO_RESULT)]) for o in view.outcomes]
        rows.append([*_learner_cells(r, say), *_status_cells(r, say), *cells, *_tail_cells(r, base_url, say)])
    return header, rows


def course_table(views: Sequence[PlacementView], base_url: str, say: Say) -> tuple[list[str], list[list[Cell]]]:
    """CSV of the course: the header once, one row per (learner, placed unit); outcomes in one cell."""
    header = [say(c) for c in (*_LEARNER_COLUMNS, N_("activity"), N_("unit"), *_UNIT_COLUMNS, N_("outcomes"),
                                *_TAIL_COLUMNS)]
    rows: list[list[Cell]] = []
    for view in views:
        for r in view.rows:
            outcomes = "; ".join(f"{o.id}: {say(OUTCOME_WORDS[r.progress.outcomes.get(o.id, OutcomeState.NO_RESULT)])}"
                                 for o in view.outcomes)
            rows.append([*_learner_cells(r, say), view.label, view.link.unit_slug, *_status_cells(r, say), outcomes,
                         *_tail_cells(r, base_url, say)])
    rows.sort(key=lambda line: (str(line[0]).casefold(), str(line[1])))  # each learner's placements together
    return header, rows
