"""The floor: the bare pylti1p3next tool plus the work issue 16 requires of a launch, written as directly as we can.

bench/launch.py runs it beside ours and the bare tool (bench/bare_tool.py) to show what that required work costs
by itself on this stack, so our own figure can be read against both. It shares no code with lti_tool. On top of
the bare tool's login and id_token validation (pylti1p3next as its README wires them) it:
- keeps the login's state and nonce in PostgreSQL (one INSERT at the login) and takes them single-use at the
  launch, checking the token's nonce (pylti1p3next's own Flask-session nonce store is left out: the database
  row is the check, as in ours);
- upserts the user, the course and the placement, opens a server-side launch session and queues the xAPI
  "launched" statement, and reads the unit and the learner's attempts, all in the launch's one SQL statement
  (CTEs, one round trip in autocommit);
- answers with an HTML page of about our unit page's length, rendered from one precompiled, autoescaped Jinja2
  template with the learner's name, the unit's title, the session's CSRF token and its URLs.
It talks to psycopg 3 directly (one connection per thread, no ORM, no pool; psycopg prepares a statement on the
server after its fifth use), with no middleware, no i18n, no rate limits, no request time limit, no CSP, no
error pages. So its figure is a lower bound for any tool that does the issue's required work with pylti1p3next.

    FLOOR_TOOL_CONF='{"database": "postgresql://…", "issuer": …, …}' gunicorn -w 2 'floor_tool:create_app()'
    (bench/launch.py calls prepare(database) first: the tables.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jinja2
import psycopg
from bare_tool import ProcessCache, tool_conf
from flask import Flask, Response, abort, jsonify, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.contrib.flask.launch_data_storage.cache import FlaskCacheDataStorage
from pylti1p3.session import SessionService

LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"

TABLES = """
CREATE TABLE IF NOT EXISTS floor_login_state (
    state text PRIMARY KEY, nonce text NOT NULL, target text NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS floor_user (
    id bigserial PRIMARY KEY, issuer text NOT NULL, sub text NOT NULL, name text, UNIQUE (issuer, sub));
CREATE TABLE IF NOT EXISTS floor_course (
    id bigserial PRIMARY KEY, issuer text NOT NULL, deployment_id text NOT NULL, context_id text NOT NULL,
    title text, UNIQUE (issuer, deployment_id, context_id));
CREATE TABLE IF NOT EXISTS floor_placement (
    id bigserial PRIMARY KEY, course_id bigint NOT NULL REFERENCES floor_course, resource_link_id text NOT NULL,
    unit text NOT NULL, UNIQUE (course_id, resource_link_id));
CREATE TABLE IF NOT EXISTS floor_session (
    token text PRIMARY KEY, user_id bigint NOT NULL REFERENCES floor_user,
    placement_id bigint NOT NULL REFERENCES floor_placement, csrf text NOT NULL, roles jsonb NOT NULL,
    locale text NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS floor_outbox (
    id bigserial PRIMARY KEY, statement_id uuid NOT NULL UNIQUE, payload jsonb NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor_unit (slug text PRIMARY KEY, version int NOT NULL, title text NOT NULL);
CREATE TABLE IF NOT EXISTS floor_attempt (
    id bigserial PRIMARY KEY, user_id bigint NOT NULL, unit text NOT NULL, score real);
"""

LOGIN = """INSERT INTO floor_login_state (state, nonce, target, expires_at)
VALUES (%(state)s, %(nonce)s, %(target)s, now() + interval '10 minutes')"""

LAUNCH = """
WITH taken AS (
    DELETE FROM floor_login_state
    WHERE state = %(state)s AND nonce = %(nonce)s AND target = %(target)s AND expires_at > now()
    RETURNING state
), learner AS (
    INSERT INTO floor_user (issuer, sub, name) SELECT %(issuer)s, %(sub)s, %(name)s FROM taken
    ON CONFLICT (issuer, sub) DO UPDATE SET name = EXCLUDED.name RETURNING id
), course AS (
    INSERT INTO floor_course (issuer, deployment_id, context_id, title)
    SELECT %(issuer)s, %(deployment)s, %(context)s, %(course_title)s FROM taken
    ON CONFLICT (issuer, deployment_id, context_id) DO UPDATE SET title = EXCLUDED.title RETURNING id
), placement AS (
    INSERT INTO floor_placement (course_id, resource_link_id, unit) SELECT course.id, %(link)s, %(unit)s FROM course
    ON CONFLICT (course_id, resource_link_id) DO UPDATE SET unit = EXCLUDED.unit RETURNING id
), opened AS (
    INSERT INTO floor_session (token, user_id, placement_id, csrf, roles, locale, expires_at)
    SELECT %(token)s, learner.id, placement.id, %(csrf)s, %(roles)s::jsonb, %(locale)s, now() + interval '8 hours'
    FROM learner, placement RETURNING user_id
), queued AS (
    INSERT INTO floor_outbox (statement_id, payload) SELECT %(statement_id)s, %(statement)s::jsonb FROM opened
    RETURNING id
)
SELECT (SELECT count(*) FROM queued), unit.title, unit.version,
       (SELECT count(*) FROM floor_attempt a, learner WHERE a.user_id = learner.id AND a.unit = unit.slug)
FROM floor_unit unit WHERE unit.slug = %(unit)s
"""

# About our unit page's length (bench/launch.py prints both): head, navigation, the unit's text, the assessment's
# start form with its CSRF token.
PAGE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ locale }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ title }}</title><link rel="stylesheet" href="{{ base }}/static/site.css"></head>
<body data-unit="{{ unit }}"><header><p>{{ name }}</p><nav><a href="{{ base }}/units/{{ unit }}">{{ title }}</a></nav>
</header><main><h1>{{ title }}</h1>
{% for part in parts %}<section><h2>{{ title }} · {{ loop.index }}</h2><p>{{ part }}</p></section>
{% endfor %}<form method="post" action="{{ base }}/units/{{ unit }}/attempts">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><p>{{ attempts }} attempt(s), version {{ version }}</p>
<button type="submit">Start</button></form></main></body></html>""")
PARTS = ["Chain of custody keeps certified wood apart from other wood at every step. " * 12] * 33


class _NonceInDatabase(SessionService):
    """pylti1p3next's session service without the Flask session: the state and nonce live in floor_login_state."""

    def __init__(self, request: FlaskRequest) -> None:
        super().__init__(request)
        self.nonce = ""

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce

    def check_nonce(self, nonce: str) -> bool:
        return True  # the launch's DELETE … WHERE nonce = the token's nonce is the check

    def save_state_params(self, state: str, params: dict[str, object]) -> None:
        pass

    def save_launch_data(self, key: str, jwt_body: Any) -> None:
        pass

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        pass


def prepare(database: str, units: dict[str, str]) -> None:
    """The floor's tables in `database`, and the units it can launch (slug → title)."""
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(TABLES)
        for slug, title in units.items():
            conn.execute("INSERT INTO floor_unit VALUES (%s, 1, %s) ON CONFLICT DO NOTHING", (slug, title))


def create_app() -> Flask:
    """The floor tool, configured from FLOOR_TOOL_CONF."""
    conf = json.loads(os.environ["FLOOR_TOOL_CONF"])
    registration = tool_conf(conf)
    app = Flask(__name__)
    key_cache = ProcessCache()
    local = threading.local()
    opened: list[psycopg.Connection[Any]] = app.extensions.setdefault("floor_tool.connections", [])

    def connection() -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = psycopg.connect(conf["database"], autocommit=True)
            opened.append(conn)  # closed by whoever stops the app (the tests); a worker's die with it
        return conn

    @app.get("/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        target = request.values.get("target_link_uri", "")
        flask_request = FlaskRequest()
        session = _NonceInDatabase(flask_request)
        redirect = FlaskOIDCLogin(flask_request, registration, session_service=session).redirect(target)
        state = dict(parse_qsl(urlsplit(redirect.headers["Location"]).query))["state"]
        connection().execute(LOGIN, {"state": state, "nonce": session.nonce, "target": target})
        return redirect

    @app.post("/launch")
    def launch() -> Any:
        flask_request = FlaskRequest()
        message = FlaskMessageLaunch(flask_request, registration, session_service=_NonceInDatabase(flask_request))
        message.set_public_key_caching(FlaskCacheDataStorage(key_cache), cache_lifetime=300)
        data = message.get_launch_data()  # validates state cookie, signature, registration, deployment
        if LEARNER_ROLE not in data.get(CLAIM + "roles", []):
            abort(403)
        unit = data.get(CLAIM + "custom", {}).get("unit", "")
        token, csrf, statement_id = secrets.token_urlsafe(32), secrets.token_urlsafe(32), uuid.uuid4()
        base = request.host_url.rstrip("/")
        statement = {
            "id": str(statement_id), "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "actor": {"objectType": "Agent", "account": {"homePage": data["iss"], "name": data["sub"]}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en": "launched"}},
            "object": {"objectType": "Activity", "id": f"{base}/units/{unit}",
                       "definition": {"type": "http://adlnet.gov/expapi/activities/lesson"}},
            "context": {"registration": str(uuid.uuid4()), "platform": data["iss"],
                        "contextActivities": {"parent": [{"id": f"{base}/courses/{data[CLAIM + 'context']['id']}"}]},
                        "extensions": {f"{base}/xapi/extensions/deployment": data[CLAIM + "deployment_id"]}},
        }
        row = connection().execute(LAUNCH, {
            "state": request.form.get("state", ""), "nonce": data["nonce"], "target": data[CLAIM + "target_link_uri"],
            "issuer": data["iss"], "sub": data["sub"], "name": data.get("name"),
            "deployment": data[CLAIM + "deployment_id"], "context": data[CLAIM + "context"]["id"],
            "course_title": data[CLAIM + "context"].get("title"), "link": data[CLAIM + "resource_link"]["id"],
            "unit": unit, "token": token, "csrf": csrf, "roles": json.dumps(data[CLAIM + "roles"]),
            "locale": "en", "statement_id": statement_id, "statement": json.dumps(statement),
        }).fetchone()
        if row is None or row[0] != 1:
            abort(400)  # an unknown unit, or a state or nonce already used
        page = PAGE.render(locale="en", title=row[1], version=row[2], attempts=row[3], unit=unit, base=base,
                           name=data.get("name", ""), csrf=csrf, parts=PARTS)
        response = Response(page, mimetype="text/html")
        response.set_cookie("floor_session", token, httponly=True, secure=True, samesite="None")
        return response

    return app
