"""Shared test support: database backends, the app, a live tool server."""
