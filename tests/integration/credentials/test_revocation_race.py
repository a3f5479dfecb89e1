"""Issue 11: concurrent revocations report "changed" exactly once, and the stored reason is the statement's."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from lti_tool.credentials import services
from lti_tool.credentials.models import Credential
from lti_tool.db import db
from lti_tool.xapi.models import StatementOutbox
from tests.integration.credentials.conftest import NOW, World

LATER = NOW + dt.timedelta(minutes=5)
RACERS = 6


def test_concurrent_revocations_change_the_credential_once(world: World) -> None:
    credential_id = world.issue(world.learner("l1")).id
    before = set(db.session.scalars(sa.select(StatementOutbox.statement_id)))
    barrier = threading.Barrier(RACERS)
    changed: list[bool] = []
    errors: list[BaseException] = []

    def revoke(n: int) -> None:
        with world.app.app_context():
            try:
                credential = db.session.get(Credential, credential_id)
                assert credential is not None and credential.revoked_at is None  # everyone read it unrevoked
                barrier.wait(timeout=10)
                changed.append(services.revoke(db.session, credential, f"reason number {n}", f"teacher {n}",
                                               now=LATER))
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=revoke, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(changed) == [False] * (RACERS - 1) + [True]
    db.session.expire_all()
    stored = db.session.get(Credential, credential_id)
    assert stored is not None and stored.revocation_reason is not None
    new = [row for row in db.session.scalars(sa.select(StatementOutbox)) if row.statement_id not in before]
    [statement] = new  # one "revoked" statement
    assert stored.revocation_reason.encode() in statement.payload
    winner = stored.revocation_reason.rsplit(" ", 1)[-1]
    assert stored.revoked_by == f"teacher {winner}"
