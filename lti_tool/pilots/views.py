"""Coordinator pages: sign-in, the project and pilot dashboards, creating pilots, attaching courses, exports."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext

from lti_tool.bounds.limits import rate_limited
from lti_tool.db import db, utcnow
from lti_tool.errors import NotFound, ToolError
from lti_tool.launch.models import Context, Deployment
from lti_tool.pilots import charts, db_facts, exports, services
from lti_tool.pilots import figures as fg
from lti_tool.pilots.access import COORDINATOR_COOKIE, Viewer, coordinator_page, current_viewer
from lti_tool.pilots.accounts import sign_in as check_sign_in
from lti_tool.pilots.accounts import sign_out as end_session
from lti_tool.pilots.labels import fewer_than, label
from lti_tool.pilots.models import Pilot
from lti_tool.runtime import current_settings

bp = Blueprint("pilots", __name__)
SESSION_HOURS = 8



def _lang() -> str:
    return str(get_locale() or "en")


def _viewer() -> Viewer:
    viewer = current_viewer()
    assert viewer is not None  # coordinator_page redirected otherwise
    return viewer


@bp.route("/coordinator/sign-in", methods=["GET", "POST"])
@rate_limited("signin")  # per client address: lti_tool.bounds (RATE_LIMIT_SIGNIN)
def sign_in() -> ResponseReturnValue:
    """The coordinators' sign-in form (no LMS involved)."""
    target = request.values.get("next", "")
    if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        target = url_for("pilots.overview")
    if request.method == "GET":
        return render_template("pilots/sign_in.html", next=target, error=None)
    try:
        new = check_sign_in(db.session, request.form.get("username", ""), request.form.get("password", ""),
                            lifetime_hours=SESSION_HOURS)
    except ToolError as error:
        db.session.commit()  # the failure counts toward the lockout and the rate limit
        current_app.logger.info("coordinator sign-in refused: %s", error.code)
        page = render_template("pilots/sign_in.html", next=target, error=gettext(error.message), code=error.code)
        return page, error.status
    response = redirect(target, code=303)
    # Coordinator pages are never framed by an LMS, so the cookie can stay first-party (SameSite=Lax).
    response.set_cookie(COORDINATOR_COOKIE, new.token, max_age=SESSION_HOURS * 3600, httponly=True, path="/",
                        secure=request.is_secure, samesite="Lax")
    return response


@bp.post("/coordinator/sign-out")
@coordinator_page
def sign_out() -> ResponseReturnValue:
    """End the coordinator's session."""
    end_session(db.session, request.cookies.get(COORDINATOR_COOKIE, ""))
    response = redirect(url_for("pilots.sign_in"), code=303)
    response.delete_cookie(COORDINATOR_COOKIE, path="/")
    return response


def _visible(viewer: Viewer) -> list[Pilot]:
    return services.pilots(db.session, viewer.platform_pk)


def _facts(viewer: Viewer, only: Pilot | None = None) -> fg.Facts:
    chosen = {only.id} if only is not None else {p.id for p in _visible(viewer)}
    facts = db_facts.load(db.session, _lang(), chosen)
    services.report_enrolment(db.session, facts, current_settings().base_url)  # the request's commit keeps it
    return facts


def _today() -> dt.date:
    return utcnow().date()


def _pilot(viewer: Viewer, code: str) -> Pilot:
    pilot = services.pilot_by_code(db.session, code)
    if pilot not in _visible(viewer):
        raise NotFound(f"There is no pilot with the code {code!r} on your platform.")
    return pilot


@bp.get("/pilots")
@coordinator_page
def overview() -> ResponseReturnValue:
    """The whole project against its targets, every visible pilot, countries, sectors, units, outcomes."""
    viewer = _viewer()
    facts = _facts(viewer)
    figures = fg.compute(facts, _today())
    return render_template("pilots/overview.html", viewer=viewer, figures=figures, pilots=_visible(viewer),
                           pilot=None, **_page_words())


@bp.get("/pilots/<code>")
@coordinator_page
def pilot_page(code: str) -> ResponseReturnValue:
    """One pilot: its facts, courses, figures; attach a course."""
    viewer = _viewer()
    pilot = _pilot(viewer, code)
    facts = _facts(viewer, pilot)
    figures = fg.compute(facts, _today())
    free = services.unattached_courses(db.session, viewer.platform_pk)
    return render_template("pilots/pilot.html", viewer=viewer, figures=figures, pilot=pilot, free_courses=free,
                           attached=request.args.get("attached"), **_page_words())


def _page_words() -> dict[str, Any]:
    return {"label": label, "columns": fg.COLUMNS, "fewer_than": fewer_than(fg.MIN_GROUP),
            "min_group": fg.MIN_GROUP, "sectors": services.SECTORS}


