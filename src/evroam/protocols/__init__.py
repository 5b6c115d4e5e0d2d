"""Pure wire libraries, one per protocol version: they import nothing of the hub.

``ocpi_2_2_1`` and ``tcec_102`` may import only ``evroam.shared`` and third-party
libraries (import-linter contract, ADR 0014); the hub's glue is ``evroam.gateways``.
"""

__all__: list[str] = []
