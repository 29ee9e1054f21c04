"""Federation: the partner feed (FastAPI router) and, later, peer sync."""
