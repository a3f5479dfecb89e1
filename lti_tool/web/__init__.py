"""Cross-cutting web concerns: error pages, security headers, health."""
