"""Factories for the credential integration tests: tenants, learners, units and issued credentials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.catalogue.models import Unit
from lti_tool.credentials import services
from lti_tool.credentials.issuing.unit_facts import OutcomeResult
from lti_tool.credentials.models import Credential
from lti_tool.db import db
from lti_tool.launch.models import Context, Deployment, Platform, User
from tests.conftest import _make_app
from tests.support.catalogue import load_shipped_units

UNIT = "wood-chain-of-custody"
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)  # in the past: pages verify at the real time


@dataclass
class World:
    """One platform with a deployment, two courses and the catalogue loaded."""

    app: Flask
    platform_pk: int
    course_pk: int
    other_course_pk: int

    def learner(self, sub: str, name: str = "Lea Learner", email: str = "lea@example.org") -> User:
        """A learner of the platform (created once)."""
        user = db.session.scalar(sa.select(User).where(User.sub == sub))
        if user is None:
            user = User(issuer="https://lms.example.org", sub=sub, name=name, email=email)
            db.session.add(user)
            db.session.flush()
        return user

    def unit(self, slug: str = UNIT) -> Unit:
        """The current version of a unit."""
        unit = db.session.scalar(sa.select(Unit).where(Unit.slug == slug, Unit.is_current.is_(True)))
        assert unit is not None
        return unit

    def issue(self, user: User, slug: str = UNIT, *, course_pk: int | None = None,
              now: dt.datetime = NOW) -> Credential:
        """Issue through the service as the mastery decision will, and commit."""
        unit = self.unit(slug)
        credential = services.issue_for_mastery(
            db.session, user, unit, mastered(unit), now=now,
            context=db.session.get(Context, course_pk or self.course_pk),
        )
        db.session.commit()
        return credential


def mastered(unit: Unit, score: float = 0.9) -> list[OutcomeResult]:
    """Every outcome of the unit met with ``score``."""
    return [OutcomeResult(o["id"], score, True) for o in unit.document["outcomes"]]


def build_world(app: Flask) -> World:
    """Tenants and catalogue in the app's database."""
    load_shipped_units(app)
    with app.app_context():
        platform = Platform(issuer="https://lms.example.org", client_id="c1", auth_login_url="https://lms.example.org/a",
                            auth_token_url="https://lms.example.org/t", key_set_url="https://lms.example.org/k")
        deployment = Deployment(platform=platform, deployment_id="d1")
        course = Context(deployment=deployment, context_id="course-1", title="Wood course")
        other = Context(deployment=deployment, context_id="course-2", title="Other course")
        db.session.add_all([platform, deployment, course, other])
        db.session.commit()
        return World(app, platform.id, course.id, other.id)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    """The app (SQLite and PostgreSQL) with tenants and catalogue, inside an app context."""
    built = build_world(app)
    with app.app_context():
        yield built


@pytest.fixture
def https_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with a public HTTPS base URL: the issuer is did:web:mastery.example."""
    yield from _make_app(database_url, tmp_path, "https://mastery.example")


@pytest.fixture
def https_world(https_app: Flask) -> Iterator[World]:
    """Like ``world`` but issuing as did:web."""
    built = build_world(https_app)
    with https_app.app_context():
        yield built


def subject_name(document: dict[str, Any]) -> str:
    """The learner name carried in a credential."""
    ids = document["credentialSubject"]["identifier"]
    return next(i["identityHash"] for i in ids if i["identityType"] == "name")
