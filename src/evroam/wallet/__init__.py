"""The wallet: a double-entry ledger, two-phase holds, top-ups and refunds."""
