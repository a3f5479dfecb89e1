import time
from tests.integration.dashboard.helpers import get, ids, launch, submit_attempt
from tests.integration.dashboard.test_dashboard import _fake_members
from tests.lti_platform import PlatformUser


def test_timing(registered):
    tool, platform = registered
    learners = [launch(tool, platform, PlatformUser(sub=f"l{i}", name=f"L {i}")) for i in range(20)]
    for learner in learners:
        submit_attempt(learner, {"lo1", "lo2"})
    teacher = launch(tool, platform, PlatformUser(sub="t", name="T"), teacher=True)
    platform.members = _fake_members(230) + platform.members
    c, l = ids(tool)
    for label, path in [("dashboard first (NRPS 3 pages)", f"/courses/{c}/dashboard"),
                        ("dashboard cached", f"/courses/{c}/dashboard"),
                        ("link cached", f"/courses/{c}/links/{l}"), ("link cached", f"/courses/{c}/links/{l}"),
                        ("csv", f"/courses/{c}/links/{l}/export.csv"), ("course csv", f"/courses/{c}/dashboard/export.csv")]:
        t = time.perf_counter(); r = get(teacher, path); ms = (time.perf_counter() - t) * 1000
        print(f"\n{label}: {r.status_code} {ms:.0f} ms {len(r.content)} bytes")
