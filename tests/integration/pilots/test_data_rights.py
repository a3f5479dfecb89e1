"""Learners' data rights: export everything, erase (twice = no-op), retention purge; the LRS is voided too."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from lti_tool.credentials.models import Credential, StatusList
from lti_tool.db import Base, db
from lti_tool.pilots.models import ErasureRecord
from lti_tool.runtime import current_settings, replace_settings
from lti_tool.xapi.lrs_client import LrsClient
from tests.conftest import LEARNER, LiveTool
from tests.integration.assessment.test_learning_record import _point_at
from tests.integration.assessment.test_review_and_uploads import PNG, _submit_with_evidence
from tests.integration.assessment.test_review_and_uploads import UNIT as PRACTICAL_UNIT
from tests.integration.dashboard.helpers import ids, submit_attempt
from tests.integration.pilots.helpers import UNIT, create_pilot, launch
from tests.lrs_fixtures import RalphLrs
from tests.lti_platform import LtiRoles, PlatformUser, TestPlatform

OTHER = PlatformUser(sub="other-9", name="Otto Other", email="otto@example.org")
GOOD = {"relevance": "4", "clarity": "4", "workload_hours": "20", "recommend": "yes", "comment": "Lea wrote this"}


def _everything(tool: LiveTool) -> str:
    """Every row of every table, as text."""
    with tool.app.app_context():
        return "\n".join(str(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in db.session.execute(sa.select(table)))


def _lea_journey(tool: LiveTool, platform: TestPlatform) -> str:
    create_pilot(tool, "it-manu-1")
    lea, _ = launch(tool, platform, LEARNER, custom={"pilot": "it-manu-1"})
    submit_attempt(lea, {"lo1", "lo2", "lo3"})
    answer = lea.http.post(tool.url + f"/units/{UNIT}/questionnaire", data={**GOOD, "csrf_token": lea.csrf},
                           timeout=30)
    assert answer.status_code == 200
    practical, _ = launch(tool, platform, LEARNER, unit=PRACTICAL_UNIT, resource_link={"id": "rl-p", "title": "P"})
    _submit_with_evidence(practical)
    teacher, _ = launch(tool, platform, PlatformUser(sub="t1", name="Teacher"), roles=[LtiRoles.INSTRUCTOR])
    platform.members = [{"user_id": LEARNER.sub, "status": "Active", "name": LEARNER.name, "email": LEARNER.email,
                         "roles": [LtiRoles.LEARNER]}]
    context_pk, _ = ids(tool)
    assert teacher.http.get(tool.url + f"/courses/{context_pk}/dashboard", timeout=30).status_code == 200
    return lea


def test_a_learner_downloads_everything_and_an_erasure_leaves_nothing(
        registered: tuple[LiveTool, TestPlatform], ralph_lrs: RalphLrs, tmp_path: Path) -> None:
    tool, platform = registered
    _point_at(tool, ralph_lrs)
    lea = _lea_journey(tool, platform)
    mine = lea.http.get(tool.url + "/me/credentials", timeout=30)
    assert mine.status_code == 200 and "/me/data" in mine.text
    page = lea.http.get(tool.url + "/me/data", timeout=30)
    assert page.status_code == 200 and 'data-download="my-data"' in page.text
    download = lea.http.get(tool.url + "/me/data.zip", timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    data = json.loads(archive.read("data.json"))
    assert data["person"]["name"] == LEARNER.name and data["person"]["email"] == LEARNER.email
    assert len(data["attempts"]) == 2 and data["attempts"][0]["responses"]
    assert len(data["credentials"]) == 1 and data["credentials"][0]["document"]["credentialSubject"]
    assert data["questionnaires"][0]["answers"]["comment"] == "Lea wrote this"
    assert data["learning_record_statements"] and len(data["evidence"]) == 1
    assert archive.read(data["evidence"][0]["file"]) == PNG
    # Someone else's data never comes with it.
    assert "Teacher" not in archive.read("data.json").decode()

    tool.cli("xapi", "deliver", "--once")
    agent = {"objectType": "Agent", "account": {"homePage": platform.issuer, "name": LEARNER.sub}}
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as lrs:
        sent = {s["id"] for s in lrs.iter_statements(agent=agent)}
    assert sent
    uploads = Path(current_settings(tool.app).instance_path) / "uploads"
    assert any(uploads.rglob("*"))
    assert LEARNER.email in _everything(tool)

    erased = tool.cli("learner", "erase", "--issuer", platform.issuer, "--sub", LEARNER.sub, "--yes")
    assert "erased (erasure record" in erased and "evidence_files 1" in erased
    everything = _everything(tool)
    for personal in (LEARNER.name, LEARNER.email, "Lea wrote this", f"'{LEARNER.sub}'", f'"{LEARNER.sub}"'):
        assert personal not in everything, personal
    assert not [p for p in uploads.rglob("*") if p.is_file()]
    tool.cli("xapi", "deliver", "--once")
    with LrsClient(ralph_lrs.url, ralph_lrs.username, ralph_lrs.password) as lrs:
        voided = {s["object"]["id"] for s in lrs.iter_statements(verb="http://adlnet.gov/expapi/verbs/voided")}
    assert sent <= voided  # every statement about Lea is voided in the LRS
    everything = _everything(tool)
    again = tool.cli("learner", "erase", "--issuer", platform.issuer, "--sub", LEARNER.sub, "--yes")
    assert "already erased" in again and _everything(tool) == everything
    with tool.app.app_context():
        record = db.session.scalar(sa.select(ErasureRecord))
        assert record.summary["statements_voided"] == len(sent) and LEARNER.sub not in json.dumps(record.summary)


def test_revoke_policy_and_retention_purge(registered: tuple[LiveTool, TestPlatform]) -> None:
    tool, platform = registered
    settings = current_settings(tool.app)
    replace_settings(tool.app, settings.model_copy(
        update={"erasure_credentials": "revoke", "pilot_retention_days": 30}))
    create_pilot(tool, "old-1", starts="2020-01-01", ends="2020-06-30")
    create_pilot(tool, "now-1")
    otto, _ = launch(tool, platform, OTHER, custom={"pilot": "old-1"})
    submit_attempt(otto, {"lo1", "lo2", "lo3"})
    lea, _ = launch(tool, platform, LEARNER, context={**dict(id="course-2", title="C2")},
                    custom={"pilot": "now-1"})
    with tool.app.app_context():
        credential = db.session.scalar(sa.select(Credential))
        list_pk, index = credential.status_list_pk, credential.status_index
    assert "old-1: ended 2020-06-30, 1 learner(s) would be erased" in tool.cli("retention", "purge", "--dry-run")
    assert OTHER.email in _everything(tool)
    assert "old-1: ended 2020-06-30, 1 learner(s) erased" in tool.cli("retention", "purge")
    everything = _everything(tool)
    assert OTHER.email not in everything and OTHER.name not in everything
    assert LEARNER.email in everything  # the running pilot's learner stays
    with tool.app.app_context():
        bits = db.session.get(StatusList, list_pk).bits
        assert (bits[index // 8] >> (7 - index % 8)) & 1 == 1  # revoked before the tool's copy went
        assert db.session.scalar(sa.select(ErasureRecord.reason)) == "retention"
    assert "old-1" not in tool.cli("retention", "purge")  # purged once
    assert lea
