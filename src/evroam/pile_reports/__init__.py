"""Drivers' reports of a pile: broken, or its bay blocked (issue 13)."""
