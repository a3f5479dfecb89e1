"""Tenant rows of a launch written with single INSERT … ON CONFLICT statements, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db, inserts_sent_together, queue_insert
from lti_tool.errors import LaunchError
from lti_tool.launch.claims import LTI_VERSION, Claim, LtiLaunch
from lti_tool.launch.models import Context, Deployment, LaunchSession, Platform, ResourceLink, User
from lti_tool.launch.services import record_launch
from lti_tool.pilots.models import LearnerLaunch
from lti_tool.xapi.models import StatementOutbox
from tests.support.catalogue import load_shipped_units

ISSUER = "https://lms.upsert.example"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def claims(**changes: Any) -> dict[str, Any]:
    base = {
        "iss": ISSUER, "sub": "learner-1", "aud": "client", "name": "Ada", "email": "ada@example.org",
        str(Claim.DEPLOYMENT_ID): "d1", str(Claim.MESSAGE_TYPE): "LtiResourceLinkRequest",
        str(Claim.VERSION): LTI_VERSION, str(Claim.ROLES): [LEARNER],
        str(Claim.RESOURCE_LINK): {"id": "rl-1", "title": "First title"},
        str(Claim.CONTEXT): {"id": "course-1", "title": "Course", "label": "C1"},
        str(Claim.CUSTOM): {"unit": "wood-chain-of-custody"},
    }
    base.update(changes)
    return base


def deployment() -> Deployment:
    platform = Platform(issuer=ISSUER, client_id="client", auth_login_url=ISSUER + "/auth",
                        auth_token_url=ISSUER + "/token", key_set_url=ISSUER + "/jwks")
    row = Deployment(platform=platform, deployment_id="d1")
    db.session.add_all([platform, row])
    db.session.commit()
    return row


def count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_second_launch_updates_the_same_rows(app: Flask) -> None:
    with app.app_context():
        dep = deployment()
        dep_pk = dep.id
        first = record_launch(db.session, dep, LtiLaunch(claims()), lifetime_hours=1)
        db.session.commit()
        user_pk, context_pk, link_pk = first.session.user_pk, first.session.context_pk, first.session.resource_link_pk
        first_seen = first.session.user.last_launch_at
        db.session.expunge_all()  # the next launch starts from the database, as in another request

        second = record_launch(db.session, db.session.get(Deployment, dep_pk), LtiLaunch(claims(
            name="Ada L.", email="", **{str(Claim.RESOURCE_LINK): {"id": "rl-1", "title": "Renamed"},
                                         str(Claim.CONTEXT): {"id": "course-1", "title": "Course 2"}})),
            lifetime_hours=1)
        db.session.commit()
        assert (second.session.user_pk, second.session.context_pk, second.session.resource_link_pk) == (
            user_pk, context_pk, link_pk)
        assert (count(User), count(Context), count(ResourceLink)) == (1, 1, 1)
        db.session.expunge_all()
        user = db.session.get(User, user_pk)
        assert (user.name, user.email) == ("Ada L.", "")
        assert user.last_launch_at >= first_seen
        assert db.session.get(Context, context_pk).title == "Course 2"
        assert db.session.get(ResourceLink, link_pk).title == "Renamed"


def test_a_user_keeps_what_the_launch_does_not_carry(app: Flask) -> None:
    with app.app_context():
        dep = deployment()
        dep_pk = dep.id
        first = record_launch(db.session, dep, LtiLaunch(claims()), lifetime_hours=1)
        first.session.user.credential_name = "Ada Lovelace"  # set on the credentials page, not by a launch
        db.session.commit()
        user_pk = first.session.user_pk
        db.session.expunge_all()
        record_launch(db.session, db.session.get(Deployment, dep_pk), LtiLaunch(claims()), lifetime_hours=1)
        db.session.commit()
        db.session.expunge_all()
        assert db.session.get(User, user_pk).credential_name == "Ada Lovelace"


def test_the_same_sub_on_another_issuer_is_another_user(app: Flask) -> None:
    with app.app_context():
        dep = deployment()
        record_launch(db.session, dep, LtiLaunch(claims()), lifetime_hours=1)
        other = Platform(issuer="https://other.example", client_id="client", auth_login_url="https://other.example/a",
                         auth_token_url="https://other.example/t", key_set_url="https://other.example/k")
        other_dep = Deployment(platform=other, deployment_id="d1")
        db.session.add_all([other, other_dep])
        db.session.flush()
        record_launch(db.session, other_dep, LtiLaunch(claims(iss="https://other.example")), lifetime_hours=1)
        db.session.commit()
        assert count(User) == 2 and count(Context) == 2


def launch_rows() -> dict[str, list[tuple[Any, ...]]]:
    """What launches wrote, without ids or times: the same on SQLite and PostgreSQL."""
    return {
        "sessions": [tuple(r) for r in db.session.execute(sa.select(
            LaunchSession.user_pk, LaunchSession.context_pk, LaunchSession.resource_link_pk, LaunchSession.unit_slug,
            LaunchSession.message_type).order_by(LaunchSession.id))],
        "statements": [(r.issuer, r.client_id, r.deployment_id, json.loads(r.payload)["verb"]["id"])
                       for r in db.session.execute(sa.select(StatementOutbox).order_by(StatementOutbox.id)).scalars()],
        "learner_launches": [tuple(r) for r in db.session.execute(sa.select(
            LearnerLaunch.context_pk, LearnerLaunch.user_pk, LearnerLaunch.unit_slug).order_by(LearnerLaunch.id))],
    }


def test_a_launch_sends_its_session_statement_and_learner_record_in_one_statement_on_postgresql(app: Flask) -> None:
    # The subscribers' INSERTs (the "launched" statement, the pilots' learner record) go with the session's INSERT:
    # on PostgreSQL as one statement with data-modifying CTEs, on SQLite one after another; the rows are the same.
    load_shipped_units(app)
    with app.app_context():
        dep = deployment()
        dep_pk = dep.id
        seen: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            text = " ".join(statement.split()).lower()
            if not text.startswith("delete from launch_session where launch_session.expires_at"):
                seen.append(text)  # not the sweep of expired sessions that one launch in 64 runs (CI saw it)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            first = record_launch(db.session, dep, LtiLaunch(claims()), lifetime_hours=1).session
            first_pk, user_pk, context_pk, link_pk = (first.id, first.user_pk, first.context_pk,
                                                      first.resource_link_pk)
            db.session.commit()
            db.session.expunge_all()
            dep = db.session.get(Deployment, dep_pk)
            assert dep.platform.client_id == "client"  # loaded here: a request has it from the registry cache
            seen.clear()
            again = record_launch(db.session, dep, LtiLaunch(claims()), lifetime_hours=1)
            db.session.commit()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        writes = [s for s in seen if "launch_session" in s or "xapi_statement_outbox" in s or "learner_launch" in s]
        if db.engine.dialect.name == "postgresql":
            assert len(writes) == 1 and writes[0].startswith("with "), writes
            # The user's upsert and the course and placement read: one statement too.
            assert [s.split(" as (")[0] for s in seen if not s.startswith("commit")] == [
                "with launched_user", "with queued_0"], seen
        else:
            assert len(writes) == 3, writes
            assert len(seen) == 5, seen  # the user's upsert, the course and placement, the three INSERTs
        assert again.session.id != first_pk and again.session.user.sub == "learner-1"
        launched = "http://adlnet.gov/expapi/verbs/launched"
        assert launch_rows() == {
            "sessions": [(user_pk, context_pk, link_pk, "wood-chain-of-custody", "LtiResourceLinkRequest")] * 2,
            "statements": [(ISSUER, "client", "d1", launched)] * 2,
            "learner_launches": [(context_pk, user_pk, "wood-chain-of-custody")],  # once, however many launches
        }


def test_a_relaunch_draws_no_learner_record_id(app: Flask) -> None:
    # The learner record is inserted only when absent (INSERT … SELECT … WHERE NOT EXISTS): a relaunch draws no id
    # from PostgreSQL's sequence, which a plain ON CONFLICT DO NOTHING would on every launch.
    with app.app_context():
        dep = deployment()
        dep_pk = dep.id
        for _ in range(3):
            record_launch(db.session, db.session.get(Deployment, dep_pk), LtiLaunch(claims()), lifetime_hours=1)
            db.session.commit()
        other = record_launch(db.session, db.session.get(Deployment, dep_pk), LtiLaunch(claims(
            **{str(Claim.CUSTOM): {"unit": "solar-pv-basics"}})), lifetime_hours=1)
        db.session.commit()
        ids = list(db.session.scalars(sa.select(LearnerLaunch.id).order_by(LearnerLaunch.id)))
        assert len(ids) == 2 and ids[1] == ids[0] + 1, ids
        assert other.session.unit_slug == "solar-pv-basics"


def test_a_failed_launch_writes_nothing_it_queued(app: Flask) -> None:
    # A subscriber's queued INSERTs go only with the session's; a launch that fails before it leaves none behind.
    with app.app_context():
        dep = deployment()
        dep_pk = dep.id
        with pytest.raises(LaunchError):
            record_launch(db.session, dep, LtiLaunch(claims(**{str(Claim.DEPLOYMENT_ID): "d2"})), lifetime_hours=1)
        db.session.rollback()
        with db.session.begin_nested():
            queued = {"context_pk": None, "user_pk": None, "unit_slug": "", "first_at": None}
            assert not queue_insert(db.session, sa.insert(LearnerLaunch), [queued])  # no block open: the caller runs it
        with pytest.raises(RuntimeError), inserts_sent_together(db.session):
            assert queue_insert(db.session, sa.insert(LearnerLaunch), [queued])
            raise RuntimeError("the launch failed")
        assert db.session.info.get("mastery.queued_inserts") is None
        db.session.rollback()
        assert count(LearnerLaunch) == 0 and count(StatementOutbox) == 0
        assert db.session.get(Deployment, dep_pk) is not None
