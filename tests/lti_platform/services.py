"""The LTI Advantage service claims a launch carries: AGS endpoint, NRPS, deep-linking settings."""

from __future__ import annotations

from typing import Any

from .ags import AgsService
from .constants import Claim, MessageType, Scope
from .deep_linking import DeepLinkingService
from .nrps import NrpsService
from .oidc import PendingLaunch

AGS_SCOPES = (Scope.LINEITEM, Scope.LINEITEM_READONLY, Scope.RESULT_READONLY, Scope.SCORE)  # Moodle offers all four


def service_claims(
    launch: PendingLaunch, *, ags: AgsService, nrps: NrpsService, deep_linking: DeepLinkingService
) -> dict[str, Any]:
    """Service claims for `launch`; registers the context, the launched member and the resource link's line item."""
    claims: dict[str, Any] = {}
    if launch.context is not None:
        context_id = str(launch.context.get("id", ""))
        nrps.contexts[context_id] = launch.context
        nrps.add_launched_user(launch.user, launch.roles)
        # AGS 2.0 'Assignment and grade service claim'; `lineitem` only for a resource link launch.
        endpoint: dict[str, Any] = {"scope": [str(s) for s in AGS_SCOPES], "lineitems": ags.lineitems_url(context_id)}
        if launch.message_type == MessageType.RESOURCE_LINK and launch.resource_link is not None:
            endpoint["lineitem"] = ags.resource_link_lineitem(context_id, launch.resource_link)
        claims[Claim.AGS_ENDPOINT] = endpoint
        # NRPS 2.0: the namesroleservice claim.
        claims[Claim.NRPS] = {
            "context_memberships_url": nrps.memberships_url(context_id),
            "service_versions": ["1.0", "2.0"],
        }
    if launch.message_type == MessageType.DEEP_LINKING_REQUEST:
        # DL 2.0 deep linking settings claim.
        claims[Claim.DL_SETTINGS] = deep_linking.settings_claim(launch.launch_id, launch.deployment_id)
    return claims
