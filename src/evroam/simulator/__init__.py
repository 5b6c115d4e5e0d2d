"""Partner simulators: real protocol servers over generated networks (demo, tests)."""
