"""Issue 11 M6: the consortium export of an administrator holds only their (issuer, client id, deployment)."""

from __future__ import annotations

from lti_tool.xapi.export import of_tenant
from lti_tool.xapi.profile import Extension, Profile

PROFILE = Profile("http://tool.example")


def _statement(issuer: str, client_id: str | None, deployment: str) -> dict:
    extensions = {PROFILE.extension(Extension.LTI_PLATFORM): issuer,
                  PROFILE.extension(Extension.LTI_DEPLOYMENT): deployment}
    if client_id is not None:
        extensions[PROFILE.extension(Extension.LTI_CLIENT)] = client_id
    return {"context": {"extensions": extensions}}


def test_only_the_launch_tenant_is_exported() -> None:
    mine = ("https://moodle.cloud", "client-a", "1")
    assert of_tenant(_statement(*mine), PROFILE, *mine)
    assert not of_tenant(_statement("https://moodle.cloud", "client-b", "1"), PROFILE, *mine)  # same issuer
    assert not of_tenant(_statement("https://moodle.cloud", "client-a", "2"), PROFILE, *mine)
    assert not of_tenant(_statement("https://other.lms", "client-a", "1"), PROFILE, *mine)
    assert not of_tenant(_statement("https://moodle.cloud", None, "1"), PROFILE, *mine)  # cannot tell: left out
    assert not of_tenant({}, PROFILE, *mine)
