"""Tariffs, time-of-use periods, parking and discounts: pure pricing."""
