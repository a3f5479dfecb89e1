"""Verify any credential: the pure verifier, the JSON Schema check, remote lookups and the /api/verify input."""
