"""The launch id_token decode (lti_tool.launch.id_token): every check PyJWT makes, with the faster segment check.

Tokens are built by the independent test platform's hand-written serialiser (tests/lti_platform/tokens.py), so a
header or segment can lie in ways PyJWT's own encoder would never produce.
"""

from __future__ import annotations

import base64
import time
from typing import Any
from unittest import mock

import jwt
import pytest
from jwt.api_jws import PyJWS

from lti_tool.launch import id_token
from lti_tool.launch.id_token import decode_id_token
from tests.lti_platform import SigningKey, new_signing_key
from tests.lti_platform.tokens import build_jwt

ISSUER, CLIENT = "https://moodle.example", "client-1"


@pytest.fixture(scope="module")
def signer() -> SigningKey:
    return new_signing_key()


@pytest.fixture(scope="module")
def public(signer: SigningKey) -> jwt.PyJWK:
    return jwt.PyJWK(signer.public_jwk(), algorithm="RS256")


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "learner-1", "iat": now, "exp": now + 300, "nonce": "n-1"}
    return {k: v for k, v in {**claims, **changes}.items() if v is not None}


def _token(signer: SigningKey, claims: dict[str, Any] | None = None, *, alg: str = "RS256", key: Any = None,
           header: dict[str, Any] | None = None) -> str:
    head = {"typ": "JWT", "alg": alg, "kid": signer.kid, **(header or {})}
    return build_jwt(claims if claims is not None else _claims(), alg=alg,
                     key=key if key is not None else signer.private_key, header=head)


def _decode(token: str, key: jwt.PyJWK, **kwargs: Any) -> dict[str, Any]:
    options = {"audience": CLIENT, "issuers": (ISSUER, ISSUER + "/"), "leeway": 5, **kwargs}
    return decode_id_token(token, key, **options)


def _respelled(segment: str) -> str:
    """The same bytes spelled differently: the last character's unused low bits set (a lenient decoder's equal)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    unused_bits = {2: 4, 3: 2}[len(segment) % 4]  # 2 or 3 trailing characters carry 1 or 2 bytes
    last = alphabet.index(segment[-1])
    return segment[:-1] + alphabet[last | ((1 << unused_bits) - 1)]


def test_a_good_token_gives_its_claims(signer: SigningKey, public: jwt.PyJWK) -> None:
    assert _decode(_token(signer), public)["sub"] == "learner-1"


def test_the_issuer_spelled_with_a_trailing_slash_is_accepted(signer: SigningKey, public: jwt.PyJWK) -> None:
    assert _decode(_token(signer, _claims(iss=ISSUER + "/")), public)["iss"] == ISSUER + "/"


def test_a_signature_by_another_key_is_refused(signer: SigningKey, public: jwt.PyJWK) -> None:
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(_token(signer, key=new_signing_key().private_key), public)


def test_a_changed_payload_is_refused(signer: SigningKey, public: jwt.PyJWK) -> None:
    header, _, signature = _token(signer).split(".")
    forged = _token(signer, _claims(sub="teacher-1")).split(".")[1]
    with pytest.raises(jwt.InvalidSignatureError):
        _decode(f"{header}.{forged}.{signature}", public)


@pytest.mark.parametrize(("alg", "key"), [("none", None), ("HS256", "public-pem"), ("RS512", None)])
def test_another_algorithm_is_refused(signer: SigningKey, public: jwt.PyJWK, alg: str, key: Any) -> None:
    secret = signer.public_pem() if key == "public-pem" else (b"" if alg == "none" else None)
    with pytest.raises(jwt.InvalidAlgorithmError):
        _decode(_token(signer, alg=alg, key=secret), public)


@pytest.mark.parametrize("where", [0, 1, 2], ids=["header", "payload", "signature"])
@pytest.mark.parametrize(("name", "spoil"), [
    ("junk character", lambda s: s[:10] + "!" + s[10:]),
    ("standard base64 character", lambda s: s[:10] + "+" + s[11:]),
    ("whitespace", lambda s: s[:10] + " " + s[10:]),
    ("three padding characters", lambda s: s + "==="),
    ("one dangling character", lambda s: s + "A" * ((1 - len(s)) % 4 or 4)),
    ("another spelling of the same bytes", lambda s: _respelled(s) if len(s) % 4 in (2, 3) else s[:-1] + "!"),
])
def test_a_spoiled_base64url_segment_is_refused(signer: SigningKey, public: jwt.PyJWK, where: int, name: str,
                                                 spoil: Any) -> None:
    parts = _token(signer).split(".")
    parts[where] = spoil(parts[where])
    with pytest.raises(jwt.DecodeError):
        _decode(".".join(parts), public)


def test_a_signature_segment_a_lenient_decoder_would_accept_is_refused(signer: SigningKey,
                                                                       public: jwt.PyJWK) -> None:
    """The two spellings base64's own decoder maps to the real signature: only the segment check stops them."""
    header, payload, signature = _token(signer).split(".")
    for spelling in (signature[:20] + "!" + signature[20:], _respelled(signature)):
        assert base64.urlsafe_b64decode(spelling + "==") == base64.urlsafe_b64decode(signature + "==")
        with pytest.raises(jwt.DecodeError):
            _decode(f"{header}.{payload}.{spelling}", public)
    assert _decode(f"{header}.{payload}.{signature}", public)["sub"] == "learner-1"


