"""Shared kernel: ids, geometry, money, clocks and the base error. Pure, no I/O."""
