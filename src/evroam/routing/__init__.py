"""Road-distance adapters (OSRM HTTP) for the recommend context's road port."""
