"""Pure wire libraries, one per protocol version: they import nothing of the hub."""
