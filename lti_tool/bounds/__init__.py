"""Bounded work per request: rate limits, body sizes, concurrency and time (issue 11)."""
