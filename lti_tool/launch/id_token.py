"""The launch id_token's JWS decode: PyJWT's, with its base64url segment check done by a compiled regex.

PyJWT 2.15.1 checks that each segment holds only base64url characters (GHSA-hxm8-2xgr-2p9m) with a Python
generator over every byte (`any(c not in alphabet for c in segment)`). A launch's id_token is ~2 KB, so that is
~1,600 generator steps per launch: 70 of the 120 µs `jwt.decode` takes on a 2 KB RS256 token (thread CPU,
`bench/launch.py --profile`; under cProfile, whose per-call cost inflates it, 0.73 s of 0.85 s per 300 launches).
The same rules here cost ~5 µs: a regex for the alphabet, then PyJWT's own padding, length and canonical
re-encoding rules. Everything else (header checks, the signature with the key's pinned algorithm, the claims,
leeway and required claims) is PyJWT's, unchanged. `tests/unit/launch/test_id_token.py` checks this decoder
against PyJWT's on crafted segments, and that PyJWT still calls it.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from jwt.utils import base64url_decode, base64url_encode

# RFC 4648 §5 alphabet, no padding (padding is stripped and counted first, as PyJWT does).
_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")
# What a launch must carry (LTI Security §5.1.3; PyJWT requires them non-null).
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "nonce")


class _RegexSegmentJWS(PyJWS):
    """PyJWS with the segment check above; PyJWS._load calls it for the header, payload and signature."""

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        stripped = segment.rstrip(b"=")
        padding = len(segment) - len(stripped)
        if (padding > 2 or (padding and len(segment) % 4 != 0) or len(stripped) % 4 == 1
                or _BASE64URL.fullmatch(stripped) is None):
            raise jwt.DecodeError(f"Invalid {name} padding")
        decoded = base64url_decode(stripped)  # cannot fail: alphabet and length checked above
        if base64url_encode(decoded) != stripped:  # non-zero unused bits: another spelling of the same bytes
            raise jwt.DecodeError(f"Invalid {name} padding")
        return decoded


class _IdTokenJWT(jwt.PyJWT):
    """PyJWT with the JWS layer above (PyJWT keeps its JWS layer in `_jws`, built in its constructor)."""

    def __init__(self) -> None:
        super().__init__()
        self._jws = _RegexSegmentJWS(options=self._get_sig_options())


_DECODER = _IdTokenJWT()


def decode_id_token(token: str, key: jwt.PyJWK, *, audience: str, issuers: Container[str],
                    leeway: float) -> dict[str, Any]:
    """The verified RS256 id_token's claims; PyJWT's exceptions (jwt.PyJWTError subclasses) when refused."""
    claims: dict[str, Any] = _DECODER.decode(token, key, algorithms=["RS256"], audience=audience, issuer=issuers,
                                             leeway=leeway, options={"require": list(REQUIRED_CLAIMS)})
    return claims
