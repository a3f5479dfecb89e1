"""The teacher dashboard: per course and per placed unit, the roster joined with attempts, resets, CSV export.

Modules: ``models`` (AttemptReset), ``progress`` (pure: a learner's status and outcome cells), ``services``
(the queries: placements, roster, attempts, grade syncs, credentials), ``reset`` (reset an attempt, void its
xAPI statements), ``export`` (pure CSV), ``views`` (blueprint ``bp`` and ``init_app``).
"""
