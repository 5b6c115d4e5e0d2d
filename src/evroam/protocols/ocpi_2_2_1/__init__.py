"""OCPI 2.2.1 wire library: spec models, client and server building blocks."""
