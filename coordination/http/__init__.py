"""The node's HTTP entry point: `create_app` (`app`), its middleware, its operations
endpoints and the lane that takes GraphQL POSTs past FastAPI's routing."""
