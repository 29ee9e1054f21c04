"""GraphiQL, served by the node from files installed beside it (no CDN)."""
