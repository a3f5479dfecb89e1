"""Open Badges 3.0 credentials with the EU micro-credential (Annex I) elements: build, sign, verify, revoke.

In folders by job, each importing only from the ones below it (tests/unit/credentials/test_layout.py):

- ``views``, ``learner_views``, ``cli``: the pages, endpoints and commands;
- ``services`` (issue, reissue, revoke, look up), ``models``, ``runtime`` (issuer, keys and base URL of the app);
- ``issuing/``: the unsigned credential from unit and learner facts, who issues (DID, keys), issuing from an LRS;
- ``status/``: Bitstring Status Lists, the bitstring and its credential (pure) and the lists in the database;
- ``exports/``: the one plain-language reader of a signed credential, and the PDF, QR, ELM, badge and sharing
  forms built on it;
- ``verification/``: verify anyone's credential (pure verifier, JSON Schema, remote DID and status lists);
- ``proof/``: JSON-LD canonicalisation over the pinned contexts in ``proof/jsonld_documents/``, Data Integrity
  (eddsa-rdfc-2022), VC-JWT, multibase and key resolution.

The wallets (OpenID4VCI, the LCW exchange) are their own package, ``lti_tool.wallets``, one floor above: they hand
an issued credential to a holder and use this package's public parts; the factory registers their endpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the credential pages and APIs, the `credentials` CLI and the key ring."""
    from lti_tool.credentials import views

    views.init_app(app)
