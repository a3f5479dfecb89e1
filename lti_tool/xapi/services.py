"""xAPI services the CLI and the admin page share: the consortium export."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm as so

from lti_tool.catalogue.models import Unit
from lti_tool.launch.models import Platform
from lti_tool.settings import Settings
from lti_tool.xapi import export
from lti_tool.xapi.lrs import make_client
from lti_tool.xapi.outbox import Tenant
from lti_tool.xapi.profile import Profile


def export_csv(db: so.Session, settings: Settings, since: dt.datetime | None = None,
               issuer: str | None = None, tenant: Tenant | None = None) -> bytes:
    """Per-pilot aggregates read from the LRS as CSV bytes (only `issuer`'s platform, or one tenant, when given)."""
    profile = Profile(settings.base_url)
    # Catalogue and registration names are reference data; every count comes from the LRS.
    sectors = {slug: sector for slug, sector in db.execute(sa.select(Unit.slug, Unit.sector))}
    names = {iss: name for iss, name in db.execute(sa.select(Platform.issuer, Platform.name)) if name}
    with make_client(settings, timeout=30.0) as client:
        statements = export.fetch(client, profile, since)
    if tenant is not None:
        statements = [s for s in statements if export.of_tenant(s, profile, tenant.issuer, tenant.client_id,
                                                                  tenant.deployment_id)]
    rows = export.aggregate(statements, profile, sectors, names)
    if issuer is not None:
        rows = [row for row in rows if row["platform"] == issuer]
    return export.to_csv(rows)
