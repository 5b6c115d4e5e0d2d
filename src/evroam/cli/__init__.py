"""The ``evroam`` command line: a thin client of the services."""
