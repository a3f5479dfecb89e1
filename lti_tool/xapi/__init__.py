"""xAPI: the MASTERY profile, pure statement builders, validation and the LRS client."""
