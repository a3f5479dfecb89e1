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
``models``, ``cli``, ``extension`` (init_app). Import from the submodules; this file imports nothing so
the pure modules stay free of Flask and SQLAlchemy.
"""
