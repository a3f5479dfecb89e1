"""Open Badges 3.0 credentials with the EU micro-credential (Annex I) elements: build, sign, verify, revoke."""
