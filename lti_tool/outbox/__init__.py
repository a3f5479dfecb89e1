"""The one outbox mechanism behind every delivery to an outside system (xAPI statements, AGS grades).

Each kind keeps its own table (a statement row and a score row carry different data), but they share
what makes an outbox an outbox: the retry formula (`retry.py`), the report of a drain (`report.py`), and
the long-running worker loop with its wait for the next due row (`worker.py`).
"""
