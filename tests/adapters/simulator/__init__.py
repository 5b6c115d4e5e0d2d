"""Partner simulators served over T/CEC 102 and OCPI 2.2.1."""
