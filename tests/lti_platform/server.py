"""HTTP plumbing of the test platform: a loopback ThreadingHTTPServer in a daemon thread, and a tiny router."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class HttpRequest:
    """One request as the platform's handlers see it."""

    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    raw_target: str

    @property
    def content_type(self) -> str:
        """The media type of the body without parameters, lower-cased."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str]:
        """The urlencoded body as a flat dict (first value wins); empty for another content type."""
        if self.content_type != "application/x-www-form-urlencoded":
            return {}
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def params(self) -> dict[str, str]:
        """Query parameters overlaid with form fields (OIDC Core 3.1.2.1: GET and POST both accepted)."""
        return {**self.query, **self.form()}

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class HttpResponse:
    """One answer: status, body and headers."""

    status: int
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, status: int = 200) -> HttpResponse:
        """An HTML answer."""
        return cls(status, text.encode("utf-8"))

    @classmethod
    def json(cls, obj: Any, status: int = 200, content_type: str = "application/json", **headers: str) -> HttpResponse:
        """A JSON answer with the given media type."""
        return cls(status, json.dumps(obj).encode("utf-8"), content_type, dict(headers))

    @classmethod
    def empty(cls, status: int = 200) -> HttpResponse:
        """An answer with no body (Moodle answers a score POST with 200 and nothing)."""
        return cls(status, b"", None)


Handler = Callable[[HttpRequest, "re.Match[str]"], HttpResponse]


class Router:
    """Method + path regex → handler; 404 / 405 otherwise."""

    def __init__(self) -> None:
        self._routes: list[tuple[frozenset[str], re.Pattern[str], Handler]] = []
        # Hooks asked first; one answering (not None) short-circuits the routes (injected faults).
        self.before: list[Callable[[HttpRequest], HttpResponse | None]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        """Register `handler` for the space-separated `methods` on a full-match path regex."""
        self._routes.append((frozenset(methods.split()), re.compile(pattern), handler))

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        """Find the route and call it."""
        for hook in self.before:
            answer = hook(request)
            if answer is not None:
                return answer
        path_matched = False
        for methods, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if request.method in methods:
                return handler(request, match)
        if path_matched:
            return HttpResponse.json({"error": "method_not_allowed"}, 405)
        return HttpResponse.json({"error": "not_found", "path": request.path}, 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    errors: list[str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A bug in a handler must be visible to the tests, not only printed.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return  # the client gave up waiting (a timeout test): not a bug in a handler
        self.errors.append(f"{type(exc).__name__}: {exc}")
        super().handle_error(request, client_address)


class PlatformHttpServer:
    """Serves a Router on a free loopback port in a daemon thread."""

    def __init__(self, host: str, router: Router) -> None:
        self.host = host
        self.router = router
        self.errors: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        if self._server is None:
            raise RuntimeError("server not started")
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Bind port 0 and serve until stop()."""
        router = self.router

        class _Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection, so stop() never waits on an idle keep-alive socket.
            protocol_version = "HTTP/1.0"

            def _handle(self) -> None:
                target = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                query = {k: v[0] for k, v in parse_qs(target.query, keep_blank_values=True).items()}
                request = HttpRequest(
                    self.command, target.path, query, self.headers, self.rfile.read(length), self.path
                )
                answer = router.dispatch(request)
                self.send_response(answer.status)
                if answer.content_type:
                    self.send_header("Content-Type", answer.content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep pytest output clean

        server = _Server((self.host, 0), _Handler)
        server.errors = self.errors
        self._server = server
        # A short poll interval: shutdown() waits up to one interval, and fixtures stop a server per test.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="lti-test-platform", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
