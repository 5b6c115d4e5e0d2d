"""OCPI (Open Charge Point Interface) adapters, one subpackage per protocol version."""
