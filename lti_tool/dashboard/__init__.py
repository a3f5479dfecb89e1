"""The teacher dashboard: per course and per placed unit, the roster joined with attempts, resets, CSV export.

Modules: ``models`` (AttemptReset), ``progress`` and ``export`` (pure: a learner's status and outcome cells;
CSV), ``roster_state`` (NRPS through the cache, failures as a notice), ``services`` (the queries), ``pages``
(what a page or CSV shows), ``reset`` (reset an attempt, void its xAPI statements), ``views`` (``bp``, ``init_app``).
"""
