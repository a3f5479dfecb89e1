"""Proofs: JSON-LD canonicalisation over pinned offline contexts, Data Integrity, VC-JWT, keys (pure)."""
