"""Bitstring Status Lists: the bitstring and its credential (pure), and the lists in the database."""
