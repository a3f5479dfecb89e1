"""Build the unsigned credential from unit and learner facts; who issues (DID, keys); issuing from an LRS."""
