"""Exactly once under concurrency: 20 simultaneous completions, each in its own session and connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.credentials import services
from lti_tool.credentials.models import Credential, StatusList
from lti_tool.credentials.runtime import CredentialEnv, current_env
from lti_tool.db import db
from lti_tool.launch.models import User
from tests.integration.credentials.conftest import NOW, World, mastered

THREADS = 20


def _race(engine: sa.Engine, env: CredentialEnv, pairs: list[tuple[int, int]]) -> list[str]:
    """Issue for each (user pk, unit pk) in its own thread and session, all released at once."""
    barrier = threading.Barrier(len(pairs))

    def one(pair: tuple[int, int]) -> str:
        with so.Session(engine) as session:
            user, unit = session.get_one(User, pair[0]), session.get_one(Unit, pair[1])
            results = mastered(unit)
            barrier.wait(timeout=30)
            credential = services.issue_for_mastery(session, user, unit, results, now=NOW, env=env)
            session.commit()
            return credential.id

    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        return list(pool.map(one, pairs))


def _engine() -> sa.Engine:
    # Its own pool, large enough that all 20 threads hold a connection at the same time.
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return sa.create_engine(url, connect_args={"timeout": 30}, pool_size=THREADS + 2, max_overflow=0)
    return sa.create_engine(url, pool_size=THREADS + 2, max_overflow=0)


def test_twenty_concurrent_completions_issue_one_credential(world: World) -> None:
    learner, unit = world.learner("racer"), world.unit()
    db.session.commit()
    engine = _engine()
    try:
        ids = _race(engine, current_env(), [(learner.id, unit.id)] * THREADS)
    finally:
        engine.dispose()
    db.session.expire_all()
    assert len(set(ids)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Credential)) == 1
    # the 19 losers gave their index back: the list's next index is 1
    assert db.session.scalars(sa.select(StatusList.next_index)).all() == [1]


def test_twenty_learners_at_once_get_distinct_consecutive_indices(world: World) -> None:
    learners = [world.learner(f"learner-{n}") for n in range(THREADS)]
    unit = world.unit()
    db.session.commit()
    engine = _engine()
    try:
        ids = _race(engine, current_env(), [(learner.id, unit.id) for learner in learners])
    finally:
        engine.dispose()
    db.session.expire_all()
    credentials = db.session.scalars(sa.select(Credential)).all()
    assert len(set(ids)) == THREADS == len(credentials)
    assert len({c.status_list_pk for c in credentials}) == 1
    assert sorted(c.status_index for c in credentials) == list(range(THREADS))  # none reused, none skipped
    assert sorted(c.document["credentialStatus"]["statusListIndex"] for c in credentials) == sorted(
        str(n) for n in range(THREADS)
    )
