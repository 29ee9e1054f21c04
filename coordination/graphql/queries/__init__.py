"""Root query fields, one module per area, merged into `Query` in `schema.py`."""
