"""Domain errors, each with an HTTP status, a stable code and a message safe to show a person.

They are turned into a page or a JSON answer in one place (``lti_tool.web.errors``).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

# The message parameter that carries a library's or another system's own (English) text: a page quotes it
# inside the translated sentence and marks it lang="en" (the sentence around it is in the reader's language).
ENGLISH_DETAIL = "detail"


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation only"
    """Mark a string for extraction; it is translated where it is shown (the error page)."""
    return text


class ToolError(Exception):
    """Base of every error the tool shows to a person; never carries a secret."""

    status = 400
    code = "bad_request"
    title = N_("Something is not right with this request")

    def __init__(self, message: str, *, code: str | None = None, **params: object) -> None:
        # ``message`` is the catalogue text (marked with N_) and ``params`` fill its %(name)s placeholders, so the
        # page or JSON answer can translate it into the launch's language; ``str()`` and ``.message`` are English.
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)
        if code:
            self.code = code


def page_message(error: ToolError, translate: Callable[[str], str]) -> Markup:
    """The error's message for an HTML page: ``translate`` its catalogue text, fill in its parameters (escaped),
    the English ``detail`` as ``<q lang="en">``."""
    text = Markup.escape(translate(error.template))
    if not error.params:
        return text
    values = {name: Markup('<q lang="en">{}</q>').format(value) if name == ENGLISH_DETAIL else value
              for name, value in error.params.items()}
    return text % values


class LaunchError(ToolError):
    """An LTI login or launch that cannot be accepted."""

    status = 400
    code = "invalid_launch"
    title = N_("This launch could not be accepted")


class SessionMissing(ToolError):
    """No launch session: the page was opened outside the LMS, or the session expired."""

    status = 401
    code = "no_session"
    title = N_("Please open this activity from your course")


class Forbidden(ToolError):
    """The launched user may not see this (wrong role or another course)."""

    status = 403
    code = "forbidden"
    title = N_("You do not have access to this page")


class NotFound(ToolError):
    """The thing asked for does not exist (or is not visible to this user)."""

    status = 404
    code = "not_found"
    title = N_("Not found")


class Conflict(ToolError):
    """The request clashes with existing data (a duplicate, say)."""

    status = 409
    code = "conflict"
    title = N_("Already exists")


class ValidationFailed(ToolError):
    """Input that does not have the shape it must have."""

    status = 422
    code = "invalid_input"
    title = N_("Some input is not valid")


class CsrfFailed(ToolError):
    """A write without the page's CSRF token."""

    status = 403
    code = "csrf_failed"
    title = N_("This form has expired")
