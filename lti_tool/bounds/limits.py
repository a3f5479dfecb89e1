"""Per-endpoint bounds: body size, per-client rate, concurrency and time, wired once in ``create_app``.

What anyone can call without a launch (``/api/verify``, ``/lti/login``, ``/lti/register``, a coordinator's
sign-in, the wallet endpoints under ``/oid4vci`` and ``/exchanges``) is rate limited per client with
Flask-Limiter, counting in the tool's database so that all gunicorn workers share one count
(``lti_tool.bounds.store``). Another view joins by ``@rate_limited("signin")``.
"""

from __future__ import annotations

import inspect
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from flask import Flask, g, request
from flask.typing import ResponseReturnValue, RouteCallable
from flask_babel import gettext
from flask_limiter import Limiter
from werkzeug.exceptions import ServiceUnavailable

from lti_tool.bounds.deadline import RequestDeadline, Watchdog
from lti_tool.bounds.store import DatabaseStorage  # also registers the mastery+database:// scheme with `limits`
from lti_tool.db import db
from lti_tool.runtime import runtime, wired
from lti_tool.settings import Settings

KB = 1024
MB = 1024 * KB
# Every body the tool reads is small (JSON answers, forms, a credential) except evidence files.
DEFAULT_BODY = 1 * MB
MULTIPART_FRAMING = 64 * KB

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Bound:
    """What one endpoint may cost: body bytes, a named rate limit, requests at once per process, seconds."""

    body: int | None = None
    rate: str | None = None  # the Settings field ``rate_limit_<rate>``
    concurrent: int | None = None
    seconds: float | None = None


def _bounds(settings: Settings) -> dict[str, Bound]:
    evidence = settings.evidence_max_mb * MB + MULTIPART_FRAMING
    return {
        "launch.login": Bound(body=16 * KB, rate="login"),  # the six login parameters, each capped
        "launch.launch": Bound(body=256 * KB),  # one id_token (Moodle's are 2-8 KB)
        "dynamic_registration.register": Bound(body=64 * KB, rate="register"),
        "pilots.sign_in": Bound(body=16 * KB, rate="signin"),  # a coordinator's sign-in (lti_tool.pilots)
        # Verification is CPU work for anyone: one at a time per worker keeps a thread free for everyone else.
        "credentials.api_verify": Bound(body=MB + MULTIPART_FRAMING, rate="verify", concurrent=1),
        # OpenID4VCI and the VC-API exchange answer anyone holding an offer; a token request is a few hundred bytes.
        **{f"wallets.{name}": Bound(body=64 * KB, rate="wallet")
           for name in ("token", "nonce", "credential", "exchange_complete")},
        # A phone photo over a slow connection: a larger body, and time to send it.
        "assessment.upload": Bound(body=evidence, seconds=max(settings.request_timeout_seconds, 600.0)),
    }


def rate_limited(name: str) -> Callable[[F], F]:
    """Mark a view for the per-client limit ``Settings.rate_limit_<name>`` (the coordinator sign-in uses it)."""

    def mark(view: F) -> F:
        view._mastery_rate_limit = name  # type: ignore[attr-defined]
        return view

    return mark


def client_key() -> str:
    """The client a limit counts for: its IP address (after ProxyFix when TRUST_PROXY), an IPv6 client's /64."""
    addr = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))  # one subscriber gets a whole /64
    return str(ip)


def _too_many() -> str:
    return gettext("Too many requests from your network. Wait a minute, then try again.")


class Busy(ServiceUnavailable):
    """The endpoint already serves as many requests as it may at once in this process."""

    description = "The tool is busy with other requests of this kind. Try again in a few seconds."


def init_app(app: Flask, settings: Settings) -> None:
    """Apply body limits, rate limits, concurrency limits and the request time limit to the registered views."""
    app.config["MAX_CONTENT_LENGTH"] = DEFAULT_BODY
    bounds = _bounds(settings)
    for endpoint, view in app.view_functions.items():
        name = getattr(view, "_mastery_rate_limit", None)
        if name is not None:
            bounds[endpoint] = Bound(rate=name) if endpoint not in bounds else bounds[endpoint]
    counting = _rate_limits(app, settings, bounds)
    counter = counting.storage if counting.enabled else None  # a disabled limiter has no storage
    semaphores = {endpoint: threading.BoundedSemaphore(b.concurrent) for endpoint, b in bounds.items()
                  if b.concurrent}

    @app.before_request
    def _apply_bounds() -> None:
        bound = bounds.get(request.endpoint or "")
        if bound is None:
            return
        if bound.body is not None:
            request.max_content_length = bound.body  # Flask 3.1: per request, before the body is read
        if bound.seconds is not None:
            watchdog: Watchdog | None = request.environ.get("mastery.deadline")
            if watchdog is not None:
                watchdog.extend(bound.seconds)
        semaphore = semaphores.get(request.endpoint or "")
        if semaphore is not None:
            if not semaphore.acquire(timeout=2.0):  # a short wait: most verifications take milliseconds
                raise Busy(retry_after=5)
            g.mastery_semaphore = semaphore

    forget_hit = counter.forget_hit if isinstance(counter, DatabaseStorage) else None

    @app.teardown_request
    def _release(_error: BaseException | None) -> None:
        semaphore = g.pop("mastery_semaphore", None)
        if semaphore is not None:
            semaphore.release()
        if forget_hit is not None:
            forget_hit()  # this request's counted window is not the next one's

    app.wsgi_app = RequestDeadline(app.wsgi_app, seconds=settings.request_timeout_seconds)  # type: ignore[method-assign]


def _rate_limits(app: Flask, settings: Settings, bounds: dict[str, Bound]) -> Limiter:
    if settings.rate_limit_storage == "database":
        with app.app_context():
            storage_uri, options = "mastery+database://", {"engine": db.engine}
    else:
        storage_uri, options = settings.rate_limit_storage, {}

    limiter = Limiter(client_key, app=app, storage_uri=storage_uri, storage_options=options,  # type: ignore[arg-type]
                      strategy="fixed-window", headers_enabled=True, swallow_errors=True,
                      enabled=settings.rate_limits_enabled, key_prefix="mastery")
    runtime(app).parts.limiter = limiter
    for endpoint, bound in bounds.items():
        if bound.rate is None or endpoint not in app.view_functions:
            continue
        value = getattr(settings, f"rate_limit_{bound.rate}")
        view = app.view_functions[endpoint]
        if not _sync(view):
            raise TypeError(f"{endpoint}: a rate limit wraps a plain view, not a coroutine")
        app.view_functions[endpoint] = limiter.limit(value, error_message=_too_many, scope=bound.rate)(view)
    return limiter


def _sync(view: RouteCallable) -> TypeGuard[Callable[..., ResponseReturnValue]]:
    # Flask's view type admits coroutines too; the tool has none, and the limit must wrap what Flask calls.
    return not inspect.iscoroutinefunction(view)


def limiter() -> Limiter:
    """This app's rate limiter."""
    return wired(runtime().parts.limiter, "the rate limiter")
