"""An independent OpenID4VCI 1.0 wallet client for tests, written from the specification (no tool code)."""
