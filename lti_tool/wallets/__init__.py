"""The learner's credential into a wallet: OpenID4VCI 1.0 (pre-authorized code) and the VC-API exchange (LCW)."""
