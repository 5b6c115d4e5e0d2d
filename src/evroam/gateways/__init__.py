"""The hub's glue per protocol: wire ⇄ domain mapping, hub gateways, receivers."""
