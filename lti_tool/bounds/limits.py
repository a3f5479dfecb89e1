"""Per-endpoint bounds: body size, per-client rate, concurrency and time, wired once in ``create_app``.

What anyone can call without a launch (``/api/verify``, ``/lti/login``, ``/lti/register``, a coordinator's
sign-in, the wallet endpoints under ``/oid4vci`` and ``/exchanges``) is rate limited per client with
Flask-Limiter, counting in the tool's database so that all gunicorn workers share one count
(``lti_tool.bounds.store``). Another view joins by ``@rate_limited("signin")``.
"""

from __future__ import annotations

import functools
import inspect
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from flask import Flask, Response, g, request
from flask.typing import ResponseReturnValue, RouteCallable
from flask_babel import gettext
from flask_limiter import Limiter
from werkzeug.exceptions import ServiceUnavailable

from lti_tool.bounds.deadline import RequestDeadline, Watchdog
from lti_tool.bounds.store import DatabaseStorage  # also registers the mastery+database:// scheme with `limits`
from lti_tool.db import db
from lti_tool.runtime import current_request, runtime, wired
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
    counting, limited = _rate_limits(app, settings, bounds)
    counter = counting.storage if counting.enabled else None  # a disabled limiter has no storage
    semaphores = {endpoint: threading.BoundedSemaphore(b.concurrent) for endpoint, b in bounds.items()
                  if b.concurrent}

    @app.before_request
    def _apply_bounds() -> None:
        current = current_request()  # once: each read through Flask's proxy looks the request up again
        bound = bounds.get(current.endpoint or "")
        if bound is None:
            return
        if bound.body is not None:
            current.max_content_length = bound.body  # Flask 3.1: per request, before the body is read
        if bound.seconds is not None:
            watchdog: Watchdog | None = current.environ.get("mastery.deadline")
            if watchdog is not None:
                watchdog.extend(bound.seconds)
        semaphore = semaphores.get(current.endpoint or "")
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
        if forget_hit is not None and request.endpoint in limited:
            forget_hit()  # this request's counted window is not the next one's

    app.wsgi_app = RequestDeadline(app.wsgi_app, seconds=settings.request_timeout_seconds)  # type: ignore[method-assign]


def _rate_limits(app: Flask, settings: Settings, bounds: dict[str, Bound]) -> tuple[Limiter, frozenset[str]]:
    """The limiter, and the endpoints it counts (none when the limits are off)."""
    if settings.rate_limit_storage == "database":
        with app.app_context():
            storage_uri, options = "mastery+database://", {"engine": db.engine}
    else:
        storage_uri, options = settings.rate_limit_storage, {}

    limiter = Limiter(client_key, app=app, storage_uri=storage_uri, storage_options=options,  # type: ignore[arg-type]
                      strategy="fixed-window", headers_enabled=True, swallow_errors=True,
                      enabled=settings.rate_limits_enabled, key_prefix="mastery")
    runtime(app).parts.limiter = limiter
    if not limiter.enabled:
        # Rate limits off: the views stay unwrapped. A disabled limiter's wrapper still resolved and evaluated the
        # (then empty) limits on every call: ~4 % of a login's CPU (bench/request_overhead.py --profile login).
        return limiter, frozenset()
    limited: set[str] = set()
    for endpoint, bound in bounds.items():
        if bound.rate is None or endpoint not in app.view_functions:
            continue
        value = getattr(settings, f"rate_limit_{bound.rate}")
        view = app.view_functions[endpoint]
        if not _sync(view):
            raise TypeError(f"{endpoint}: a rate limit wraps a plain view, not a coroutine")
        app.view_functions[endpoint] = limiter.limit(value, error_message=_too_many, scope=bound.rate)(view)
        limited.add(endpoint)
    _hooks_only_where_limited(app, limiter, frozenset(limited))
    return limiter, frozenset(limited)


def _hooks_only_where_limited(app: Flask, limiter: Limiter, limited: frozenset[str]) -> None:
    """Flask-Limiter 4.1's request hooks, run only on the endpoints that carry a limit.

    Its ``init_app`` hooks every request: a ``before_request`` that resolves the application, default and meta
    limits of the endpoint (the tool declares none, so it never finds one: the decorated views count their own),
    an ``after_request`` that writes the X-RateLimit headers of what the view counted, and a ``teardown_request``
    that resets its per-request context. On a request no limit applies to, they cost ~0.07 ms of CPU (a
    do-nothing view 0.59 -> 0.66 ms with the limits on, bench/request_overhead.py); on a limited one the
    before_request resolved the limits once more before the view's own check. Here the before_request goes, and
    the other two run on the limited endpoints only, each in its place among the app's hooks. A Flask-Limiter
    that hooks in otherwise stops the start (_hook).
    """
    manager = limiter.limit_manager
    if manager.application_limits or manager.default_limits or limiter._meta_limits:
        raise RuntimeError("application, default or meta rate limits would need Flask-Limiter's before_request")
    check = limiter._check_request_limit
    inject = _hook(app.after_request_funcs[None],
                   lambda f: isinstance(f, functools.partial) and f.args == (limiter,), "after_request")
    release = _hook(app.teardown_request_funcs[None], lambda f: f == limiter._Limiter__release_context,  # type: ignore[attr-defined]
                    "teardown_request")
    _hook(app.before_request_funcs[None], lambda f: f == check, "before_request")
    app.before_request_funcs[None].remove(check)

    def _limit_headers(response: Response) -> Response:
        answered: Response = inject(response) if request.endpoint in limited else response
        return answered

    def _limit_context(error: BaseException | None) -> None:
        if request.endpoint in limited:
            release(error)

    _replace(app.after_request_funcs[None], inject, _limit_headers)
    _replace(app.teardown_request_funcs[None], release, _limit_context)


def _hook(hooks: list[Any], found: Callable[[Any], bool], kind: str) -> Any:
    matches = [hook for hook in hooks if found(hook)]
    if len(matches) != 1:
        raise RuntimeError(f"Flask-Limiter registered {len(matches)} {kind} hooks, not the one expected")
    return matches[0]


def _replace(hooks: list[Any], old: Any, new: Any) -> None:
    hooks[hooks.index(old)] = new  # the same place: Flask runs after_request hooks in reverse order


def _sync(view: RouteCallable) -> TypeGuard[Callable[..., ResponseReturnValue]]:
    # Flask's view type admits coroutines too; the tool has none, and the limit must wrap what Flask calls.
    return not inspect.iscoroutinefunction(view)


def limiter() -> Limiter:
    """This app's rate limiter."""
    return wired(runtime().parts.limiter, "the rate limiter")
