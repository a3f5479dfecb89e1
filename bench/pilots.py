"""Benchmark: the pilot figures and charts for the whole project, as the dashboard and `report --lrs` make them.

Synthetic facts at the project's full size and beyond: P pilots × C courses × L learners, each learner with
0-3 attempts and a questionnaire answer. Prints the time of `figures.compute` (shared by the dashboard and
the LRS report) and of each SVG chart (pygal), with the charts' sizes.

    .venv/bin/python bench/pilots.py [--pilots 13] [--courses 2] [--learners 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from lti_tool.pilots import charts
from lti_tool.pilots import figures as fg

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
COUNTRIES = ("IT", "ES", "FI", "BG", "BE")


def synthetic(pilots: int, courses: int, learners: int) -> fg.Facts:
    """Facts with the shape of real pilots (a fixed seed: every run measures the same data)."""
    rng = random.Random(1)
    facts = fg.Facts()
    for u in range(12):
        facts.units[f"u{u}"] = fg.UnitInfo(f"u{u}", f"Unit {u}", fg.SECTORS[u % 4], 10.0, ("s1", "s2", "s3"),
                                           (("lo1", "One"), ("lo2", "Two"), ("lo3", "Three")))
    for p in range(pilots):
        code = f"p{p:02d}"
        facts.pilots[code] = fg.PilotInfo(code, code, COUNTRIES[p % 5], fg.SECTORS[p % 4], "Org",
                                          dt.date(2026, 1, 1), dt.date(2026, 12, 31), courses * learners)
        for c in range(courses):
            course = ("https://lms.example", "d1", f"{code}-c{c}")
            facts.courses[course], facts.enrolled[course] = code, learners + 10
            for n in range(learners):
                who, unit = f"{course[2]}-{n}", f"u{(p + c) % 12}"
                facts.launches.add((course, who, unit))
                for a in range(rng.randint(0, 3)):
                    mastered = rng.random() < 0.4
                    start = T0 + dt.timedelta(hours=a)
                    facts.attempts.append(fg.AttemptFact(
                        course, who, unit, f"{who}-{a}", start, start + dt.timedelta(minutes=rng.randint(5, 90)),
                        mastered, frozenset({"lo1", "lo2", "lo3"} if mastered else {"lo1"})))
                facts.answers.append(fg.AnswerFact(course, who, unit, rng.randint(1, 5), 12.0, rng.randint(1, 5),
                                                   rng.random() < 0.7))
    return facts


def best_of(rounds: int, work: object) -> tuple[float, object]:
    """The fastest of `rounds` runs (ms) and the last result."""
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilots", type=int, default=13)
    parser.add_argument("--courses", type=int, default=2)
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    facts = synthetic(args.pilots, args.courses, args.learners)
    ms, figures = best_of(args.rounds, lambda: fg.compute(facts, dt.date(2026, 6, 1)))
    print(f"facts: {len(facts.pilots)} pilots, {len(facts.launches)} learners, {len(facts.attempts)} attempts, "
          f"{len(facts.answers)} answers")
    print(f"figures.compute: {ms:.1f} ms (best of {args.rounds}), {len(figures.rows)} rows")  # type: ignore[attr-defined]
    pilots = [r for r in figures.rows if r.level == "pilot"]  # type: ignore[attr-defined]
    for name, make in (
        ("learners by stage", lambda: charts.grouped_chart("Learners by stage", [r.key for r in pilots], [
            (c, [r.values[c] for r in pilots]) for c in ("launched", "attempted", "mastered")])),
        ("outcomes", lambda: charts.bar_chart("Mastery rate per outcome", [
            f"{o.unit} {o.outcome}" for o in figures.outcomes], [o.rate for o in figures.outcomes],  # type: ignore[attr-defined]
            maximum=100, unit="%")),
        ("targets", lambda: charts.bar_chart("Targets", [f"t{n}" for n in range(6)], [40, 80, 100, 100, 66, 33],
                                             maximum=150, unit="%")),
    ):
        ms, svg = best_of(args.rounds, make)
        print(f"chart {name}: {ms:.1f} ms, {len(str(svg).encode()) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
