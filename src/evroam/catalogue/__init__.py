"""Station catalogue: operators, stations, piles, connectors and geo search."""
