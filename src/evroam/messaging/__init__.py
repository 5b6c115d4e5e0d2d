"""Message-bus adapters (Redis Streams) for multi-worker deployments."""
