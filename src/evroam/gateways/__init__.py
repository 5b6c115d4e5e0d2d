"""The hub's glue per protocol: wire ⇄ domain mapping, hub gateways, receivers.

``ocpi`` and ``tcec`` map the protocols' wire objects (``evroam.protocols``) to the
hub's contexts and back; ``settlement_records`` reads partners' own records.
"""

from evroam.gateways.settlement_records import OcpiCdrRecords, ProtocolPartnerRecords

__all__ = ["OcpiCdrRecords", "ProtocolPartnerRecords"]