@pytest.mark.parametrize(("changes", "error"), [
    ({"iat": int(time.time()) - 600, "exp": int(time.time()) - 300}, jwt.ExpiredSignatureError),
    ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 3700}, jwt.ImmatureSignatureError),
    ({"nbf": int(time.time()) + 3600}, jwt.ImmatureSignatureError),
    ({"aud": "another-tool"}, jwt.InvalidAudienceError),
    ({"aud": ["another-tool", "a-third"]}, jwt.InvalidAudienceError),
    ({"iss": "https://evil.example"}, jwt.InvalidIssuerError),
    ({"exp": None}, jwt.MissingRequiredClaimError),
    ({"iat": None}, jwt.MissingRequiredClaimError),
    ({"nonce": None}, jwt.MissingRequiredClaimError),
    ({"iss": None}, jwt.MissingRequiredClaimError),
    ({"aud": None}, jwt.MissingRequiredClaimError),
    ({"exp": "tomorrow"}, jwt.DecodeError),
    ({"sub": 7}, jwt.exceptions.InvalidSubjectError),
], ids=["expired", "issued in the future", "not before", "audience", "audiences", "issuer", "no exp", "no iat",
        "no nonce", "no iss", "no aud", "exp not a number", "sub not a string"])
def test_claims_are_checked(signer: SigningKey, public: jwt.PyJWK, changes: dict[str, Any],
                            error: type[Exception]) -> None:
    with pytest.raises(error):
        _decode(_token(signer, _claims(**changes)), public)


def test_leeway_tolerates_a_few_seconds_of_clock_skew_and_no_more(signer: SigningKey, public: jwt.PyJWK) -> None:
    now = int(time.time())
    assert _decode(_token(signer, _claims(iat=now + 3, exp=now - 2)), public, leeway=10)
    with pytest.raises(jwt.ExpiredSignatureError):
        _decode(_token(signer, _claims(iat=now - 60, exp=now - 20)), public, leeway=10)


SEGMENTS = [b"", b"QQ", b"QR", b"QQ==", b"QQ=", b"QUI", b"QUJ", b"QUI=", b"QUJD", b"QUJD=", b"QUJD====", b"Q",
            b"QUJDR", b"QU!J", b"QU+J", b"QU/J", b"QU J", b"QU\nJ", b"QU.J", b"QU=J", b"=QUJ", b"_-_-", b"-_8",
            "QUé".encode(), b"\x00QUJ", b"QUJD" * 300 + b"RA", b"QUJD" * 300 + b"RB"]


@pytest.mark.parametrize("segment", SEGMENTS)
def test_the_segment_check_agrees_with_pyjwts_own(segment: bytes) -> None:
    def outcome(decode: Any) -> bytes | str:
        try:
            return bytes(decode(segment, "payload"))
        except jwt.DecodeError as error:
            return f"refused: {error}"

    assert outcome(id_token._RegexSegmentJWS._decode_base64url_segment) == outcome(
        PyJWS._decode_base64url_segment)


def test_pyjwt_still_calls_the_faster_segment_check(signer: SigningKey, public: jwt.PyJWK) -> None:
    """If a PyJWT release renamed the hook, the override would silently stop being used: this would say so."""
    original = id_token._RegexSegmentJWS._decode_base64url_segment
    with mock.patch.object(id_token._RegexSegmentJWS, "_decode_base64url_segment", side_effect=original) as hook:
        _decode(_token(signer), public)
    assert [call.args[1] for call in hook.call_args_list] == ["header", "payload", "crypto"]
