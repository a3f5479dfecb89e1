"""What ``create_app`` chose for this app, stored once on it with a typed accessor: the settings, the shared
HTTP session, the adapters of outside systems and the parts the packages build when they are wired. Code reads
``current_settings()`` / ``runtime()``, never a string key of ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

import requests
from flask import Flask, Request, current_app, g, request
from flask.ctx import _AppCtxGlobals

from lti_tool.settings import Settings

if TYPE_CHECKING:
    from flask_limiter import Limiter

    from lti_tool.assessment.upload_store import UploadStore
    from lti_tool.credentials.issuing.keyring import KeyRing
    from lti_tool.credentials.verification.remote import JsonFetcher
    from lti_tool.dashboard.roster_state import RecentFailures
    from lti_tool.events import Events
    from lti_tool.fragments import FragmentCache
    from lti_tool.launch.dynamic_registration import RegistrationHttp
    from lti_tool.launch.framing import RegisteredOrigins
    from lti_tool.launch.platform_keys import PlatformKeyCache
    from lti_tool.launch.registration import CourseRowCount
    from lti_tool.launch.registry_cache import RegistryCache
    from lti_tool.launch.views import LandingRender
    from lti_tool.lms.extension import ClientHolder
    from lti_tool.lms.protocol import LmsServices
    from lti_tool.xapi.lrs import LrsConnector, LrsProbe

_KEY = "mastery"  # the one app.extensions entry of the tool
T = TypeVar("T")


@dataclass
class Parts:
    """What a package builds when it is wired (its ``init_app``, from the settings) and reads on later requests.

    Each slot is set once, by the package named, before the app serves; ``wired`` reads one.
    """

    platform_keys: PlatformKeyCache | None = None  # launch: the platforms' public keys, cached
    limiter: Limiter | None = None  # bounds: the per-client rate limits
    lrs_probe: LrsProbe | None = None  # xapi: whether the LRS answers (shown by /health)
    credential_keys: KeyRing | None = None  # credentials: the issuer's signing keys (read on first use)
    events: Events | None = None  # create_app: the domain events and their subscribers (lti_tool.wire_events)
    fragments: FragmentCache | None = None  # create_app: the rendered page fragments, bounded
    registry: RegistryCache | None = None  # launch: the process's snapshot of the registrations
    frame_origins: RegisteredOrigins | None = None  # launch: the origins the framing policy allows
    # launch: the views that carry the launch token (read from the view functions on first url_for)
    launch_scoped: frozenset[str] | None = None
    # launch: the page each package above renders at once for a launch landing on its endpoint (add_landing)
    landings: dict[str, LandingRender] = field(default_factory=dict)
    # launch: each package's count of its rows in the courses a purge deletes, by the words naming them
    purge_counts: dict[str, CourseRowCount] = field(default_factory=dict)
    lms_services: ClientHolder | None = None  # lms: the process's LMS services client, built on first use
    roster_failures: RecentFailures | None = None  # dashboard: this process's recent roster refresh failures


def wired(part: T | None, what: str) -> T:
    """A part the packages' ``init_app`` built, or an error saying which is missing (an app not from create_app)."""
    if part is None:
        raise RuntimeError(f"{what} is not wired: create_app sets it up when it wires the package")
    return part


@dataclass(frozen=True)
class Runtime:
    """The app's settings and the objects the factory built from them (nothing is built at import time)."""

    settings: Settings
    # Keep-alive connections to the platforms' key sets (pylti1p3next fetches them through requests).
    requests_session: requests.Session
    # Outside systems: each opened through the adapter the factory chose, behind a small Protocol.
    # LTI Dynamic Registration: opens an HTTP client to the platform with this timeout (seconds).
    registration_client: Callable[[float], AbstractContextManager[RegistrationHttp]]
    # The LRS (xAPI statements): opens a connection to an LRS URL with Basic credentials and timeouts.
    lrs_client: LrsConnector
    # The platforms' LTI Advantage services (AGS, NRPS, tokens): a client with this timeout (seconds).
    lms_client: Callable[[float], LmsServices]
    # Other issuers' DID documents and status lists over HTTPS: a fetcher with this timeout (seconds).
    remote_fetcher: Callable[[float], JsonFetcher]
    # Learners' evidence files (the instance folder's uploads/ on this server).
    upload_store: UploadStore
    # What the packages build when they are wired (shared by a runtime that replace_settings derives).
    parts: Parts = field(default_factory=Parts)


def install(app: Flask, runtime: Runtime) -> None:
    """Store the runtime on the app (create_app, once)."""
    app.extensions[_KEY] = runtime


def runtime(app: Flask | None = None) -> Runtime:
    """The runtime of ``app``, or of the running app."""
    value: Runtime = (app or current_app).extensions[_KEY]
    return value


def current_settings(app: Flask | None = None) -> Settings:
    """The settings of ``app``, or of the running app."""
    return runtime(app).settings


def replace_settings(app: Flask, settings: Settings) -> None:
    """Give a running app other settings (tests that point it at another LRS, or shorten a timeout)."""
    install(app, replace(runtime(app), settings=settings))


def current_request() -> Request:
    """This request itself, behind Flask's ``request`` proxy.

    Each attribute read through a Werkzeug 3.1 LocalProxy looks the object up in its context variable again
    (~0.4 µs; ~170 such reads a launch, bench/launch.py --profile): a function reading it several times binds it
    once with this.
    """
    found: Request = request._get_current_object()  # type: ignore[attr-defined]
    return found


def request_globals() -> _AppCtxGlobals:
    """This app context's ``g`` itself, behind Flask's proxy (see current_request)."""
    found: _AppCtxGlobals = g._get_current_object()
    return found
