"""Real-time availability: pile status updates, staleness and change events."""
