"""T/CEC 102 (2016) wire library: models, envelope crypto, client and endpoint."""
