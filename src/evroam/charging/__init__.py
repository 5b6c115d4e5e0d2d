"""Charging sessions at any partner's pile: start, progress, stop, bill, receipt."""
