"""LTI Advantage service clients: access tokens, AGS 2.0 (line items, scores) and NRPS 2.0 (roster).

Why our own small clients over httpx and not pylti1p3next's ServiceConnector (measured, DESIGN.md §6):
its access-token cache is a class-level dict in each worker, keyed on issuer + scopes only (two
registrations under one issuer share a token), and ``from_cache`` defaults to a connector whose cache
raises NotImplementedError. Wrapping its AssignmentsGradesService with our own connector would still
leave its URL handling and error reporting, which we need to control: Moodle's line item URLs carry a
query string (``/scores`` must go into the path), and a refused score must keep the platform's reason
for the teacher. So: tokens cached in the database per (issuer, client_id, scopes), one keep-alive
httpx client per process, errors classified as retryable or permanent.

Modules: ``spec`` (constants), ``urls`` and ``backoff`` (pure), ``errors``, ``tokens`` (assertion + cache),
``client`` (ServicesClient), ``ags``, ``nrps``, ``grade_sync`` (the outbox), ``roster`` (cached NRPS),
``models``, ``cli``, ``extension`` (the client holder). Import from the submodules; this file imports nothing (but
``init_app``, lazily) so
the pure modules stay free of Flask and SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the `grades` CLI and the process's LMS services client."""
    from lti_tool.lms import extension

    extension.init_app(app)
