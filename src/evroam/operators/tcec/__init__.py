"""T/CEC 102 (2016): envelope crypto, wire models, mapping, client and endpoint."""
