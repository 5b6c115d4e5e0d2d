"""HTTP API (FastAPI): create_app(settings) builds the app; routes call one service each."""