@bp.route("/pilots/new", methods=["GET", "POST"])
@coordinator_page
def new_pilot() -> ResponseReturnValue:
    """Create a pilot (coordinators: any platform; an administrator: their own)."""
    viewer = _viewer()
    if request.method == "GET":
        return render_template("pilots/new.html", viewer=viewer, form={}, error=None, **_page_words())
    form = {k: request.form.get(k, "") for k in ("code", "name", "country", "sector", "partner", "starts_on",
                                                  "ends_on", "target_learners")}
    try:
        pilot = services.create_pilot(db.session, services.PilotInput(**form, platform_pk=viewer.platform_pk),
                                      current_settings().base_url)
    except ToolError as error:
        db.session.rollback()
        return render_template("pilots/new.html", viewer=viewer, form=form, error=error.message,
                               **_page_words()), error.status
    return redirect(url_for("pilots.pilot_page", code=pilot.code), code=303)


@bp.post("/pilots/<code>/courses")
@coordinator_page
def attach(code: str) -> ResponseReturnValue:
    """Attach a course the tool has seen to this pilot."""
    viewer = _viewer()
    pilot = _pilot(viewer, code)
    try:
        context_pk = int(request.form.get("context", ""))
    except ValueError:
        raise ToolError("Choose a course to attach.", code="no_course") from None
    context = db.session.get(Context, context_pk)
    deployment = db.session.get(Deployment, context.deployment_pk) if context is not None else None
    if context is None or deployment is None or (viewer.platform_pk is not None and
                                                 deployment.platform_id != viewer.platform_pk):
        raise NotFound("This course is not one the tool has seen on your platform.")
    services.attach_course(db.session, pilot, context, "coordinator", current_settings().base_url)
    return redirect(url_for("pilots.pilot_page", code=pilot.code, attached=1), code=303)


def _figures_for_export(code: str | None) -> tuple[fg.Figures, str]:
    viewer = _viewer()
    pilot = _pilot(viewer, code) if code else None
    figures = fg.compute(_facts(viewer, pilot), _today())
    return figures, (pilot.code if pilot else "mastery-pilots")


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pilots/export.<fmt>")
@bp.get("/pilots/<code>/export.<fmt>")
@coordinator_page
def export(fmt: str, code: str | None = None) -> ResponseReturnValue:
    """The figures as CSV, XLSX or a printable PDF report."""
    figures, name = _figures_for_export(code)
    stamp = _today().isoformat()
    if fmt == "csv":
        return _download(exports.to_csv(figures, label), "text/csv; charset=utf-8", f"{name}-{stamp}.csv")
    if fmt == "xlsx":
        return _download(exports.to_xlsx(figures, label),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{name}-{stamp}.xlsx")
    if fmt == "pdf":
        title = gettext("MASTERY pilot report") + (f" · {code}" if code else "")
        return _download(exports.to_pdf(figures, label, title, utcnow()), "application/pdf", f"{name}-{stamp}.pdf")
    raise NotFound("Exports are csv, xlsx or pdf.")


@bp.get("/pilots/charts/<kind>.svg")
@bp.get("/pilots/<code>/charts/<kind>.svg")
@coordinator_page
def chart(kind: str, code: str | None = None) -> ResponseReturnValue:
    """One chart as an SVG image (``?size=narrow``: drawn for a phone); the page shows the same figures in a table."""
    sizes = {None: charts.WIDE, "narrow": charts.NARROW}
    if request.args.get("size") not in sizes:
        raise NotFound("Charts come in the default size or size=narrow.")
    width = sizes[request.args.get("size")]
    figures, _ = _figures_for_export(code)
    if kind == "targets":
        t = figures.targets
        skills = (label("sector:" + s) for s in t.skills_by_sector) if width < charts.WIDE else (
            f"{label('skills')}: {label('sector:' + s)}" for s in t.skills_by_sector)  # the table names them whole
        labels = [label("pilots_running"), label("learners_reached"), *skills]
        reached = [t.pilots_running / t.pilots_target, t.learners_reached / t.learners_target,
                   *(n / t.skills_target for n in t.skills_by_sector.values())]
        svg = charts.bar_chart(gettext("Progress against the project targets") + " (%)", labels,
                               [round(100 * min(r, 1.5), 1) for r in reached], maximum=150, unit="%", width=width)
    elif kind == "learners":
        rows = [r for r in figures.rows if r.level == ("unit" if code else "pilot")]
        svg = charts.grouped_chart(gettext("Learners by stage"), [r.key for r in rows], [
            (label(c), [r.values[c] for r in rows]) for c in ("launched", "attempted", "mastered")], width=width)
    elif kind == "outcomes":
        svg = charts.bar_chart(gettext("Mastery rate per outcome") + " (%)",
                               [f"{o.unit} · {o.outcome}" for o in figures.outcomes],
                               [o.rate for o in figures.outcomes], maximum=100, unit="%", width=width)
    else:
        raise NotFound("No such chart.")
    response = Response(svg, mimetype="image/svg+xml")
    # pygal writes an inline <style> (and a <script> config that never runs in an <img>): allow the style only.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


def _notice() -> dict[str, Any]:
    session = g.get("launch_session")
    if session is None:
        return {}
    found: dict[str, Any] = {}
    code = services.unknown_code_notice(db.session, session)
    if code:
        found["pilot_notice"] = code
    if "administrator" in (session.roles or ()):
        found["pilots_link"] = True
    return found


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI and the teacher's notice about an unknown pilot code."""
    from lti_tool.pilots import cli, learner_views

    app.register_blueprint(bp)
    learner_views.init_app(app)
    cli.init_app(app)
    app.context_processor(_notice)

