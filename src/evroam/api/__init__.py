"""HTTP API (FastAPI): create_app(settings) builds it; a route calls one service."""
