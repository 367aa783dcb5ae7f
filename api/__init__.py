"""HTTP API and web chat of the telework assistant (FastAPI)."""
