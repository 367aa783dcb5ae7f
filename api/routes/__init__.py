"""Routers of the API, one module per capability."""
