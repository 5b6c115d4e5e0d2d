"""Settlement with partners: statements per partner and period, reconciliation."""
