"""OCPI 2.2.1: wire models, mapping to the domain, client and FastAPI endpoints."""
