"""Tenant rows of a launch written with single INSERT … ON CONFLICT statements, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from lti_tool.db import db
from lti_tool.launch.claims import LTI_VERSION, Claim, LtiLaunch
from lti_tool.launch.models import Context, Deployment, Platform, ResourceLink, User
from lti_tool.launch.services import record_launch

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
