"""Usage and network metrics computed from charging records."""
