"""Running the tool: worker heartbeats and the health report of the outboxes."""
