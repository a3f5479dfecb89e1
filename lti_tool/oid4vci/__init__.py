"""OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code flow): the learner's credential into a wallet."""
