"""evroam: one map, one account and one bill across many EV charging networks."""

__version__ = "0.1.0"
